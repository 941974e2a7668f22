/**
 * The filters the pool API applies to a pool's numbers (`device_id`, `operator`,
 * `phone_exception`), as bound SQL fragments over the aliases `pc` (pool_cards) and `c` (cards).
 * No request text is ever spliced into SQL: every value is a parameter.
 */
import { sql } from 'kysely';
import type { RawBuilder, SqlBool } from 'kysely';
import { excludedByPrefix } from './numbers.ts';

export interface NumberFilters {
  /** Aggregator ids; null = any. An empty array matches nothing (every id given was invalid). */
  readonly deviceIds: readonly number[] | null;
  /** Operator names, compared case-insensitively with `cards.operator`; null = any. */
  readonly operators: readonly string[] | null;
  /** Number prefixes to leave out (api.md `phone_exception`). */
  readonly exceptions: readonly string[];
}

export const NO_FILTERS: NumberFilters = Object.freeze({ deviceIds: null, operators: null, exceptions: [] });

/** Parses a `device_id` list: integers only; null when the parameter is absent or empty. */
export function parseDeviceIds(items: readonly string[]): number[] | null {
  if (items.length === 0) return null;
  return items.filter((s) => /^\d{1,9}$/.test(s)).map(Number);
}

export function parseOperators(items: readonly string[]): string[] | null {
  return items.length === 0 ? null : items.map((s) => s.toLowerCase());
}

/** SQL condition for the filters; `countryCodes` widen the exceptions (api.md: with and without the country code). */
export function filterSql(f: NumberFilters, countryCodes: readonly string[]): RawBuilder<SqlBool> {
  const parts: RawBuilder<unknown>[] = [sql`c.number is not null`];
  if (f.deviceIds !== null) {
    // `pc.used in (0, 1)` is always true; it lets the planner use (pool_id, used, aggregator_id, …)
    // for the aggregator filter instead of walking the whole pool (SQLite without statistics).
    parts.push(f.deviceIds.length === 0 ? sql`1 = 0` : sql`pc.used in (0, 1) and pc.aggregator_id in (${sql.join([...f.deviceIds])})`);
  }
  if (f.operators !== null) {
    parts.push(f.operators.length === 0 ? sql`1 = 0` : sql`lower(c.operator) in (${sql.join([...f.operators])})`);
  }
  for (const p of f.exceptions) {
    parts.push(sql`c.number not like ${p + '%'}`);
    for (const cc of countryCodes) parts.push(sql`c.number not like ${cc + p + '%'}`);
  }
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/** The same filters in JS, for rows already loaded (snapshots). */
export function matchesFilters(
  row: { aggregatorId: number; operator: string | null; number: string },
  f: NumberFilters, countryCodes: readonly string[],
): boolean {
  if (f.deviceIds !== null && !f.deviceIds.includes(row.aggregatorId)) return false;
  if (f.operators !== null && (row.operator === null || !f.operators.includes(row.operator.toLowerCase()))) return false;
  if (f.exceptions.length > 0 && excludedByPrefix(row.number, f.exceptions, countryCodes)) return false;
  return true;
}

/** A stable key of the filters, for caching answers per filter. */
export function filterKey(f: NumberFilters): string {
  return JSON.stringify([f.deviceIds, f.operators, f.exceptions]);
}
