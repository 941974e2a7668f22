/**
 * "Rows with an id above the last one seen" for the store watch, without losing rows that commit
 * out of id order.
 *
 * On PostgreSQL an id is taken from the sequence when the row is inserted, not when its
 * transaction commits: the SMS intake of one node may commit id 101 after another node's 102 is
 * already visible. A plain watermark would then move to 102 and never publish 101. Here the ids
 * skipped over are kept as holes and asked for again on each read until they appear, or until
 * `holeTtlMs` has passed (a rolled-back insert leaves a real gap in the sequence forever).
 * SQLite has one writer, so its ids become visible in order: `trackHoles: false` there.
 */
export interface IdWatermarkOptions {
  /** The highest id already published (rows at or below it are old). */
  start: number;
  trackHoles: boolean;
  /** How long a hole is asked for (default 60 s: far beyond any write transaction). */
  holeTtlMs?: number;
  /** At most this many holes are kept; a jump wider than that is not tracked (default 1000). */
  maxHoles?: number;
}

export const HOLE_TTL_MS = 60_000;
export const MAX_HOLES = 1000;

export class IdWatermark {
  #last: number;
  readonly #holes = new Map<number, number>(); // id → when first skipped over
  readonly #track: boolean;
  readonly #ttl: number;
  readonly #max: number;

  constructor(o: IdWatermarkOptions) {
    this.#last = o.start;
    this.#track = o.trackHoles;
    this.#ttl = o.holeTtlMs ?? HOLE_TTL_MS;
    this.#max = o.maxHoles ?? MAX_HOLES;
  }

  /** Ids to read: everything above `after`, and these holes. Expired holes are dropped here. */
  query(now: number): { after: number; holes: number[] } {
    for (const [id, since] of this.#holes) if (now - since > this.#ttl) this.#holes.delete(id);
    return { after: this.#last, holes: [...this.#holes.keys()] };
  }

  /**
   * A row read by the last query (pass them in id order): true when it is new and must be
   * published, false when it was already (a hole can only be filled once).
   */
  accept(id: number, now: number): boolean {
    if (id > this.#last) {
      if (this.#track && id - this.#last - 1 <= this.#max - this.#holes.size) {
        for (let h = this.#last + 1; h < id; h++) this.#holes.set(h, now);
      }
      this.#last = id;
      return true;
    }
    return this.#holes.delete(id);
  }

  get last(): number { return this.#last; }
  get holeCount(): number { return this.#holes.size; }
}
