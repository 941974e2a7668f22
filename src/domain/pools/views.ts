/**
 * The pool API's reads of pool state: getPoolStatus, getAgregators, getOperators (from a per-pool
 * snapshot, cached until the next change or FLEET_TTL_MS), getNumbers and SIM statuses (direct
 * indexed queries).
 */
import { capacity, planOnline } from '../../models/index.ts';
import type { Place } from '../../models/index.ts';
import type { PoolCtx } from './context.ts';
import { filterKey, filterSql, matchesFilters } from './filters.ts';
import type { NumberFilters } from './filters.ts';
import { placeOf } from './fleet.ts';
import type { FleetView } from './fleet.ts';
import { poolCardQuery, toPoolCard } from './resolve.ts';
import type { PoolCard } from './resolve.ts';
import { simStatus } from './status.ts';
import type { SimStatus } from './status.ts';

/**
 * How long a pool snapshot is reused when nothing changed through this service. Every write of
 * the pools service invalidates at once; the TTL only bounds how long changes made elsewhere
 * (a scan filling in numbers or operators, an edit on another node) take to show in
 * getPoolStatus / getAgregators / getOperators.
 */
export const SNAPSHOT_TTL_MS = 30_000;

interface SnapRow { cardId: number; aggregatorId: number; place: string; number: string; operator: string | null; used: boolean; online: boolean }

interface Snapshot {
  at: number;
  epoch: number;
  rows: SnapRow[];
  /** Places online on each aggregator (any pool). */
  online: Map<number, Place[]>;
  view: FleetView;
  answers: Map<string, unknown>;
}

export interface PoolStatus { total: number; used: number; free: number; channels: number }
export interface AggregatorLine { id: number; model: string; numbers: number; channels: number }
export interface OperatorLine { name: string; numbers: number }

export interface NumberLine {
  number: string; place: string; device_id: string; model: string; operator: string; status: 'FREE' | 'USED'; position: 'ONLINE' | 'HOLD';
}

/** Snapshots per pool; the cache belongs to one service instance (no module state). */
export function createPoolViews(ctx: PoolCtx, epoch: () => number) {
  const snaps = new Map<number, Promise<Snapshot>>();
  const MAX_ANSWERS = 64;

  async function load(poolId: number): Promise<Snapshot> {
    const at = ctx.clock.now();
    const e = epoch();
    const view = await ctx.fleet.get();
    const raw = await ctx.store.db.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id')
      .leftJoin('card_online as co', 'co.card_id', 'pc.card_id')
      .select(['pc.card_id as cardId', 'pc.aggregator_id as aggregatorId', 'c.place as place', 'c.number as number', 'c.operator as operator', 'pc.used as used', 'co.desired as desired'])
      .where('pc.pool_id', '=', poolId).where('c.number', 'is not', null)
      .execute();
    const rows = raw.map((r) => ({ cardId: r.cardId, aggregatorId: r.aggregatorId, place: r.place, number: r.number ?? '', operator: r.operator, used: Number(r.used) === 1, online: r.desired === 'online' }));
    const onlineRows = await ctx.store.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id')
      .select(['co.aggregator_id as aggregatorId', 'c.place as place']).where('co.desired', '=', 'online').execute();
    const online = new Map<number, Place[]>();
    for (const r of onlineRows) {
      const info = view.aggregators.get(r.aggregatorId);
      const p = info ? placeOf(info, r.place) : null;
      if (!p) continue;
      const list = online.get(r.aggregatorId) ?? [];
      list.push(p);
      online.set(r.aggregatorId, list);
    }
    return { at, epoch: e, rows, online, view, answers: new Map() };
  }

  async function snapshot(poolId: number): Promise<Snapshot> {
    const cur = snaps.get(poolId);
    if (cur) {
      const s = await cur.catch(() => null);
      if (s && s.epoch === epoch() && ctx.clock.now() - s.at <= SNAPSHOT_TTL_MS) return s;
      if (snaps.get(poolId) !== cur) return snapshot(poolId);
    }
    const p = load(poolId);
    snaps.set(poolId, p);
    if (snaps.size > 256) { const first = snaps.keys().next(); if (!first.done) snaps.delete(first.value); }
    p.catch(() => { if (snaps.get(poolId) === p) snaps.delete(poolId); });
    return p;
  }

  function memo<T>(s: Snapshot, key: string, compute: () => T): T {
    if (s.answers.has(key)) return s.answers.get(key) as T;
    const v = compute();
    if (s.answers.size >= MAX_ANSWERS) s.answers.clear();
    s.answers.set(key, v);
    return v;
  }

  return {
    /** getPoolStatus: counts, and how many FREE numbers could be online together right now. */
    async poolStatus(poolId: number, f: NumberFilters): Promise<PoolStatus> {
      const s = await snapshot(poolId);
      return memo(s, 'status' + filterKey(f), () => {
        let total = 0; let used = 0;
        const freeByAgg = new Map<number, SnapRow[]>();
        for (const r of s.rows) {
          if (!matchesFilters(r, f, s.view.countryCodes)) continue;
          total++;
          if (r.used) { used++; continue; }
          if (r.online) continue;
          const list = freeByAgg.get(r.aggregatorId) ?? [];
          list.push(r);
          freeByAgg.set(r.aggregatorId, list);
        }
        let channels = 0;
        for (const [aggId, list] of freeByAgg) {
          const info = s.view.aggregators.get(aggId);
          if (!info?.model) continue;
          const online = s.online.get(aggId) ?? [];
          // The most that could be added is bounded by the model's free capacity: plan on a growing
          // prefix of the candidates and stop as soon as the bound is reached (most aggregators
          // need only their first few candidates).
          const bound = online.length === 0 ? ctx.fleet.channelsOf(info) : capacity(info.model, info.settings, online);
          if (bound === 0) continue;
          const cands = list.flatMap((r) => { const p = placeOf(info, r.place); return p ? [p] : []; });
          for (let k = bound; ; k *= 2) {
            const got = planOnline(info.model, info.settings, { online, candidates: cands.slice(0, k), want: 'max' }).places.length;
            if (got >= bound || k >= cands.length) { channels += got; break; }
          }
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

    /** getNumbers: the pool's numbers by aggregator then place; `position` keeps ONLINE or HOLD only. */
    async numbers(poolId: number, f: NumberFilters, position: 'ONLINE' | 'HOLD' | null): Promise<NumberLine[]> {
      const view = await ctx.fleet.get();
      let q = ctx.store.db.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id')
        .innerJoin('aggregators as a', 'a.id', 'pc.aggregator_id')
        .leftJoin('card_online as co', 'co.card_id', 'pc.card_id')
        .select(['c.number as number', 'c.place as place', 'pc.aggregator_id as aggregatorId', 'a.model as model', 'c.operator as operator', 'pc.used as used', 'co.desired as desired'])
        .where('pc.pool_id', '=', poolId).where(filterSql(f, view.countryCodes));
      if (position === 'ONLINE') q = q.where('co.desired', '=', 'online');
      if (position === 'HOLD') q = q.where((eb) => eb.or([eb('co.desired', 'is', null), eb('co.desired', '<>', 'online')]));
      const rows = await q.orderBy('pc.aggregator_id').orderBy('pc.place_sort').orderBy('c.place').execute();
      return rows.map((r) => ({
        number: r.number ?? '', place: r.place, device_id: String(r.aggregatorId), model: r.model, operator: r.operator ?? '',
        status: Number(r.used) === 1 ? 'USED' as const : 'FREE' as const,
        position: r.desired === 'online' ? 'ONLINE' as const : 'HOLD' as const,
      }));
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
