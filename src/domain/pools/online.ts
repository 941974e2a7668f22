/**
 * Desired online state of cards (`card_online.desired`): the one place that decides what fits
 * beside the cards already online (the model's combination rule, `planOnline` of src/models) and
 * writes it. Both "put online" paths use it: the pool API's allocation (openNumber, openNumbers,
 * ./allocation.ts) and the console's Online page (`putCardsOnline` below, served by
 * src/http/console-api/online.ts). Writes run inside the caller's write transaction with the
 * aggregator locked (`lockAggregator`), so two paths never overfill one aggregator.
 */
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import { planOnline } from '../../models/index.ts';
import type { OnlineCard } from '../../models/index.ts';
import { lockAggregator, writeTransaction } from '../../store/write-transaction.ts';
import type { Tx } from '../../store/write-transaction.ts';
import type { PoolCtx } from './context.ts';
import { placeOf } from './fleet.ts';
import type { AggregatorInfo, FleetView } from './fleet.ts';

/** A card (desired) online, with the channel it was seated on (the SR-Train carriage row). */
export interface OnlineRow extends OnlineCard { readonly cardId: number; readonly placeText: string }

/** Every card (desired) online on this aggregator, for any pool or the console, with its channel. */
export async function onlineOn(tx: Tx, info: AggregatorInfo): Promise<OnlineRow[]> {
  const { rows } = await sql<{ cardId: number; place: string; channel: number | null }>`
    select co.card_id as "cardId", c.place as place, co.channel as channel
    from card_online co inner join cards c on c.id = co.card_id
    where co.desired = 'online' and co.aggregator_id = ${info.id}`.execute(tx);
  const out: OnlineRow[] = [];
  for (const r of rows) { const p = placeOf(info, r.place); if (p) out.push({ cardId: r.cardId, placeText: r.place, place: p, channel: r.channel }); }
  return out;
}

/** Cards online on every aggregator (any pool), with their channels: one query. */
export async function onlineByAggregator(tx: Tx, view: FleetView): Promise<Map<number, OnlineCard[]>> {
  const { rows } = await sql<{ aggregatorId: number; place: string; channel: number | null }>`
    select co.aggregator_id as "aggregatorId", c.place as place, co.channel as channel
    from card_online co inner join cards c on c.id = co.card_id where co.desired = 'online'`.execute(tx);
  return groupOnline(view, rows);
}

/** Online rows as cards per aggregator (places parsed by the aggregator's model; unknown ones skipped), added to `into`. */
export function groupOnline(view: FleetView, rows: Iterable<{ aggregatorId: number; place: string; channel: number | null }>, into = new Map<number, OnlineCard[]>()): Map<number, OnlineCard[]> {
  for (const r of rows) {
    const info = view.aggregators.get(r.aggregatorId);
    const p = info ? placeOf(info, r.place) : null;
    if (!p) continue;
    const list = into.get(r.aggregatorId) ?? [];
    list.push({ place: p, channel: r.channel });
    into.set(r.aggregatorId, list);
  }
  return into;
}

/**
 * Which candidates (best first, on this aggregator) can go online beside `online` without taking
 * any online card offline: at most `want`, in the candidates' order, each with the channel the
 * model seats it on. Candidates whose place the model does not know are skipped.
 */
export function fitOnline<C extends { place: string }>(
  info: AggregatorInfo, online: readonly OnlineCard[], candidates: readonly C[], want: number | 'max',
): Array<C & { channel: number | null }> {
  if (!info.model) return [];
  const withPlace = candidates.flatMap((c) => { const p = placeOf(info, c.place); return p ? [{ c, p }] : []; });
  const plan = planOnline(info.model, info.settings, { online, candidates: withPlace.map((x) => x.p), want });
  const chosen: Array<C & { channel: number | null }> = [];
  plan.places.forEach((p, i) => {
    const hit = withPlace.find((x) => x.p.line === p.line && x.p.slot === p.slot);
    if (hit) chosen.push({ ...hit.c, channel: plan.seats[i]?.channel ?? null });
  });
  return chosen;
}

/**
 * Records the cards as desired online on their planned channels, status −3 "waiting"
 * (device-link.md §5.2); `openedByPool` is the pool whose API opened them, null for the console.
 */
export async function writeOnline(
  tx: Tx, now: number, chosen: ReadonlyArray<{ cardId: number; aggregatorId: number; channel: number | null }>, openedByPool: number | null,
): Promise<void> {
  for (const c of chosen) {
    await sql`insert into card_online (card_id, aggregator_id, desired, opened_by_pool, opened_at, channel, status_code, status_at, generation, updated_at)
      values (${c.cardId}, ${c.aggregatorId}, 'online', ${openedByPool}, ${now}, ${c.channel}, -3, ${now}, 1, ${now})
      on conflict (card_id) do update set aggregator_id = excluded.aggregator_id, desired = 'online', opened_by_pool = excluded.opened_by_pool,
        opened_at = excluded.opened_at, channel = excluded.channel, status_code = -3, status_at = excluded.status_at, ring_caller = null,
        ring_at = null, grab_calls = 0, generation = card_online.generation + 1, updated_at = excluded.updated_at`.execute(tx);
  }
}

/** Takes the cards that `which` selects offline, if still desired online; resolves to their ids. */
async function offlineWhere(tx: Tx, now: number, which: RawBuilder<unknown>): Promise<number[]> {
  const { rows } = await sql<{ cardId: number }>`update card_online set desired = 'offline', status_code = null, status_at = ${now}, channel = null,
    ring_caller = null, ring_at = null, grab_calls = 0, generation = generation + 1, updated_at = ${now}
    where ${which} and desired = 'online' returning card_id as "cardId"`.execute(tx);
  return rows.map((r) => r.cardId);
}

/** Takes cards offline (idempotent: only rows still desired online change). Resolves to the ids that changed. */
export async function writeOffline(tx: Tx, now: number, cardIds: readonly number[]): Promise<number[]> {
  const changed: number[] = [];
  for (let i = 0; i < cardIds.length; i += 500) changed.push(...await offlineWhere(tx, now, sql`card_id in (${sql.join(cardIds.slice(i, i + 500))})`));
  return changed;
}

/**
 * Takes offline the pool's card whose number is exactly `number`, in one statement; resolves to
 * its id, or to nothing when no such card is online (the caller then resolves the number fully).
 */
export async function writeOfflineByNumber(tx: Tx, now: number, poolId: number, number: string): Promise<number[]> {
  return offlineWhere(tx, now, sql`card_id = (select pc.card_id from cards c inner join pool_cards pc on pc.card_id = c.id and pc.pool_id = ${poolId}
    where c.number = ${number})`);
}

export type PutOnlineResult =
  | { ok: true; online: string[]; refused: string[]; released: string[] }
  | { ok: false; code: 'NOT_FOUND' | 'VALIDATION'; message: string };

/** Pool ids a scoped user may touch (`[0]` matches nothing), or null for every card. */
export function scopeIds(poolScope: readonly number[] | null): number[] | null {
  return poolScope === null ? null : poolScope.length ? [...poolScope] : [0];
}

/**
 * The console's "put online" (panel-features.md §2.9): the chosen cards of one aggregator go
 * online beside the cards online there; with `replace` (the legacy "On" button) the aggregator's
 * other online cards go offline first. Chosen cards already online stay as they are; chosen cards
 * that cannot be online together with the rest are reported as refused.
 */
export async function putCardsOnline(
  ctx: PoolCtx, cardIds: readonly number[], opts: { replace: boolean; poolScope: readonly number[] | null },
): Promise<PutOnlineResult> {
  if (cardIds.length === 0) return { ok: false, code: 'VALIDATION', message: 'no cards chosen' };
  let cq = ctx.store.db.selectFrom('cards').select(['id', 'aggregator_id', 'place']).where('id', 'in', [...cardIds]);
  const pools = scopeIds(opts.poolScope);
  if (pools) cq = cq.where('id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', pools));
  const cards = await cq.orderBy('id').execute();
  if (cards.length === 0) return { ok: false, code: 'NOT_FOUND', message: 'no such cards' };
  if (new Set(cards.map((c) => c.aggregator_id)).size > 1) return { ok: false, code: 'VALIDATION', message: 'choose cards of one aggregator at a time' };
  const aggregatorId = cards[0]!.aggregator_id;
  // The caller's order is the preference order.
  const order = new Map(cardIds.map((id, i) => [id, i]));
  cards.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  let info = (await ctx.fleet.get()).aggregators.get(aggregatorId);
  if (!info) { ctx.fleet.invalidate(); info = (await ctx.fleet.get()).aggregators.get(aggregatorId); } // added moments ago
  if (!info?.model) return { ok: false, code: 'VALIDATION', message: `unknown model ${info?.modelTitle ?? ''}`.trim() };
  const touched: number[] = [];
  const result = await writeTransaction(ctx.store, async (tx) => {
    await lockAggregator(tx, ctx.store.dialect, aggregatorId);
    const current = await onlineOn(tx, info!);
    const chosenIds = new Set(cards.map((c) => c.id));
    const already = current.filter((c) => chosenIds.has(c.cardId));
    const release = opts.replace ? current.filter((c) => !chosenIds.has(c.cardId)) : [];
    const stay = opts.replace ? already : current;
    const alreadyIds = new Set(already.map((c) => c.cardId));
    const fresh = cards.filter((c) => !alreadyIds.has(c.id)).map((c) => ({ cardId: c.id, aggregatorId, place: c.place }));
    const fit = fitOnline(info!, stay, fresh, 'max');
    const now = ctx.clock.now();
    touched.push(...await writeOffline(tx, now, release.map((r) => r.cardId)));
    await writeOnline(tx, now, fit, null);
    touched.push(...fit.map((c) => c.cardId));
    const on = new Set([...alreadyIds, ...fit.map((c) => c.cardId)]);
    return {
      ok: true as const,
      online: cards.filter((c) => on.has(c.id)).map((c) => c.place),
      refused: cards.filter((c) => !on.has(c.id)).map((c) => c.place),
      released: release.map((r) => r.placeText),
    };
  });
  if (touched.length > 0) ctx.changed(touched);
  return result;
}

/** The console's "stop": the given cards, or every online card of an aggregator, go offline. Resolves to the count. */
export async function takeCardsOffline(
  ctx: PoolCtx, sel: { cardIds?: readonly number[]; aggregatorId?: number }, poolScope: readonly number[] | null,
): Promise<number> {
  let q = ctx.store.db.selectFrom('card_online').select('card_id').where('desired', '=', 'online');
  if (sel.cardIds) q = q.where('card_id', 'in', sel.cardIds.length ? [...sel.cardIds] : [0]);
  if (sel.aggregatorId !== undefined) q = q.where('aggregator_id', '=', sel.aggregatorId);
  const pools = scopeIds(poolScope);
  if (pools) q = q.where('card_id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', pools));
  const ids = (await q.execute()).map((r) => r.card_id);
  if (ids.length === 0) return 0;
  const changed = await writeOffline(ctx.store.db, ctx.clock.now(), ids);
  if (changed.length > 0) ctx.changed(changed);
  return changed.length;
}
