/**
 * The pool API's reads of pool state: getPoolStatus, getAgregators, getOperators and getNumbers
 * (from a per-pool snapshot kept in memory; answers memoised per filter until the next change),
 * SIM statuses (direct indexed queries).
 *
 * Keeping the snapshot current (it is never rebuilt per request):
 * - changes made through this service's allocation (openNumber(s), closeNumber) are patched in
 *   narrowly: `cardsChanged(ids)` queues the card ids; the next read re-reads only those cards
 *   and the online cards of their aggregators (indexed), and recomputes only those aggregators'
 *   share of getPoolStatus;
 * - membership changes, poolRestart and `invalidate()` (admin edits of cards, aggregators,
 *   operators) bump the epoch: the next read rebuilds;
 * - changes made elsewhere (another node on the same PostgreSQL database) show after
 *   SNAPSHOT_TTL_MS at the latest, or at once when that node's change is relayed here and
 *   `PoolService.cardsChanged(ids)` / `invalidate()` is called.
 */
import { capacity, planOnline } from '../../models/index.ts';
import type { OnlineCard } from '../../models/index.ts';
import type { PoolCtx } from './context.ts';
import { filterKey, matchesFilters } from './filters.ts';
import type { NumberFilters } from './filters.ts';
import { placeOf } from './fleet.ts';
import type { FleetView } from './fleet.ts';
import { groupOnline } from './online.ts';
import { poolCardQuery, resolvePoolNumbers, toPoolCard } from './resolve.ts';
import type { PoolCard } from './resolve.ts';
import { simStatus } from './status.ts';
import type { SimStatus } from './status.ts';

/**
 * How long a pool snapshot is reused when nothing changed through this service. Every change of
 * this service is applied at once (patched or rebuilt); the TTL only bounds how long changes made
 * elsewhere (a scan filling in numbers or operators, an edit on another node) take to show in
 * getPoolStatus / getAgregators / getOperators.
 */
export const SNAPSHOT_TTL_MS = 30_000;
/** More queued card changes than this rebuild the snapshot instead of patching it. */
const MAX_PATCH = 2_000;

interface SnapRow { cardId: number; aggregatorId: number; place: string; placeSort: number; number: string; operator: string | null; used: boolean; online: boolean }

interface AggShare { total: number; used: number; channels: number }

interface Snapshot {
  at: number;
  epoch: number;
  rows: SnapRow[];
  byCard: Map<number, SnapRow>;
  byAgg: Map<number, SnapRow[]>;
  /** Cards online on each aggregator (any pool), with their channels. */
  online: Map<number, OnlineCard[]>;
  view: FleetView;
  /** Answers per filter; getPoolStatus and getNumbers answers are dropped on every patch. */
  answers: Map<string, unknown>;
  /** Each aggregator's share of the unfiltered getPoolStatus; dropped per patched aggregator. */
  shares: Map<number, AggShare>;
  /** Rows by number, built on first use (numbers only change on a rebuild). */
  byNumber: Map<string, SnapRow> | null;
}

interface Entry { snap: Promise<Snapshot>; pending: Set<number>; patching: Promise<void> | null }

export interface PoolStatus { total: number; used: number; free: number; channels: number }
export interface AggregatorLine { id: number; model: string; numbers: number; channels: number }
export interface OperatorLine { name: string; numbers: number }

export interface NumberLine {
  number: string; place: string; device_id: string; model: string; operator: string; status: 'FREE' | 'USED'; position: 'ONLINE' | 'HOLD';
}

/** Snapshots per pool; the cache belongs to one service instance (no module state). */
export function createPoolViews(ctx: PoolCtx, epoch: () => number) {
  const entries = new Map<number, Entry>();
  const MAX_ANSWERS = 64;

  async function onlineOf(view: FleetView, aggregatorIds: readonly number[] | null): Promise<Map<number, OnlineCard[]>> {
    let q = ctx.store.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id')
      .select(['co.aggregator_id as aggregatorId', 'c.place as place', 'co.channel as channel']).where('co.desired', '=', 'online');
    if (aggregatorIds !== null) q = q.where('co.aggregator_id', 'in', [...aggregatorIds]);
    const online = new Map<number, OnlineCard[]>();
    for (const id of aggregatorIds ?? []) online.set(id, []);
    return groupOnline(view, await q.execute(), online);
  }

  async function load(poolId: number): Promise<Snapshot> {
    const at = ctx.clock.now();
    const e = epoch();
    const view = await ctx.fleet.get();
    const raw = await ctx.store.db.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id')
      .leftJoin('card_online as co', 'co.card_id', 'pc.card_id')
      .select(['pc.card_id as cardId', 'pc.aggregator_id as aggregatorId', 'c.place as place', 'pc.place_sort as placeSort', 'c.number as number', 'c.operator as operator', 'pc.used as used', 'co.desired as desired'])
      .where('pc.pool_id', '=', poolId).where('c.number', 'is not', null)
      .execute();
    // getNumbers' order (by aggregator, then place): each aggregator's rows stay in this order.
    raw.sort((a, b) => a.aggregatorId - b.aggregatorId || a.placeSort - b.placeSort || (a.place < b.place ? -1 : a.place > b.place ? 1 : 0));
    const rows: SnapRow[] = [];
    const byCard = new Map<number, SnapRow>();
    const byAgg = new Map<number, SnapRow[]>();
    for (const r of raw) {
      const row = { cardId: r.cardId, aggregatorId: r.aggregatorId, place: r.place, placeSort: r.placeSort, number: r.number ?? '', operator: r.operator, used: Number(r.used) === 1, online: r.desired === 'online' };
      rows.push(row);
      byCard.set(row.cardId, row);
      const list = byAgg.get(row.aggregatorId);
      if (list) list.push(row); else byAgg.set(row.aggregatorId, [row]);
    }
    return { at, epoch: e, rows, byCard, byAgg, online: await onlineOf(view, null), view, answers: new Map(), shares: new Map(), byNumber: null };
  }

  /** Re-reads the queued cards of this pool and the online cards of their aggregators. */
  async function patch(poolId: number, entry: Entry): Promise<void> {
    const s = await entry.snap;
    while (entry.pending.size > 0) {
      const ids = [...entry.pending];
      entry.pending.clear();
      const aggs = new Set<number>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await ctx.store.db.selectFrom('pool_cards as pc').leftJoin('card_online as co', 'co.card_id', 'pc.card_id')
          .select(['pc.card_id as cardId', 'pc.used as used', 'co.desired as desired', 'co.aggregator_id as onlineOn'])
          .where('pc.pool_id', '=', poolId).where('pc.card_id', 'in', ids.slice(i, i + 500)).execute();
        for (const r of rows) {
          const row = s.byCard.get(r.cardId);
          if (!row) continue;
          row.used = Number(r.used) === 1;
          row.online = r.desired === 'online';
          aggs.add(row.aggregatorId);
          if (r.onlineOn !== null) aggs.add(r.onlineOn);
        }
      }
      // Online cards of other pools count too: re-read every touched aggregator's online set.
      for (const id of ids) { const row = s.byCard.get(id); if (row) aggs.add(row.aggregatorId); }
      if (aggs.size > 0) {
        const online = await onlineOf(s.view, [...aggs]);
        for (const [id, list] of online) { if (list.length > 0) s.online.set(id, list); else s.online.delete(id); s.shares.delete(id); }
      }
      for (const k of [...s.answers.keys()]) if (k.startsWith('status') || k.startsWith('nums')) s.answers.delete(k);
    }
  }

  async function snapshot(poolId: number): Promise<Snapshot> {
    const cur = entries.get(poolId);
    if (cur) {
      const s = await cur.snap.catch(() => null);
      if (entries.get(poolId) !== cur) return snapshot(poolId);
      if (s && s.epoch === epoch() && ctx.clock.now() - s.at <= SNAPSHOT_TTL_MS && cur.pending.size <= MAX_PATCH) {
        if (cur.pending.size === 0 && !cur.patching) return s;
        if (!cur.patching) {
          cur.patching = patch(poolId, cur).finally(() => { cur.patching = null; });
          cur.patching.catch(() => { if (entries.get(poolId) === cur) entries.delete(poolId); });
        }
        await cur.patching;
        return snapshot(poolId);
      }
    }
    const entry: Entry = { snap: load(poolId), pending: new Set(), patching: null };
    entries.set(poolId, entry);
    if (entries.size > 256) { const first = entries.keys().next(); if (!first.done) entries.delete(first.value); }
    entry.snap.catch(() => { if (entries.get(poolId) === entry) entries.delete(poolId); });
    return entry.snap;
  }

  function memo<T>(s: Snapshot, key: string, compute: () => T): T {
    if (s.answers.has(key)) return s.answers.get(key) as T;
    const v = compute();
    if (s.answers.size >= MAX_ANSWERS) s.answers.clear();
    s.answers.set(key, v);
    return v;
  }

  /** One aggregator's share: counts, and how many of its FREE offline numbers could go online now. */
  function share(s: Snapshot, aggId: number, rows: readonly SnapRow[]): AggShare {
    let total = 0; let used = 0;
    const free: SnapRow[] = [];
    for (const r of rows) {
      total++;
      if (r.used) used++;
      else if (!r.online) free.push(r);
    }
    const info = s.view.aggregators.get(aggId);
    if (free.length === 0 || !info?.model) return { total, used, channels: 0 };
    const online = s.online.get(aggId) ?? [];
    // The most that could be added is bounded by the model's free capacity: plan on a growing
    // prefix of the candidates and stop as soon as the bound is reached (most aggregators
    // need only their first few candidates).
    const bound = online.length === 0 ? ctx.fleet.channelsOf(info) : capacity(info.model, info.settings, online);
    if (bound === 0) return { total, used, channels: 0 };
    const cands = free.flatMap((r) => { const p = placeOf(info, r.place); return p ? [p] : []; });
    for (let k = bound; ; k *= 2) {
      const got = planOnline(info.model, info.settings, { online, candidates: cands.slice(0, k), want: 'max' }).places.length;
      if (got >= bound || k >= cands.length) return { total, used, channels: got };
    }
  }

  const unfiltered = (f: NumberFilters) => f.deviceIds === null && f.operators === null && f.exceptions.length === 0;

  return {
    /** Queues cards whose USED flag or online state changed (patched into snapshots on the next read). */
    cardsChanged(cardIds: readonly number[]): void {
      for (const e of entries.values()) for (const id of cardIds) e.pending.add(id);
    },

    /** getPoolStatus: counts, and how many FREE numbers could be online together right now. */
    async poolStatus(poolId: number, f: NumberFilters): Promise<PoolStatus> {
      const s = await snapshot(poolId);
      return memo(s, 'status' + filterKey(f), () => {
        let total = 0; let used = 0; let channels = 0;
        for (const [aggId, rows] of s.byAgg) {
          let sh: AggShare;
          if (unfiltered(f)) {
            const cached = s.shares.get(aggId);
            sh = cached ?? share(s, aggId, rows);
            if (!cached) s.shares.set(aggId, sh);
          } else {
            if (f.deviceIds !== null && !f.deviceIds.includes(aggId)) continue;
            sh = share(s, aggId, rows.filter((r) => matchesFilters(r, f, s.view.countryCodes)));
          }
          total += sh.total; used += sh.used; channels += sh.channels;
        }
        return { total, used, free: total - used, channels };
      });
    },

    /** getAgregators: aggregators holding pool numbers (after the filter), by id. */
    async aggregators(poolId: number, f: NumberFilters): Promise<AggregatorLine[]> {
      const s = await snapshot(poolId);
      return memo(s, 'aggs' + filterKey(f), () => {
        const counts = new Map<number, number>();
        for (const r of s.rows) if (matchesFilters(r, f, s.view.countryCodes)) counts.set(r.aggregatorId, (counts.get(r.aggregatorId) ?? 0) + 1);
        return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([id, numbers]) => {
          const info = s.view.aggregators.get(id);
          return { id, model: info?.modelTitle ?? '', numbers, channels: info ? ctx.fleet.channelsOf(info) : 0 };
        });
      });
    },

    /** getOperators: operator names of the pool's numbers, by name. */
    async operators(poolId: number, f: NumberFilters): Promise<OperatorLine[]> {
      const s = await snapshot(poolId);
      return memo(s, 'ops' + filterKey(f), () => {
        const counts = new Map<string, number>();
        for (const r of s.rows) {
          if (r.operator === null || r.operator === '' || !matchesFilters(r, f, s.view.countryCodes)) continue;
          counts.set(r.operator, (counts.get(r.operator) ?? 0) + 1);
        }
        return [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([name, numbers]) => ({ name, numbers }));
      });
    },

    /**
     * getNumbers: the pool's numbers by aggregator then place; `position` keeps ONLINE or HOLD
     * only. The same array is returned until the next change (callers must not modify it).
     */
    async numbers(poolId: number, f: NumberFilters, position: 'ONLINE' | 'HOLD' | null): Promise<readonly NumberLine[]> {
      const s = await snapshot(poolId);
      return memo(s, `nums${position ?? ''}${filterKey(f)}`, () => {
        const out: NumberLine[] = [];
        for (const [aggId, rows] of s.byAgg) {
          if (f.deviceIds !== null && !f.deviceIds.includes(aggId)) continue;
          const model = s.view.aggregators.get(aggId)?.modelTitle ?? '';
          const deviceId = String(aggId);
          for (const r of rows) {
            if ((position === 'ONLINE' && !r.online) || (position === 'HOLD' && r.online)) continue;
            if (!matchesFilters(r, f, s.view.countryCodes)) continue;
            out.push({
              number: r.number, place: r.place, device_id: deviceId, model, operator: r.operator ?? '',
              status: r.used ? 'USED' : 'FREE', position: r.online ? 'ONLINE' : 'HOLD',
            });
          }
        }
        return out;
      });
    },

    /**
     * The pool cards that read actions answer about (getSms, getLastSms, getCall, getSimStatus),
     * as `resolvePoolNumbers` finds them. On SQLite (one node: every change of online state goes
     * through this process's pool service, so the snapshot knows it) a number held exactly by a
     * card that is not online comes from the snapshot (an exact match always wins; a card not
     * online is INACTIVE whatever else its row says). Numbers of online cards, any other, and
     * every number on PostgreSQL (another node's openNumber reaches this snapshot only when
     * relayed) are resolved in the store, with their live status.
     */
    async readCards(poolId: number, numbers: readonly string[]): Promise<Map<string, PoolCard & { model: string }>> {
      if (ctx.store.dialect !== 'sqlite') return resolvePoolNumbers(ctx.store.db, ctx.store.dialect, poolId, numbers);
      const s = await snapshot(poolId);
      if (!s.byNumber) { s.byNumber = new Map(); for (const r of s.rows) s.byNumber.set(r.number, r); }
      const out = new Map<string, PoolCard & { model: string }>();
      const rest: string[] = [];
      for (const n of numbers) {
        const r = s.byNumber.get(n);
        if (!r || r.online) { rest.push(n); continue; }
        out.set(n, {
          cardId: r.cardId, aggregatorId: r.aggregatorId, place: r.place, number: r.number, operator: r.operator, used: r.used,
          desired: null, openedByPool: null, statusCode: null, ringCaller: null, ringAt: null, lastHeardAt: null,
          model: s.view.aggregators.get(r.aggregatorId)?.modelTitle ?? '',
        });
      }
      if (rest.length > 0) for (const [n, c] of await resolvePoolNumbers(ctx.store.db, ctx.store.dialect, poolId, rest)) out.set(n, c);
      return out;
    },

    /** The API status of a resolved pool card now (the one mapping of status.ts). */
    statusOf(card: PoolCard & { model?: string }, view: FleetView): SimStatus {
      const info = view.aggregators.get(card.aggregatorId);
      return simStatus({
        desired: card.desired, statusCode: card.statusCode, ringCaller: card.ringCaller, ringAt: card.ringAt,
        lastHeardAt: card.lastHeardAt, reportsCalls: info?.model?.reportsCalls ?? false,
      }, ctx.clock.now());
    },

    /** Cards of the pool that are online now (clearSimStorage). */
    async onlineCards(poolId: number): Promise<PoolCard[]> {
      const rows = await poolCardQuery(ctx.store.db, poolId).where('co.desired', '=', 'online').execute();
      return rows.map(toPoolCard);
    },
  };
}

export type PoolViews = ReturnType<typeof createPoolViews>;
