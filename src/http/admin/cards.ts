/**
 * `/cards`: the SIM inventory — list with the legacy filters, sort and pagination; add, edit,
 * delete (one or many); CSV export and import in the legacy layout, UTF-8 or CP1251.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CARD_SORTS, listCards, selectCardIds, type CardFilter, type CardSort } from '../../domain/inventory/card-query.ts';
import { createCard, deleteCards, updateCard, type CardInput } from '../../domain/inventory/cards.ts';
import { exportCardsCsv, importCardsCsv } from '../../domain/inventory/card-import.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import { noteAudit, who } from '../auth/authenticate.ts';
import { sendError } from '../errors.ts';
import { body, countAnswer, idList, idParams, obj, page, pageQuery, params, query, sendFailure, type AdminDeps, type Router } from './route.ts';
import { cardView, importReport } from './schemas.ts';

const s100 = { type: 'string', maxLength: 100 };
export const cardFilterQuery = {
  number: s100, iccid: s100, title: s100, operator: s100, placePrefix: { type: 'string', maxLength: 16 },
  balance: { type: 'string', maxLength: 24 }, comment: s100, duplicates: { type: 'boolean' },
  aggregatorId: { type: 'integer', minimum: 1, maximum: 2147483647 }, poolId: { type: 'integer', minimum: 1, maximum: 2147483647 },
} as const;

const sortQuery = {
  sort: { type: 'string', enum: [...CARD_SORTS], default: 'place' },
  desc: { type: 'boolean', default: false },
} as const;

/** The filter fields of a parsed query (schema-validated). */
export function cardFilterOf(q: Record<string, unknown>): CardFilter {
  const f: CardFilter = {};
  for (const k of ['number', 'iccid', 'title', 'operator', 'placePrefix', 'balance', 'comment'] as const) {
    const v = q[k];
    if (typeof v === 'string' && v !== '') f[k] = v;
  }
  if (typeof q.aggregatorId === 'number') f.aggregatorId = q.aggregatorId;
  if (typeof q.poolId === 'number') f.poolId = q.poolId;
  if (q.duplicates === true) f.duplicates = true;
  return f;
}

const cardBody = {
  aggregatorId: { type: 'integer', minimum: 1, maximum: 2147483647 },
  place: { type: 'string', minLength: 1, maxLength: 16 },
  number: { type: ['string', 'null'], maxLength: 32 },
  iccid: { type: ['string', 'null'], maxLength: 24 },
  operator: { type: ['string', 'null'], maxLength: 64 },
  balance: { type: ['number', 'null'], minimum: -1e9, maximum: 1e9 },
  title: { type: 'string', maxLength: 255 },
  comment: { type: 'string', maxLength: 1000 },
  blocked: { type: 'boolean' },
};

/** Import files up to 20 MB (about 200 000 legacy rows). */
export const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;

function unscopedOnly(p: Principal, reply: FastifyReply): boolean {
  if (p.poolScope === null) return true;
  void sendError(reply, 'SIMNAV_ERR_FORBIDDEN', 'Users limited to some pools cannot change the whole inventory');
  return false;
}

export function cardRoutes(r: Router, deps: AdminDeps): void {
  const { ctx, pools } = deps;

  async function visible(req: FastifyRequest, id: number): Promise<boolean> {
    const ids = await selectCardIds(ctx, who(req), { ids: [id] }, 1);
    return ids.ok && ids.value.length === 1;
  }

  r.add({
    method: 'GET', url: '/cards', access: 'read', tags: ['cards'],
    summary: 'List cards: filters number, iccid, title, operator, aggregatorId, placePrefix, balance (=x >x <x), comment (^x = does not contain), poolId, duplicates (only numbers another card shares by their last 10 digits); sort; pages',
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { ...cardFilterQuery, ...sortQuery, ...pageQuery } },
      response: { 200: page(cardView) },
    },
    async handler(req, reply) {
      const q = query<Record<string, unknown> & { sort: CardSort; desc: boolean; limit: number; offset: number }>(req);
      const res = await listCards(ctx, who(req), cardFilterOf(q), { sort: q.sort, desc: q.desc, limit: q.limit, offset: q.offset });
      return res.ok ? res.value : sendFailure(reply, res.error);
    },
  });

  r.add({
    method: 'GET', url: '/cards/:id', access: 'read', tags: ['cards'], summary: 'One card',
    schema: { params: idParams, response: { 200: cardView } },
    async handler(req, reply) {
      const res = await listCards(ctx, who(req), { ids: [params<{ id: number }>(req).id] }, { sort: 'place', desc: false, limit: 1, offset: 0 });
      if (!res.ok) return sendFailure(reply, res.error);
      return res.value.items[0] ?? sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such card');
    },
  });

  r.add({
    method: 'POST', url: '/cards', access: 'write', tags: ['cards'], summary: 'Add a card by hand',
    schema: {
      body: { type: 'object', required: ['aggregatorId', 'place'], additionalProperties: false, properties: cardBody },
      response: { 201: obj({ id: { type: 'integer' } }) },
    },
    async handler(req, reply) {
      if (!unscopedOnly(who(req), reply)) return reply;
      const b = body<CardInput & { aggregatorId: number; place: string }>(req);
      const res = await createCard(ctx, b);
      if (!res.ok) return sendFailure(reply, res.error);
      pools.invalidate();
      noteAudit(req, 'card.create', res.value.id, { aggregatorId: b.aggregatorId, place: b.place });
      return reply.code(201).send(res.value);
    },
  });

  r.add({
    method: 'PATCH', url: '/cards/:id', access: 'write', tags: ['cards'], summary: 'Edit a card (number, place, title, comment, …)',
    schema: {
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: cardBody },
      response: { 200: obj({ id: { type: 'integer' } }) },
    },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      if (!(await visible(req, id))) return sendError(reply, 'SIMNAV_ERR_NOT_FOUND', `card ${id}`);
      const b = body<CardInput>(req);
      const res = await updateCard(ctx, id, b);
      if (!res.ok) return sendFailure(reply, res.error);
      if (res.value.moved) await pools.refreshPlacement([id]);
      pools.invalidate();
      noteAudit(req, 'card.update', id, { fields: Object.keys(b) });
      return { id };
    },
  });

  r.add({
    method: 'DELETE', url: '/cards/:id', access: 'write', tags: ['cards'], summary: 'Delete a card',
    schema: { params: idParams, response: { 200: countAnswer } },
    async handler(req, reply) {
      if (!unscopedOnly(who(req), reply)) return reply;
      const id = params<{ id: number }>(req).id;
      const n = await deleteCards(ctx, [id]);
      if (n === 0) return sendError(reply, 'SIMNAV_ERR_NOT_FOUND', `card ${id}`);
      pools.invalidate();
      noteAudit(req, 'card.delete', id);
      return { count: n };
    },
  });

  r.add({
    method: 'POST', url: '/cards/delete', access: 'write', tags: ['cards'], summary: 'Delete many cards by id',
    schema: {
      body: { type: 'object', required: ['ids'], additionalProperties: false, properties: { ids: idList } },
      response: { 200: countAnswer },
    },
    async handler(req, reply) {
      if (!unscopedOnly(who(req), reply)) return reply;
      const ids = body<{ ids: number[] }>(req).ids;
      const n = await deleteCards(ctx, ids);
      pools.invalidate();
      noteAudit(req, 'card.delete-many', undefined, { requested: ids.length, deleted: n });
      return { count: n };
    },
  });

  r.add({
    method: 'GET', url: '/cards/export.csv', access: 'read', tags: ['cards'], produces: 'text/csv',
    summary: 'Export the cards (filtered and sorted as listed) as CSV in the legacy layout; encoding utf-8 (with BOM) or windows-1251',
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { ...cardFilterQuery, ...sortQuery, encoding: { type: 'string', enum: ['utf-8', 'windows-1251'], default: 'utf-8' } },
      },
    },
    async handler(req, reply) {
      const q = query<Record<string, unknown> & { sort: CardSort; desc: boolean; encoding: 'utf-8' | 'windows-1251' }>(req);
      const res = await exportCardsCsv(ctx, who(req), cardFilterOf(q), { sort: q.sort, desc: q.desc }, q.encoding);
      if (!res.ok) return sendFailure(reply, res.error);
      return reply.type(`text/csv; charset=${q.encoding}`)
        .header('content-disposition', 'attachment; filename="simnav-cards.csv"')
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(res.value));
    },
  });

  r.add({
    method: 'POST', url: '/cards/import', access: 'write', tags: ['cards'], bodyTypes: ['text/csv', 'application/octet-stream'],
    bodyLimit: IMPORT_BODY_LIMIT,
    summary: 'Import a CSV file (legacy layout, tab ; or , separated, UTF-8 or CP1251); upserts by number, else by aggregator and place',
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { aggregatorId: { type: 'integer', minimum: 1, maximum: 2147483647 } } },
      response: { 200: importReport },
    },
    async handler(req, reply) {
      if (!unscopedOnly(who(req), reply)) return reply;
      if (!Buffer.isBuffer(req.body)) return sendError(reply, 'SIMNAV_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the file as text/csv or application/octet-stream');
      const aggregatorId = query<{ aggregatorId?: number }>(req).aggregatorId;
      const res = await importCardsCsv(ctx, req.body, aggregatorId !== undefined ? { aggregatorId } : {});
      if (!res.ok) {
        if (res.error.code === 'CSV_INVALID') {
          const e = (res.error as { csv: { code: string; line: number } }).csv;
          return sendError(reply, 'SIMNAV_ERR_CSV_INVALID', `line ${e.line}: ${e.code}`);
        }
        return sendFailure(reply, res.error as { code: 'NOT_FOUND' });
      }
      const { report, updatedIds } = res.value;
      await pools.refreshPlacement(updatedIds);
      pools.invalidate();
      noteAudit(req, 'card.import', aggregatorId, { rows: report.rows, inserted: report.inserted, updated: report.updated, skipped: report.skipped, encoding: report.encoding });
      return report;
    },
  });
}
