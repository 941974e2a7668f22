/**
 * The Online page's API (panel-features.md §2.9): which cards are (desired) online with their
 * channel and status, put chosen cards online, take them offline, and send an SMS from an online
 * card. Putting online and taking offline go through the pool service (src/domain/pools/online.ts):
 * the same rule and the same writes as the pool API's allocation, under the same aggregator lock,
 * and the pool API's views learn of the change at once.
 */
import type { FastifyRequest } from 'fastify';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import type { PoolService } from '../../domain/pools/service.ts';
import { scopeIds } from '../../domain/pools/online.ts';
import { writeAudit } from '../../domain/audit/audit.ts';
import { sendError } from '../errors.ts';
import { who } from '../auth/authenticate.ts';
import type { ConsoleRoute } from './route.ts';

export interface OnlineChannelView {
  cardId: number; aggregatorId: number; aggregatorTitle: string; place: string; number: string | null; title: string; operator: string | null;
  desired: string; position: string; channel: number | null; statusCode: number | null; statusAt: number | null;
}


export async function listOnline(ctx: AdminCtx, p: Principal, aggregatorId?: number): Promise<OnlineChannelView[]> {
  let q = ctx.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id').innerJoin('aggregators as a', 'a.id', 'c.aggregator_id')
    .select(['co.card_id', 'c.aggregator_id', 'a.title as aggregator_title', 'c.place', 'c.place_sort', 'c.number', 'c.title', 'c.operator', 'co.desired', 'co.position', 'co.channel', 'co.status_code', 'co.status_at'])
    .where((eb) => eb.or([eb('co.desired', '=', 'online'), eb('co.position', '=', 'ONLINE')]));
  if (aggregatorId !== undefined) q = q.where('c.aggregator_id', '=', aggregatorId);
  const pools = scopeIds(p.poolScope);
  if (pools) q = q.where('co.card_id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', pools));
  const rows = await q.orderBy('c.aggregator_id').orderBy('co.channel').orderBy('c.place_sort').limit(2000).execute();
  return rows.map((r) => ({
    cardId: r.card_id, aggregatorId: r.aggregator_id, aggregatorTitle: r.aggregator_title, place: r.place, number: r.number, title: r.title,
    operator: r.operator, desired: r.desired, position: r.position, channel: r.channel, statusCode: r.status_code, statusAt: r.status_at,
  }));
}

/** The panel's pool service (buildApp decorates `simnav`; the console API is always built inside it). */
function poolsOf(req: FastifyRequest): PoolService {
  const pools = req.server.simnav?.pools;
  if (!pools) throw new Error('console online: the pool service is missing (register the console API inside buildApp)');
  return pools;
}

const ids = { type: 'array', items: { type: 'integer', minimum: 1, maximum: 2147483647 }, maxItems: 1000 };

export function onlineRoutes(ctx: AdminCtx): ConsoleRoute[] {
  return [
    {
      method: 'GET', url: '/online', access: 'read',
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { aggregatorId: { type: 'integer', minimum: 1, maximum: 2147483647 } } } },
      async handler(req) {
        return { items: await listOnline(ctx, who(req), (req.query as { aggregatorId?: number }).aggregatorId) };
      },
    },
    {
      method: 'POST', url: '/online', access: 'write',
      schema: { body: { type: 'object', required: ['cardIds'], additionalProperties: false, properties: { cardIds: ids, replace: { type: 'boolean', default: true } } } },
      async handler(req, reply) {
        const b = req.body as { cardIds: number[]; replace: boolean };
        const r = await poolsOf(req).putOnline(b.cardIds, { replace: b.replace, poolScope: who(req).poolScope });
        if (!r.ok) return sendError(reply, r.code === 'NOT_FOUND' ? 'SIMNAV_ERR_NOT_FOUND' : 'SIMNAV_ERR_VALIDATION', r.message);
        await writeAudit(ctx, { actor: who(req).actor, action: 'online.start', target: b.cardIds.slice(0, 20).join(','), details: { online: r.online, refused: r.refused }, ip: req.ip });
        return r;
      },
    },
    {
      method: 'POST', url: '/online/stop', access: 'write',
      schema: { body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { cardIds: ids, aggregatorId: { type: 'integer', minimum: 1, maximum: 2147483647 } } } },
      async handler(req) {
        const b = req.body as { cardIds?: number[]; aggregatorId?: number };
        const n = await poolsOf(req).takeOffline(b, who(req).poolScope);
        await writeAudit(ctx, { actor: who(req).actor, action: 'online.stop', target: b.aggregatorId !== undefined ? `aggregator:${b.aggregatorId}` : (b.cardIds ?? []).slice(0, 20).join(','), details: { count: n }, ip: req.ip });
        return { count: n };
      },
    },
    {
      method: 'POST', url: '/online/:cardId/sms', access: 'write',
      schema: {
        params: { type: 'object', required: ['cardId'], properties: { cardId: { type: 'integer', minimum: 1, maximum: 2147483647 } } },
        body: { type: 'object', required: ['to', 'text'], additionalProperties: false, properties: { to: { type: 'string', pattern: '^\\+?[0-9]{3,20}$' }, text: { type: 'string', minLength: 1, maxLength: 1530 } } },
      },
      async handler(req, reply) {
        const p = who(req);
        const cardId = (req.params as { cardId: number }).cardId;
        const b = req.body as { to: string; text: string };
        const online = (await listOnline(ctx, p)).some((c) => c.cardId === cardId && c.desired === 'online');
        if (!online) return sendError(reply, 'SIMNAV_ERR_CONFLICT', 'Put the card online first');
        const row = await ctx.db.insertInto('sms_outbox').values({
          card_id: cardId, recipient: b.to.replace(/^\+/, ''), text: b.text, origin: p.actor, created_at: ctx.clock.now(),
        }).returning('id').executeTakeFirstOrThrow();
        // Who sent which SMS (panel-features.md §4.1 item 11); the text itself stays out of the audit log.
        await writeAudit(ctx, { actor: p.actor, action: 'sms.send', target: `card:${cardId}`, details: { to: b.to, length: b.text.length, outbox: row.id }, ip: req.ip });
        return reply.code(202).send({ id: row.id, status: 'queued' });
      },
    },
  ];
}
