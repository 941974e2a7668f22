/** What every pool operation works with (STYLE.md §10: services are factories, time injected). */
import type { Store } from '../../store/open-store.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Fleet } from './fleet.ts';
import type { WriteBatcher } from '../../store/write-batch.ts';

export interface PoolCtx {
  readonly store: Store;
  readonly clock: Clock;
  readonly fleet: Fleet;
  /**
   * The pool API's short write transactions (openNumber, closeNumber): on SQLite, concurrent ones
   * share one commit (store/write-batch.ts). Inside, use only the given transaction.
   */
  readonly batch: WriteBatcher;
  /**
   * Called after every committed write that changes pool membership, USED flags or online state.
   * With card ids: only those cards' USED flag or online state changed (views patch them in);
   * without: anything may have changed (views rebuild).
   */
  changed(cardIds?: readonly number[]): void;
}

export type PoolResult<T, C extends string> = { ok: true; value: T } | { ok: false; error: { code: C; message: string } };

export function fail<C extends string>(code: C, message: string): { ok: false; error: { code: C; message: string } } {
  return { ok: false, error: { code, message } };
}
