/**
 * Group commit for the pool API's short write transactions (openNumber, closeNumber).
 *
 * SQLite has one writer: concurrent allocations queue for the connection anyway, and each paid
 * for its own `BEGIN IMMEDIATE … COMMIT` (a WAL append of every page it touched). Here, the
 * pieces submitted in one turn of the event loop (and while a transaction runs) run one after
 * another inside ONE transaction (at most `maxPerCommit`); every caller is answered
 * only after that COMMIT, so no answer ever precedes its commit and each piece still sees the
 * committed effect of the ones before it (allocation stays atomic: pieces never interleave).
 * A piece that throws rolls the whole transaction back; it is rejected alone, and the pieces that
 * had run with it run again in a fresh transaction (so a piece must be safe to run again).
 *
 * PostgreSQL: every piece is its own `writeTransaction` (connections work in parallel there).
 *
 *   const batch = createWriteBatcher(store);
 *   const id = await batch.run((tx) => …);   // tx: use only tx inside, never store.db
 */
import type { Store } from './open-store.ts';
import { writeTransaction } from './write-transaction.ts';
import type { Tx } from './write-transaction.ts';

export interface WriteBatcher {
  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

interface Piece { fn: (tx: Tx) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }

export const MAX_PER_COMMIT = 64;

export function createWriteBatcher(store: Store, maxPerCommit = MAX_PER_COMMIT): WriteBatcher {
  if (store.dialect !== 'sqlite') return { run: (fn) => writeTransaction(store, fn) };
  const queue: Piece[] = [];
  let draining = false;
  let scheduled = false;

  /** One transaction over the head of the queue; settles what it ran. */
  async function once(): Promise<void> {
    const ran: Array<{ p: Piece; value: unknown }> = [];
    const state: { failed: { p: Piece; err: unknown } | null } = { failed: null };
    try {
      await writeTransaction(store, async (tx) => {
        while (queue.length > 0 && ran.length < maxPerCommit) {
          const p = queue.shift()!;
          try { ran.push({ p, value: await p.fn(tx) }); } catch (err) { state.failed = { p, err }; throw err; }
        }
      });
    } catch (err) {
      const failed = state.failed;
      if (failed === null) { for (const r of ran) r.p.reject(err); return; } // begin or commit failed
      failed.p.reject(failed.err);
      queue.unshift(...ran.map((r) => r.p)); // rolled back with it: run again
      return;
    }
    for (const r of ran) r.p.resolve(r.value);
  }

  async function drain(): Promise<void> {
    draining = true;
    try { while (queue.length > 0) await once(); } finally { draining = false; }
  }

  return {
    run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        // Start after the requests read in this turn of the event loop have queued theirs too (a
        // piece runs to its commit in microtasks, before the next request is even parsed).
        if (!draining && !scheduled) {
          scheduled = true;
          setImmediate(() => { scheduled = false; if (!draining) void drain(); });
        }
      });
    },
  };
}
