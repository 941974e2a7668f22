/**
 * Finds the pool's cards for requested numbers with the matching rule of api.md §1 (equal
 * digits, or a suffix of ≥ 10 digits), through two indexes: the exact number and its last 10 digits.
 */
import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import type { Db } from '../../store/schema.ts';
import type { Dialect } from '../../store/dialect.ts';
import { numberTail as tailSql } from '../../store/migrations/0001-initial.ts';
import { MIN_SUFFIX_DIGITS, numbersMatch, numberTail } from './numbers.ts';

/** A card of a pool with everything the API answers about it. */
export interface PoolCard {
  cardId: number;
  aggregatorId: number;
  place: string;
  number: string;
  operator: string | null;
  used: boolean;
  /** `card_online.desired`, null when never online. */
  desired: string | null;
  openedByPool: number | null;
  statusCode: number | null;
  ringCaller: string | null;
  ringAt: number | null;
  lastHeardAt: number | null;
}

/** Select list shared by every query that returns PoolCard rows (aliases pc, c, co, a). */
export function poolCardQuery(db: Kysely<Db>, poolId: number) {
  return db.selectFrom('pool_cards as pc')
    .innerJoin('cards as c', 'c.id', 'pc.card_id')
    .innerJoin('aggregators as a', 'a.id', 'pc.aggregator_id')
    .leftJoin('card_online as co', 'co.card_id', 'pc.card_id')
    .select([
      'pc.card_id as cardId', 'pc.aggregator_id as aggregatorId', 'c.place as place', 'c.number as number',
      'c.operator as operator', 'pc.used as used', 'co.desired as desired', 'co.opened_by_pool as openedByPool',
      'co.status_code as statusCode', 'co.ring_caller as ringCaller', 'co.ring_at as ringAt', 'a.last_heard_at as lastHeardAt',
      'a.model as model', 'c.place_sort as placeSort',
    ])
    .where('pc.pool_id', '=', poolId);
}

export type PoolCardRaw = Awaited<ReturnType<ReturnType<typeof poolCardQuery>['execute']>>[number];

/**
 * The same rows as `poolCardQuery(db, poolId).where(cond)`, as one raw statement: the hot path of
 * closeNumber, getSms, getSimStatus… (building a Kysely query costs more than running this one).
 */
export async function poolCardsWhere(db: Kysely<Db>, poolId: number, cond: RawBuilder<unknown>): Promise<PoolCardRaw[]> {
  const r = await sql<PoolCardRaw>`select pc.card_id as "cardId", pc.aggregator_id as "aggregatorId", c.place as place, c.number as number,
    c.operator as operator, pc.used as used, co.desired as desired, co.opened_by_pool as "openedByPool", co.status_code as "statusCode",
    co.ring_caller as "ringCaller", co.ring_at as "ringAt", a.last_heard_at as "lastHeardAt", a.model as model, c.place_sort as "placeSort"
    from pool_cards pc inner join cards c on c.id = pc.card_id inner join aggregators a on a.id = pc.aggregator_id
    left join card_online co on co.card_id = pc.card_id
    where pc.pool_id = ${poolId} and ${cond}`.execute(db);
  return r.rows;
}

export function toPoolCard(r: PoolCardRaw): PoolCard {
  return {
    cardId: r.cardId, aggregatorId: r.aggregatorId, place: r.place, number: r.number ?? '', operator: r.operator,
    used: Number(r.used) === 1, desired: r.desired, openedByPool: r.openedByPool, statusCode: r.statusCode,
    ringCaller: r.ringCaller, ringAt: r.ringAt, lastHeardAt: r.lastHeardAt,
  };
}

/**
 * For each requested number (digits), the pool card it names, or nothing. An exact match wins
 * over a suffix match; among suffix matches the lowest card id.
 */
export async function resolvePoolNumbers(
  db: Kysely<Db>, dialect: Dialect, poolId: number, requested: readonly string[],
): Promise<Map<string, PoolCard & { model: string }>> {
  const out = new Map<string, PoolCard & { model: string }>();
  if (requested.length === 0) return out;
  const exact = new Set<string>();
  for (const n of requested) {
    exact.add(n);
    for (let i = 1; n.length - i >= MIN_SUFFIX_DIGITS; i++) exact.add(n.slice(i));
  }
  // One join driven by the unique number index (cards_number_uq, then the pool's primary key);
  // the tail index only for requested numbers that no card equals exactly (an exact match wins,
  // so the usual full-number request costs one query).
  const rows: PoolCardRaw[] = [];
  const exactList = [...exact];
  for (let i = 0; i < exactList.length; i += 500) {
    rows.push(...await poolCardsWhere(db, poolId, sql`c.number in (${sql.join(exactList.slice(i, i + 500))})`));
  }
  const equal = new Set(rows.map((r) => r.number));
  const tails = new Set<string>();
  for (const n of requested) if (n.length >= MIN_SUFFIX_DIGITS && !equal.has(n)) tails.add(numberTail(n));
  const tailList = [...tails];
  const seen = new Set(rows.map((r) => r.cardId));
  for (let i = 0; i < tailList.length; i += 500) {
    const more = await poolCardsWhere(db, poolId, sql`${tailSql(dialect)} in (${sql.join(tailList.slice(i, i + 500))})`);
    for (const r of more) if (!seen.has(r.cardId)) { seen.add(r.cardId); rows.push(r); }
  }
  rows.sort((a, b) => a.cardId - b.cardId);
  for (const n of requested) {
    let best: PoolCardRaw | undefined;
    for (const r of rows) {
      if (r.number === null || !numbersMatch(n, r.number)) continue;
      if (r.number === n) { best = r; break; }
      best ??= r;
    }
    if (best) out.set(n, { ...toPoolCard(best), model: best.model });
  }
  return out;
}
