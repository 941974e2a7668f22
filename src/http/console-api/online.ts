/**
 * The Online page's API (panel-features.md §2.9): which cards are (desired) online with their
 * channel and status, put chosen cards online, take them offline, and send an SMS from an online
 * card. Desired state goes to `card_online` exactly as the pool API writes it (the device runtime
 * carries it out); what can be online together comes from the model descriptor (`chooseOnline`).
 */
import { sql } from 'kysely';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import { modelOf } from '../../domain/aggregators/aggregators.ts';
import { chooseOnline, type OnlineCard, type Place } from '../../models/index.ts';
import { writeAudit } from '../../domain/audit/audit.ts';
import { sendError } from '../errors.ts';
import { who } from '../auth/authenticate.ts';
import type { ConsoleRoute } from './route.ts';

export interface OnlineChannelView {
  cardId: number; aggregatorId: number; aggregatorTitle: string; place: string; number: string | null; title: string; operator: string | null;
  desired: string; position: string; channel: number | null; statusCode: number | null; statusAt: number | null;
}

/** Pool ids a scoped principal may touch (`[0]` matches nothing), or null for everything. */
function scopePools(p: Principal): number[] | null {
  return p.poolScope === null ? null : p.poolScope.length ? [...p.poolScope] : [0];
}

export async function listOnline(ctx: AdminCtx, p: Principal, aggregatorId?: number): Promise<OnlineChannelView[]> {
  let q = ctx.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id').innerJoin('aggregators as a', 'a.id', 'c.aggregator_id')
    .select(['co.card_id', 'c.aggregator_id', 'a.title as aggregator_title', 'c.place', 'c.place_sort', 'c.number', 'c.title', 'c.operator', 'co.desired', 'co.position', 'co.channel', 'co.status_code', 'co.status_at'])
    .where((eb) => eb.or([eb('co.desired', '=', 'online'), eb('co.position', '=', 'ONLINE')]));
  if (aggregatorId !== undefined) q = q.where('c.aggregator_id', '=', aggregatorId);
  const pools = scopePools(p);
  if (pools) q = q.where('co.card_id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', pools));
  const rows = await q.orderBy('c.aggregator_id').orderBy('co.channel').orderBy('c.place_sort').limit(2000).execute();
  return rows.map((r) => ({
    cardId: r.card_id, aggregatorId: r.aggregator_id, aggregatorTitle: r.aggregator_title, place: r.place, number: r.number, title: r.title,
    operator: r.operator, desired: r.desired, position: r.position, channel: r.channel, statusCode: r.status_code, statusAt: r.status_at,
  }));
}

export type PutOnlineResult = { ok: true; online: string[]; refused: string[]; released: string[] } | { ok: false; code: 'NOT_FOUND' | 'VALIDATION'; message: string };

/**
 * Puts the chosen cards of one aggregator online. With `replace` (the legacy "On" button) the
 * aggregator's other online cards go offline first; otherwise only cards that fit beside the
 * online ones are taken. Cards that cannot be online together are reported as refused.
 */
export async function putOnline(ctx: AdminCtx, p: Principal, cardIds: readonly number[], replace: boolean): Promise<PutOnlineResult> {
  if (cardIds.length === 0) return { ok: false, code: 'VALIDATION', message: 'no cards chosen' };
  let cq = ctx.db.selectFrom('cards').select(['id', 'aggregator_id', 'place']).where('id', 'in', [...cardIds]);
  const pools = scopePools(p);
  if (pools) cq = cq.where('id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', pools));
  const cards = await cq.execute();
  if (cards.length === 0) return { ok: false, code: 'NOT_FOUND', message: 'no such cards' };
  const aggIds = new Set(cards.map((c) => c.aggregator_id));
  if (aggIds.size > 1) return { ok: false, code: 'VALIDATION', message: 'choose cards of one aggregator at a time' };
  const aggregatorId = cards[0]!.aggregator_id;
  const a = await ctx.db.selectFrom('aggregators').select(['model', 'settings']).where('id', '=', aggregatorId).executeTakeFirstOrThrow();
  const m = modelOf(a);
  if (!m) return { ok: false, code: 'VALIDATION', message: `unknown model ${a.model}` };
  const current = await ctx.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id')
    .select(['co.card_id', 'c.place', 'co.channel']).where('co.aggregator_id', '=', aggregatorId).where('co.desired', '=', 'online').execute();
  const parse = (place: string): Place | null => { const r = m.model.parsePlace(place, m.settings); return r.ok ? r.value : null; };
  const keyOf = (pl: Place) => `${pl.line}:${pl.slot}`;
  const chosenIds = new Set(cardIds);
  // With their channels: the channel pins the SR-Train carriage row, as in the pool API's allocation.
  const keep: OnlineCard[] = [];
  if (!replace) for (const c of current) { const pl = chosenIds.has(c.card_id) ? null : parse(c.place); if (pl) keep.push({ place: pl, channel: c.channel }); }
  const candidates = cards.map((c) => ({ c, pl: parse(c.place) })).filter((x): x is { c: typeof cards[number]; pl: Place } => x.pl !== null);
  const fit = new Set(chooseOnline(m.model, m.settings, { online: keep, candidates: candidates.map((x) => x.pl), want: 'max' }).map(keyOf));
  const chosen = candidates.filter((x) => fit.has(keyOf(x.pl))).map((x) => x.c);
  const refused = cards.filter((c) => !chosen.includes(c)).map((c) => c.place);
  const now = ctx.clock.now();
  const release = replace ? current.filter((c) => !chosen.some((x) => x.id === c.card_id)) : [];
  await ctx.db.transaction().execute(async (tx) => {
    if (release.length) {
      await tx.updateTable('card_online')
        .set({ desired: 'offline', status_code: null, status_at: now, channel: null, generation: sql<number>`generation + 1`, updated_at: now })
        .where('card_id', 'in', release.map((r) => r.card_id)).execute();
    }
    for (const c of chosen) {
      if (current.some((x) => x.card_id === c.id)) continue;
      await tx.insertInto('card_online').values({
        card_id: c.id, aggregator_id: c.aggregator_id, desired: 'online', opened_by_pool: null, opened_at: now,
        channel: null, status_code: -3, status_at: now, generation: 1, updated_at: now,
      }).onConflict((oc) => oc.column('card_id').doUpdateSet({
        aggregator_id: c.aggregator_id, desired: 'online', opened_by_pool: null, opened_at: now, channel: null,
        status_code: -3, status_at: now, ring_caller: null, ring_at: null, grab_calls: 0, generation: sql<number>`card_online.generation + 1`, updated_at: now,
      })).execute();
    }
  });
  return { ok: true, online: chosen.map((c) => c.place), refused, released: release.map((r) => r.place) };
}

/** Takes cards offline: the given ones, or every online card of an aggregator. */
export async function takeOffline(ctx: AdminCtx, p: Principal, sel: { cardIds?: number[]; aggregatorId?: number }): Promise<number> {
  const now = ctx.clock.now();
  let q = ctx.db.updateTable('card_online')
    .set({ desired: 'offline', status_code: null, status_at: now, channel: null, generation: sql<number>`generation + 1`, updated_at: now })
    .where('desired', '=', 'online');
  if (sel.cardIds) q = q.where('card_id', 'in', sel.cardIds.length ? sel.cardIds : [0]);
  if (sel.aggregatorId !== undefined) q = q.where('aggregator_id', '=', sel.aggregatorId);
  const pools = scopePools(p);
  if (pools) q = q.where('card_id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', pools));
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
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
        const r = await putOnline(ctx, who(req), b.cardIds, b.replace);
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
        const n = await takeOffline(ctx, who(req), b);
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
