/**
 * What the admin-side domain functions return: a value or a typed failure, never a throw for
 * expected problems. The failure codes are the suffixes of the HTTP catalogue (`NOT_FOUND` →
 * `SIMNAV_ERR_NOT_FOUND`, src/http/errors.ts), so the boundary maps them without a table.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../../store/schema.ts';
import type { Clock } from '../../lib/clock.ts';

export type FailureCode = 'NOT_FOUND' | 'CONFLICT' | 'LAST_ADMIN' | 'VALIDATION' | 'UNKNOWN_MODEL' | 'BAD_PLACE' | 'FORBIDDEN';

export interface Failure { code: FailureCode; message?: string }

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Failure };

export function done<T>(value: T): Outcome<T> { return { ok: true, value }; }

export function failed<T = never>(code: FailureCode, message?: string): Outcome<T> {
  return message === undefined ? { ok: false, error: { code } } : { ok: false, error: { code, message } };
}

/** What every admin domain function needs: the database and the clock. */
export interface AdminCtx { readonly db: Kysely<Db>; readonly clock: Clock }

/** True for a UNIQUE violation on SQLite (better-sqlite3) or PostgreSQL (pg, SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Escapes `%`, `_` and `\` for a LIKE pattern used with `escape '\'`. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
