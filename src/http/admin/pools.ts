/**
 * `/pools`: list with FREE / USED / online counts (and search by number), create from card ids or
 * a card filter (the key is answered once), rename, add / remove cards, restart for the API,
 * rotate the key, delete keeping the cards. Changes go through the core's pool service.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listPoolOverviews } from '../../domain/inventory/pool-overview.ts';
import { selectCardIds, type CardFilter } from '../../domain/inventory/card-query.ts';
import { inScope } from '../../domain/auth/principal.ts';
import type { PoolErrorCode } from '../../domain/pools/membership.ts';
import { noteAudit, who } from '../auth/authenticate.ts';
import { sendError, type ErrorCode } from '../errors.ts';
import { body, idList, idParams, obj, params, query, sendFailure, type AdminDeps, type Router } from './route.ts';
import { poolView } from './schemas.ts';
import { cardFilterOf, cardFilterQuery } from './cards.ts';

const POOL_ERRORS: Record<PoolErrorCode, ErrorCode> = {
  POOL_NOT_FOUND: 'SIMNAV_ERR_NOT_FOUND',
  POOL_TITLE_INVALID: 'SIMNAV_ERR_VALIDATION',
  POOL_KEY_INVALID: 'SIMNAV_ERR_VALIDATION',
  POOL_TITLE_TAKEN: 'SIMNAV_ERR_CONFLICT',
  POOL_KEY_TAKEN: 'SIMNAV_ERR_CONFLICT',
};

function sendPoolError(reply: FastifyReply, e: { code: PoolErrorCode; message: string }): FastifyReply {
  return sendError(reply, POOL_ERRORS[e.code], e.message);
}

const filterBody = { type: 'object', additionalProperties: false, properties: cardFilterQuery } as const;
const selection = { cardIds: idList, filter: filterBody } as const;

export function poolRoutes(r: Router, deps: AdminDeps): void {
  const { ctx, pools } = deps;

  /** Card ids from explicit ids or a filter, limited to what the principal can see. */
  async function cardsOf(req: FastifyRequest, sel: { cardIds?: number[]; filter?: Record<string, unknown> }): Promise<number[] | { error: string }> {
    if (sel.cardIds === undefined && sel.filter === undefined) return [];
    const f: CardFilter = sel.filter ? cardFilterOf(sel.filter) : {};
    if (sel.cardIds !== undefined) f.ids = sel.cardIds;
    const ids = await selectCardIds(ctx, who(req), f);
    return ids.ok ? ids.value : { error: ids.error.message ?? 'bad filter' };
  }

  function poolId(req: FastifyRequest, reply: FastifyReply): number | undefined {
    const id = params<{ id: number }>(req).id;
    if (inScope(who(req), id)) return id;
    void sendError(reply, 'SIMNAV_ERR_NOT_FOUND', `pool ${id}`);
    return undefined;
  }

  r.add({
    method: 'GET', url: '/pools', access: 'read', tags: ['pools'], summary: 'List pools with cards, FREE, USED, online and balance; `number` finds the pools holding a number',
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { number: { type: 'string', maxLength: 32 } } },
      response: { 200: obj({ items: { type: 'array', items: poolView } }) },
    },
    async handler(req) {
      const n = query<{ number?: string }>(req).number;
      return { items: await listPoolOverviews(ctx, who(req), n ? { number: n } : {}) };
    },
  });

  r.add({
    method: 'POST', url: '/pools', access: 'write', tags: ['pools'], summary: 'Create a pool from card ids or a card filter; answers the pool key once',
    schema: {
      body: { type: 'object', required: ['title'], additionalProperties: false, properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, ...selection } },
      response: { 201: obj({ pool: poolView, key: { type: 'string' } }) },
    },
    async handler(req, reply) {
      if (who(req).poolScope !== null) return sendError(reply, 'SIMNAV_ERR_FORBIDDEN', 'Users limited to some pools cannot create pools');
      const b = body<{ title: string; cardIds?: number[]; filter?: Record<string, unknown> }>(req);
      const ids = await cardsOf(req, b);
      if (!Array.isArray(ids)) return sendError(reply, 'SIMNAV_ERR_VALIDATION', ids.error);
      const res = await pools.create({ title: b.title, cardIds: ids });
      if (!res.ok) return sendPoolError(reply, res.error);
      const [view] = await listPoolOverviews(ctx, who(req), { ids: [res.value.pool.id] });
      noteAudit(req, 'pool.create', res.value.pool.id, { title: res.value.pool.title, cards: ids.length });
      return reply.code(201).send({ pool: view, key: res.value.key });
    },
  });

  r.add({
    method: 'GET', url: '/pools/:id', access: 'read', tags: ['pools'], summary: 'One pool with its counts',
    schema: { params: idParams, response: { 200: poolView } },
    async handler(req, reply) {
      const id = poolId(req, reply);
      if (id === undefined) return reply;
      const [view] = await listPoolOverviews(ctx, who(req), { ids: [id] });
      return view ?? sendError(reply, 'SIMNAV_ERR_NOT_FOUND', `pool ${id}`);
    },
  });

  r.add({
    method: 'PATCH', url: '/pools/:id', access: 'write', tags: ['pools'], summary: 'Rename a pool',
    schema: {
      params: idParams,
      body: { type: 'object', required: ['title'], additionalProperties: false, properties: { title: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: { 200: poolView },
    },
    async handler(req, reply) {
      const id = poolId(req, reply);
      if (id === undefined) return reply;
      const res = await pools.rename(id, body<{ title: string }>(req).title);
      if (!res.ok) return sendPoolError(reply, res.error);
      noteAudit(req, 'pool.rename', id, { title: res.value.title });
      const [view] = await listPoolOverviews(ctx, who(req), { ids: [id] });
      return view;
    },
  });

  r.add({
    method: 'DELETE', url: '/pools/:id', access: 'write', tags: ['pools'], summary: 'Delete a pool; its cards stay in the inventory',
    schema: { params: idParams, response: { 200: obj({ deleted: { type: 'boolean' } }) } },
    async handler(req, reply) {
      if (who(req).poolScope !== null) return sendError(reply, 'SIMNAV_ERR_FORBIDDEN', 'Users limited to some pools cannot delete pools');
      const id = params<{ id: number }>(req).id;
      const res = await pools.remove(id);
      if (!res.ok) return sendPoolError(reply, res.error);
      noteAudit(req, 'pool.delete', id);
      return { deleted: true };
    },
  });

  r.add({
    method: 'POST', url: '/pools/:id/cards', access: 'write', tags: ['pools'], summary: 'Add cards (ids or a filter) to a pool',
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: selection }, response: { 200: obj({ added: { type: 'integer' } }) } },
    async handler(req, reply) {
      const id = poolId(req, reply);
      if (id === undefined) return reply;
      const ids = await cardsOf(req, body<{ cardIds?: number[]; filter?: Record<string, unknown> }>(req));
      if (!Array.isArray(ids)) return sendError(reply, 'SIMNAV_ERR_VALIDATION', ids.error);
      const res = await pools.addCards(id, ids);
      if (!res.ok) return sendPoolError(reply, res.error);
      noteAudit(req, 'pool.add-cards', id, { requested: ids.length, added: res.value.added });
      return res.value;
    },
  });

  r.add({
    method: 'POST', url: '/pools/:id/cards/remove', access: 'write', tags: ['pools'], summary: 'Remove cards from a pool (the cards stay)',
    schema: { params: idParams, body: { type: 'object', required: ['cardIds'], additionalProperties: false, properties: { cardIds: idList } }, response: { 200: obj({ removed: { type: 'integer' } }) } },
    async handler(req, reply) {
      const id = poolId(req, reply);
      if (id === undefined) return reply;
      const ids = body<{ cardIds: number[] }>(req).cardIds;
      const res = await pools.removeCards(id, ids);
      if (!res.ok) return sendPoolError(reply, res.error);
      noteAudit(req, 'pool.remove-cards', id, { requested: ids.length, removed: res.value.removed });
      return res.value;
    },
  });

  r.add({
    method: 'POST', url: '/pools/:id/restart', access: 'write', tags: ['pools'],
    summary: 'Restart the pool for the API: every number FREE again; unless keep, its online cards go back to HOLD',
    schema: { params: idParams, body: { type: ['object', 'null'], additionalProperties: false, properties: { keep: { type: 'boolean' } } }, response: { 200: poolView } },
    async handler(req, reply) {
      const id = poolId(req, reply);
      if (id === undefined) return reply;
      const [before] = await listPoolOverviews(ctx, who(req), { ids: [id] });
      if (!before) return sendError(reply, 'SIMNAV_ERR_NOT_FOUND', `pool ${id}`);
      const keep = (body<{ keep?: boolean } | null>(req) ?? {}).keep === true;
      await pools.restart(id, keep);
      noteAudit(req, 'pool.restart', id, { keep });
      const [view] = await listPoolOverviews(ctx, who(req), { ids: [id] });
      return view;
    },
  });

  r.add({
    method: 'POST', url: '/pools/:id/rotate-key', access: 'write', tags: ['pools'], summary: 'Replace the pool key; answers the new key once (the old key stops working)',
    schema: { params: idParams, response: { 200: obj({ key: { type: 'string' } }) } },
    async handler(req, reply) {
      const id = poolId(req, reply);
      if (id === undefined) return reply;
      const res = await pools.rotateKey(id);
      if (!res.ok) return sendPoolError(reply, res.error);
      noteAudit(req, 'pool.rotate-key', id);
      return res.value;
    },
  });
}
