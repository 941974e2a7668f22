/**
 * The outgoing FIFO of one device and the `carrier_limit` hold rule (device-link.md §2.1):
 * one command released per poll, strictly in queue order; after a command is released with no
 * answer outstanding, further commands keep flowing for `L` ms, then the panel holds (empty body
 * while commands wait) until the device sends any non-`REQUEST` payload or 2.3 × `L` passes, after which the hold is
 * dropped and commands flow again.
 *
 * Done right compared with the legacy `link.php`: the incoming payload is processed *before* the
 * dispatch, so a command released in the same poll that carried an answer arms the hold timer too
 * (legacy left it unarmed), and the poll that ends a 2.3 × L hold is served at once instead of
 * being answered with an empty body.
 */

/** A command waiting in the queue. */
export interface Outgoing {
  readonly step: number;
  readonly text: string;
}

/** What one poll gets from the outbox. */
export type Dispatch =
  | { readonly kind: 'command'; readonly command: Outgoing }
  | { readonly kind: 'idle' }
  /** Holding: a released command is unanswered for more than `L`; answer with an empty body. */
  | { readonly kind: 'hold'; readonly since: number };

/** Factor of `carrier_limit` after which a hold is given up (legacy "Ready to restart!"). */
export const HOLD_RESET_FACTOR = 2.3;

export class Outbox {
  private queue: Outgoing[] = [];
  /** When the unanswered release that arms the hold happened; null = nothing unanswered. */
  private armedAt: number | null = null;

  /** @param carrierLimitMs legacy `carrier_limit` in ms (default 120 s). */
  constructor(private readonly carrierLimitMs: number) {}

  push(c: Outgoing): void {
    this.queue.push(c);
  }

  /** Removes a queued command (timed out or cancelled before release); true if it was queued. */
  remove(step: number): boolean {
    const i = this.queue.findIndex((c) => c.step === step);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  /** Empties the queue and returns what was in it (legacy `sr_command_clear`). */
  clear(): Outgoing[] {
    const dropped = this.queue;
    this.queue = [];
    return dropped;
  }

  /** Moves the queued commands with this text to the back of the queue (same steps); returns how many. */
  postpone(text: string): number {
    const moved = this.queue.filter((c) => c.text === text);
    if (moved.length > 0) this.queue = [...this.queue.filter((c) => c.text !== text), ...moved];
    return moved.length;
  }

  /** True when a command with this text is queued. */
  hasText(text: string): boolean {
    return this.queue.some((c) => c.text === text);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Steps queued, in order. */
  get steps(): number[] {
    return this.queue.map((c) => c.step);
  }

  /** True when the hold is armed (a released command has not been answered). */
  get awaitingDevice(): boolean {
    return this.armedAt !== null;
  }

  /**
   * One poll: `payload` is true when the device sent anything but `REQUEST` (an answer or an
   * unsolicited message) — that clears the hold first. Then releases at most one command.
   */
  poll(now: number, payload: boolean): Dispatch {
    if (payload) this.armedAt = null;
    if (this.armedAt !== null) {
      const age = now - this.armedAt;
      if (age >= HOLD_RESET_FACTOR * this.carrierLimitMs) this.armedAt = null;
      // Nothing to hold back when the queue is empty: answer a plain idle body (legacy sent an
      // empty one), the hold stays armed.
      else if (age >= this.carrierLimitMs) return this.queue.length > 0 ? { kind: 'hold', since: this.armedAt } : { kind: 'idle' };
    }
    const command = this.queue.shift();
    if (!command) return { kind: 'idle' };
    if (this.armedAt === null) this.armedAt = now;
    return { kind: 'command', command };
  }
}
