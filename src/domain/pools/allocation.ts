/**
 * openNumber / openNumbers / closeNumber / poolRestart: the pool API's writes. Each records
 * desired state (card_online, pool_cards.used) in one write transaction and never waits on a
 * device. Allocation is atomic: SQLite serialises it (BEGIN IMMEDIATE); PostgreSQL locks the
 * aggregator row it allocates on (FOR UPDATE, SKIP LOCKED first), so different aggregators
 * allocate in parallel and one aggregator never exceeds its model's capacity.
 */
import { sql } from 'kysely';
import { capacity } from '../../models/index.ts';
import type { OnlineCard } from '../../models/index.ts';
import { lockAggregator, writeTransaction } from '../../store/write-transaction.ts';
import type { Tx } from '../../store/write-transaction.ts';
import type { PoolCtx } from './context.ts';
import { filterSql } from './filters.ts';
import type { NumberFilters } from './filters.ts';
import type { FleetView } from './fleet.ts';
import { fitOnline, onlineByAggregator, onlineOn, writeOffline, writeOfflineByNumber, writeOnline } from './online.ts';
import { resolvePoolNumbers } from './resolve.ts';
import { matchesFilters } from './filters.ts';

export type OpenOneResult = { ok: true; number: string } | { ok: false; code: 'BUSY' | 'NO_NUMBERS' };
export type OpenManyResult = { ok: true; numbers: string[] } | { ok: false; code: 'NO_CHANNELS' | 'NO_NUMBERS' };

export interface OpenRequest {
  /** Requested numbers (digits); empty = any. openNumber uses the first. */
  numbers: readonly string[];
  filters: NumberFilters;
  /** `mode=repeat`: USED numbers are eligible too. */
  repeat: boolean;
}

interface Candidate { cardId: number; aggregatorId: number; place: string; number: string; used: boolean }

/** Eligible cards of the pool on one aggregator, FREE first, then place order. */
async function candidatesOn(tx: Tx, ctx: PoolCtx, view: FleetView, poolId: number, aggregatorId: number, req: OpenRequest, limit?: number): Promise<Candidate[]> {
  let q = tx.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id')
    .leftJoin('card_online as co', 'co.card_id', 'pc.card_id')
    .select(['pc.card_id as cardId', 'pc.aggregator_id as aggregatorId', 'c.place as place', 'c.number as number', 'pc.used as used'])
    .where('pc.pool_id', '=', poolId).where('pc.aggregator_id', '=', aggregatorId)
    .where((eb) => eb.or([eb('co.desired', 'is', null), eb('co.desired', '<>', 'online')]))
    .where(filterSql(req.filters, view.countryCodes));
  if (!req.repeat) q = q.where('pc.used', '=', 0);
  // card_id breaks place_sort ties (none among valid places): it is in the allocation index, where
  // c.place made SQLite sort every candidate in a temporary b-tree.
  q = q.orderBy('pc.used').orderBy('pc.place_sort').orderBy('pc.card_id');
  const rows = await (limit === undefined ? q : q.limit(limit)).execute();
  return rows.map((r) => ({ cardId: r.cardId, aggregatorId: r.aggregatorId, place: r.place, number: r.number ?? '', used: Number(r.used) === 1 }));
}

/** The next aggregator (id > after) holding an eligible card of the pool, or undefined. */
async function nextAggregator(tx: Tx, view: FleetView, poolId: number, after: number, req: OpenRequest): Promise<number | undefined> {
  let q = tx.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id')
    .leftJoin('card_online as co', 'co.card_id', 'pc.card_id')
    .select('pc.aggregator_id as id')
    .where('pc.pool_id', '=', poolId).where('pc.aggregator_id', '>', after)
    .where((eb) => eb.or([eb('co.desired', 'is', null), eb('co.desired', '<>', 'online')]))
    .where(filterSql(req.filters, view.countryCodes));
  if (!req.repeat) q = q.where('pc.used', '=', 0);
  const r = await q.orderBy('pc.aggregator_id').orderBy('pc.place_sort').limit(1).executeTakeFirst();
  return r?.id;
}

/** A first page of candidates read by the walk; `complete` when it holds all of its aggregator's. */
interface FirstPage { cands: Candidate[]; complete: boolean }

/**
 * FREE eligible cards of the pool on the first aggregator (id > after) that has any, in place
 * order, at most `limit`: the walk's probe and planOn's first page in one indexed read
 * (pool_cards_alloc_ix, used = 0). Not for `mode=repeat` (USED cards order differently there).
 */
async function firstFreePage(tx: Tx, view: FleetView, poolId: number, after: number, req: OpenRequest, limit: number): Promise<{ aggregatorId: number; page: FirstPage } | undefined> {
  // Raw: this runs on every openNumber, and building the Kysely query costs more than running it.
  // Ordered entirely by pool_cards_alloc_ix (card_id breaks place_sort ties, of which valid places
  // have none), with a literal LIMIT: measured on SQLite, a c.place tie-break (a temporary b-tree)
  // and a bound LIMIT made this read 2.5 times slower.
  const { rows } = await sql<{ cardId: number; aggregatorId: number; place: string; number: string | null }>`
    select pc.card_id as "cardId", pc.aggregator_id as "aggregatorId", c.place as place, c.number as number
    from pool_cards pc inner join cards c on c.id = pc.card_id left join card_online co on co.card_id = pc.card_id
    where pc.pool_id = ${poolId} and pc.used = 0 and pc.aggregator_id > ${after}
      and (co.desired is null or co.desired <> 'online') and ${filterSql(req.filters, view.countryCodes)}
    order by pc.aggregator_id, pc.place_sort, pc.card_id limit ${sql.lit(Math.floor(limit))}`.execute(tx);
  const first = rows[0];
  if (!first) return undefined;
  const cands = rows.filter((r) => r.aggregatorId === first.aggregatorId)
    .map((r) => ({ cardId: r.cardId, aggregatorId: r.aggregatorId, place: r.place, number: r.number ?? '', used: false }));
  return { aggregatorId: first.aggregatorId, page: { cands, complete: rows.length < limit || cands.length < rows.length } };
}

/** Whether any card of the pool matches the filters and the USED rule, online or not (BUSY vs NO_NUMBERS). */
async function anyMatching(tx: Tx, view: FleetView, poolId: number, req: OpenRequest): Promise<boolean> {
  let q = tx.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id')
    .select('pc.card_id').where('pc.pool_id', '=', poolId).where(filterSql(req.filters, view.countryCodes));
  if (!req.repeat) q = q.where('pc.used', '=', 0);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/** Marks the chosen cards USED in this pool and online (./online.ts writes the online state). */
async function markOpened(tx: Tx, ctx: PoolCtx, poolId: number, chosen: ReadonlyArray<{ cardId: number; aggregatorId: number; channel: number | null }>, touched: number[]): Promise<void> {
  const now = ctx.clock.now();
  for (const c of chosen) touched.push(c.cardId);
  for (const c of chosen) await sql`update pool_cards set used = 1, used_at = ${now} where pool_id = ${poolId} and card_id = ${c.cardId}`.execute(tx);
  await writeOnline(tx, now, chosen, poolId);
}

/**
 * Picks what can go online on one aggregator (locked on PostgreSQL): up to `want` of the
 * eligible candidates, without taking any online card offline.
 */
async function planOn(
  tx: Tx, ctx: PoolCtx, view: FleetView, poolId: number, aggregatorId: number, req: OpenRequest, want: number | 'max',
  restrictTo?: ReadonlySet<number>, knownOnline?: OnlineCard[], firstPage?: FirstPage,
): Promise<{ chosen: Array<Candidate & { channel: number | null }>; hadCandidates: boolean }> {
  const info = view.aggregators.get(aggregatorId);
  if (!info || !info.model) return { chosen: [], hadCandidates: false };
  const online = knownOnline ?? await onlineOn(tx, info);
  // Small pages usually decide a small `want` (planOnline costs per candidate); the full list
  // only when they do not. A prefetched first page (the walk's own query) replaces the first read.
  const pages: Array<number | undefined> = want === 'max' || restrictTo ? [undefined] : [Math.max(4, want * 2), Math.max(64, want * 8), undefined];
  for (const [pageNo, limit] of pages.entries()) {
    const pre = pageNo === 0 ? firstPage : undefined;
    let cands = pre ? pre.cands : await candidatesOn(tx, ctx, view, poolId, aggregatorId, req, limit);
    if (restrictTo) cands = cands.filter((c) => restrictTo.has(c.cardId));
    if (cands.length === 0) return { chosen: [], hadCandidates: false };
    const chosen = fitOnline(info, online, cands, want);
    if (limit === undefined || chosen.length >= (want as number) || (pre ? pre.complete : cands.length < limit)) return { chosen, hadCandidates: true };
  }
  return { chosen: [], hadCandidates: false };
}

/**
 * Walks the pool's aggregators in id order, skipping runs of aggregators whose model capacity is
 * taken (one index probe per run, not per aggregator): yields each aggregator that holds an
 * eligible card and could take one more card online.
 */
function fullCheck(ctx: PoolCtx, view: FleetView, online: Map<number, OnlineCard[]>): (id: number) => boolean {
  const full = new Map<number, boolean>();
  return (id: number): boolean => {
    let f = full.get(id);
    if (f === undefined) {
      const info = view.aggregators.get(id);
      const places = online.get(id) ?? [];
      // As many online as the model's parallel streams: full, without planning (the common case).
      f = !info?.model || (places.length > 0
        && (places.length >= ctx.fleet.channelsOf(info) || capacity(info.model, info.settings, places) === 0));
      full.set(id, f);
    }
    return f;
  };
}

async function* walkAggregators(ctx: PoolCtx, tx: Tx, view: FleetView, poolId: number, req: OpenRequest, online: Map<number, OnlineCard[]>): AsyncGenerator<number> {
  const ids = [...view.aggregators.keys()].sort((a, b) => a - b);
  const isFull = fullCheck(ctx, view, online);
  let i = 0;
  for (;;) {
    while (i < ids.length && isFull(ids[i]!)) i++;
    if (i >= ids.length) return;
    const next = await nextAggregator(tx, view, poolId, ids[i]! - 1, req);
    if (next === undefined) return;
    while (i < ids.length && ids[i]! <= next) i++;
    if (!isFull(next)) yield next;
  }
}

/** openNumber with a number: that card, if eligible and it can go online now. */
async function openGiven(ctx: PoolCtx, view: FleetView, poolId: number, req: OpenRequest, wanted: string, touched: number[]): Promise<OpenOneResult> {
  const { dialect } = ctx.store;
  return ctx.batch.run(async (tx): Promise<OpenOneResult> => {
    const card = (await resolvePoolNumbers(tx, dialect, poolId, [wanted])).get(wanted);
    if (!card || !matchesFilters(card, req.filters, view.countryCodes)) return { ok: false, code: 'NO_NUMBERS' };
    if (card.used && !req.repeat) return { ok: false, code: 'NO_NUMBERS' };
    await lockAggregator(tx, dialect, card.aggregatorId);
    const again = (await resolvePoolNumbers(tx, dialect, poolId, [wanted])).get(wanted);
    if (!again) return { ok: false, code: 'NO_NUMBERS' };
    if (again.desired === 'online') {
      if (req.repeat && again.openedByPool === poolId) {
        await tx.updateTable('pool_cards').set({ used: 1, used_at: ctx.clock.now() }).where('pool_id', '=', poolId).where('card_id', '=', again.cardId).execute();
        touched.push(again.cardId);
        return { ok: true, number: again.number };
      }
      return { ok: false, code: 'BUSY' };
    }
    const { chosen } = await planOn(tx, ctx, view, poolId, again.aggregatorId, { ...req, repeat: true }, 1, new Set([again.cardId]));
    if (chosen.length === 0) return { ok: false, code: 'BUSY' };
    await markOpened(tx, ctx, poolId, chosen, touched);
    return { ok: true, number: again.number };
  });
}

/**
 * One attempt on one aggregator, in its own transaction holding only that aggregator's lock
 * (PostgreSQL): `skipLocked` gives up at once when another allocation holds it.
 */
async function tryAggregator(ctx: PoolCtx, view: FleetView, poolId: number, aggId: number, req: OpenRequest, skipLocked: boolean, touched: number[]): Promise<string | null | 'locked'> {
  return writeTransaction(ctx.store, async (tx) => {
    if (!(await lockAggregator(tx, ctx.store.dialect, aggId, skipLocked))) return 'locked' as const;
    const first = (await planOn(tx, ctx, view, poolId, aggId, req, 1)).chosen[0];
    if (!first) return null;
    await markOpened(tx, ctx, poolId, [first], touched);
    return first.number;
  });
}

/** openNumber (api.md §3). */
export async function openNumber(ctx: PoolCtx, poolId: number, req: OpenRequest): Promise<OpenOneResult> {
  const view = await ctx.fleet.get();
  const touched: number[] = [];
  const wanted = req.numbers[0];
  let result: OpenOneResult;
  if (wanted !== undefined) {
    result = await openGiven(ctx, view, poolId, req, wanted, touched);
  } else if (ctx.store.dialect === 'sqlite') {
    // SQLite: one serialised write transaction (shared with concurrent ones: ctx.batch) walks
    // the aggregators in order.
    result = await ctx.batch.run(async (tx): Promise<OpenOneResult> => {
      const online = await onlineByAggregator(tx, view);
      if (!req.repeat) {
        // One read per aggregator visited: the probe for the next aggregator with FREE cards is
        // also the first page of its candidates.
        const ids = [...view.aggregators.keys()].sort((a, b) => a - b);
        const isFull = fullCheck(ctx, view, online);
        for (let i = 0; ;) {
          while (i < ids.length && isFull(ids[i]!)) i++;
          if (i >= ids.length) break;
          const next = await firstFreePage(tx, view, poolId, ids[i]! - 1, req, 4);
          if (!next) break;
          while (i < ids.length && ids[i]! <= next.aggregatorId) i++;
          if (isFull(next.aggregatorId)) continue;
          const first = (await planOn(tx, ctx, view, poolId, next.aggregatorId, req, 1, undefined, online.get(next.aggregatorId) ?? [], next.page)).chosen[0];
          if (first) { await markOpened(tx, ctx, poolId, [first], touched); return { ok: true, number: first.number }; }
        }
        return { ok: false, code: (await anyMatching(tx, view, poolId, req)) ? 'BUSY' : 'NO_NUMBERS' };
      }
      for await (const aggId of walkAggregators(ctx, tx, view, poolId, req, online)) {
        const first = (await planOn(tx, ctx, view, poolId, aggId, req, 1, undefined, online.get(aggId) ?? [])).chosen[0];
        if (first) { await markOpened(tx, ctx, poolId, [first], touched); return { ok: true, number: first.number }; }
      }
      return { ok: false, code: (await anyMatching(tx, view, poolId, req)) ? 'BUSY' : 'NO_NUMBERS' };
    });
  } else {
    // PostgreSQL: plan without locks, then claim one aggregator at a time (SKIP LOCKED first,
    // waiting only for aggregators that were held), so parallel clients spread over aggregators
    // and no transaction ever holds two aggregator locks.
    const db = ctx.store.db;
    const skipped: number[] = [];
    let found: string | null = null;
    const online = await onlineByAggregator(db, view);
    for await (const aggId of walkAggregators(ctx, db, view, poolId, req, online)) {
      if ((await planOn(db, ctx, view, poolId, aggId, req, 1, undefined, online.get(aggId) ?? [])).chosen.length === 0) continue;
      const r = await tryAggregator(ctx, view, poolId, aggId, req, true, touched);
      if (r === 'locked') { skipped.push(aggId); continue; }
      found = r;
      if (found !== null) break;
    }
    for (const aggId of skipped) {
      if (found !== null) break;
      const r = await tryAggregator(ctx, view, poolId, aggId, req, false, touched);
      if (r !== 'locked') found = r;
    }
    result = found !== null ? { ok: true, number: found }
      : { ok: false, code: (await anyMatching(db, view, poolId, req)) ? 'BUSY' : 'NO_NUMBERS' };
  }
  // After the commit: the views re-read these cards (a rolled-back attempt only costs a re-read).
  if (touched.length > 0) ctx.changed(touched);
  return result;
}

/** openNumbers (api.md §3): `channels` = exact count, or 'max'. Spans aggregators. */
export async function openNumbers(ctx: PoolCtx, poolId: number, req: OpenRequest, channels: number | 'max'): Promise<OpenManyResult> {
  const view = await ctx.fleet.get();
  const touched: number[] = [];
  const { dialect } = ctx.store;
  const result = await writeTransaction(ctx.store, async (tx): Promise<OpenManyResult> => {
    let restrict: Set<number> | undefined;
    let aggIds: number[] = [];
    if (req.numbers.length > 0) {
      const found = await resolvePoolNumbers(tx, dialect, poolId, req.numbers);
      const cards = [...found.values()].filter((c) => matchesFilters(c, req.filters, view.countryCodes) && (req.repeat || !c.used));
      restrict = new Set(cards.map((c) => c.cardId));
      aggIds = [...new Set(cards.map((c) => c.aggregatorId))].sort((a, b) => a - b);
    } else {
      for (let after = -1; ;) {
        const id = await nextAggregator(tx, view, poolId, after, req);
        if (id === undefined) break;
        aggIds.push(id);
        after = id;
      }
    }
    const chosen: Array<{ cardId: number; aggregatorId: number; number: string; channel: number | null }> = [];
    let anyCandidate = false;
    for (const aggId of aggIds) {
      const remaining = channels === 'max' ? 'max' : channels - chosen.length;
      if (remaining !== 'max' && remaining <= 0) break;
      await lockAggregator(tx, dialect, aggId);
      const r = await planOn(tx, ctx, view, poolId, aggId, req, remaining, restrict);
      anyCandidate ||= r.hadCandidates;
      chosen.push(...r.chosen);
    }
    if (chosen.length === 0) {
      const matching = restrict ? restrict.size > 0 : anyCandidate || await anyMatching(tx, view, poolId, req);
      return { ok: false, code: matching ? 'NO_CHANNELS' : 'NO_NUMBERS' };
    }
    if (channels !== 'max' && chosen.length < channels) return { ok: false, code: 'NO_CHANNELS' };
    await markOpened(tx, ctx, poolId, chosen, touched);
    return { ok: true, numbers: chosen.map((c) => c.number) };
  });
  if (touched.length > 0) ctx.changed(touched);
  return result;
}

/** closeNumber (api.md §3): idempotent; BAD_NUMBER only when none of the numbers is in the pool. */
export async function closeNumbers(ctx: PoolCtx, poolId: number, numbers: readonly string[]): Promise<{ ok: true } | { ok: false; code: 'BAD_NUMBER' }> {
  // One number held exactly by a card of the pool, online (the usual call): one statement, as an
  // exact match always wins the matching rule (api.md §1). Anything else resolves first.
  if (numbers.length === 1) {
    const done = await ctx.batch.run((tx) => writeOfflineByNumber(tx, ctx.clock.now(), poolId, numbers[0]!));
    if (done.length > 0) { ctx.changed(done); return { ok: true }; }
  }
  // No transaction: the read decides only which cards; taking them offline is one idempotent
  // UPDATE per 500 cards (guarded by desired = 'online'), whatever happened in between.
  const found = await resolvePoolNumbers(ctx.store.db, ctx.store.dialect, poolId, numbers);
  if (found.size === 0) return { ok: false, code: 'BAD_NUMBER' };
  const ids = [...found.values()].map((c) => c.cardId);
  const changed = await ctx.batch.run((tx) => writeOffline(tx, ctx.clock.now(), ids));
  if (changed.length > 0) ctx.changed(changed);
  return { ok: true };
}

/** poolRestart (api.md §3): every number FREE; unless `keep`, the pool's online cards back to HOLD. */
export async function restartPool(ctx: PoolCtx, poolId: number, keep: boolean): Promise<void> {
  await writeTransaction(ctx.store, async (tx) => {
    await tx.updateTable('pool_cards').set({ used: 0, used_at: null }).where('pool_id', '=', poolId).where('used', '=', 1).execute();
    if (!keep) {
      const now = ctx.clock.now();
      await tx.updateTable('card_online')
        .set({ desired: 'offline', status_code: null, status_at: now, channel: null, ring_caller: null, ring_at: null, grab_calls: 0, generation: sql<number>`generation + 1`, updated_at: now })
        .where('desired', '=', 'online')
        .where('card_id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', '=', poolId))
        .execute();
    }
  });
  ctx.changed();
}
