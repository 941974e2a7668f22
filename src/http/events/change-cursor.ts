/**
 * "Rows changed since the last look" by `updated_at`, for the store watch: a keyset cursor
 * (updated_at, id), so a burst of more rows than one page holds is read page after page instead
 * of skipped, and — where writers commit out of time order — a look-back.
 *
 * On PostgreSQL a writer stamps updated_at before its transaction commits, and other nodes'
 * writers commit in parallel: a row stamped 10:00:00.100 may become visible after one stamped
 * .200 was read. Each look therefore starts `lagMs` before the newest time it has read, and a row
 * is reported only when its state differs from the one reported for it last. SQLite has one
 * writer, so `lagMs` is 0 there.
 */
export interface ChangeCursorOptions {
  /** Rows stamped before this time are old. */
  start: number;
  lagMs: number;
}

export interface CursorPosition { at: number; id: number }

export class ChangeCursor {
  #at: number;
  #id = 0;
  readonly #lag: number;
  /** Per row id: the updated_at and state last reported (only rows inside the look-back). */
  readonly #reported = new Map<number, { at: number; state: string }>();

  constructor(o: ChangeCursorOptions) {
    this.#at = o.start;
    this.#lag = o.lagMs;
  }

  /** Where the next look starts: rows with (updated_at, id) greater than this. */
  position(): CursorPosition {
    return this.#lag === 0 ? { at: this.#at, id: this.#id } : { at: this.#at - this.#lag, id: 0 };
  }

  /**
   * A row read (in (updated_at, id) order): true when its state is news. `state` is what the
   * reader publishes of the row; the same state at the same time is not reported twice.
   */
  seen(id: number, at: number, state: string): boolean {
    if (at > this.#at || (at === this.#at && id > this.#id)) { this.#at = at; this.#id = id; }
    if (this.#lag === 0) return true;
    const last = this.#reported.get(id);
    if (last && last.at === at && last.state === state) return false;
    this.#reported.set(id, { at, state });
    return true;
  }

  /** After a look: forgets rows that fell out of the look-back. */
  settle(): void {
    const oldest = this.#at - this.#lag;
    for (const [id, r] of this.#reported) if (r.at < oldest) this.#reported.delete(id);
  }
}
