/**
 * Exclusive access to one device (device-link.md §2.4, §12): an async mutex instead of the
 * legacy lock files. A holder keeps the device for its window (default 30 s; SMS 60 s, answer
 * 20 s…); when the window ends the lock passes to the next waiter even if the holder has not
 * released it, and the stale holder learns that from `expired`. Waiters are served in order.
 */
import type { Clock, TimerHandle } from '../../lib/clock.ts';

/** Default exclusive window, ms (legacy `sr_command` lock). */
export const DEFAULT_WINDOW_MS = 30_000;

/** Named transactions of the online console (legacy codes), with their usual windows in ms. */
export const TRANSACTIONS = Object.freeze({
  SMS: 60_000,
  USSD: 60_000,
  CALL: 60_000,
  ANSWER: 20_000,
  COMMAND: DEFAULT_WINDOW_MS,
});

/** A granted lock. */
export interface Lease {
  /** Transaction name (`SMS`, `USSD`, `CALL`, `COMMAND`, …). */
  readonly name: string;
  /** Clock time at which the window ends, ms. */
  readonly expiresAt: number;
  /** True once the window ended or the lease was released. */
  readonly expired: boolean;
  /** Gives the device back; idempotent. */
  release(): void;
}

interface Queued {
  readonly name: string;
  readonly windowMs: number;
  readonly resolve: (l: Lease | null) => void;
}

export class DeviceMutex {
  private current: { lease: Lease; timer: TimerHandle } | null = null;
  private queue: Queued[] = [];
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /**
   * Waits for the device and takes it for `windowMs` (default 30 s). Resolves null when `signal`
   * aborts before the lock is granted, or the mutex is closed.
   */
  acquire(name: string, opts: { windowMs?: number; signal?: AbortSignal } = {}): Promise<Lease | null> {
    if (this.closed || opts.signal?.aborted) return Promise.resolve(null);
    const windowMs = Math.max(1, opts.windowMs ?? DEFAULT_WINDOW_MS);
    return new Promise((resolve) => {
      const q: Queued = { name, windowMs, resolve };
      this.queue.push(q);
      opts.signal?.addEventListener('abort', () => {
        const i = this.queue.indexOf(q);
        if (i >= 0) { this.queue.splice(i, 1); resolve(null); }
      }, { once: true });
      this.grant();
    });
  }

  /** Name of the current holder, or null. */
  get holder(): string | null {
    return this.current?.lease.name ?? null;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Ends the current lease and refuses every waiter (channel closed). */
  close(): void {
    this.closed = true;
    this.current?.lease.release();
    for (const q of this.queue.splice(0)) q.resolve(null);
  }

  private grant(): void {
    if (this.current || this.closed) return;
    const q = this.queue.shift();
    if (!q) return;
    const expiresAt = this.clock.now() + q.windowMs;
    const state = { done: false };
    const end = (): void => {
      if (state.done) return;
      state.done = true;
      this.clock.clearTimeout(timer);
      if (this.current?.lease === lease) this.current = null;
      this.grant();
    };
    const lease: Lease = {
      name: q.name,
      expiresAt,
      get expired() { return state.done; },
      release: end,
    };
    const timer = this.clock.setTimeout(end, q.windowMs);
    this.current = { lease, timer };
    q.resolve(lease);
  }
}
