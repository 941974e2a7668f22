/**
 * A write transaction that serialises correctly on both dialects.
 *
 * SQLite: `BEGIN IMMEDIATE` on the store's single connection takes the write lock up front, so
 * read-then-write allocation never races (and never fails half-way on a lock upgrade).
 * PostgreSQL: an ordinary READ COMMITTED transaction; callers lock the rows they decide on
 * (`FOR UPDATE`), and a deadlock or serialization failure is retried here a few times.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Db } from './schema.ts';
import type { Store } from './open-store.ts';

export type Tx = Kysely<Db>;

const RETRYABLE = new Set(['40001', '40P01']);

export async function writeTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.dialect === 'sqlite') {
    return store.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const r = await fn(conn);
        await sql`commit`.execute(conn);
        return r;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute(fn);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (attempt < 5 && typeof code === 'string' && RETRYABLE.has(code)) continue;
      throw e;
    }
  }
}

/** Locks one row of `aggregators` for the rest of the transaction (PostgreSQL only; SQLite is already serialised). */
export async function lockAggregator(tx: Tx, dialect: Store['dialect'], id: number, skipLocked = false): Promise<boolean> {
  if (dialect !== 'postgres') return true;
  const q = tx.selectFrom('aggregators').select('id').where('id', '=', id);
  const row = await (skipLocked ? q.forUpdate().skipLocked() : q.forUpdate()).executeTakeFirst();
  return row !== undefined;
}
