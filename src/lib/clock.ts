/**
 * Time, injected. Product code never calls Date.now() or setTimeout directly in logic that tests
 * need to drive: it takes a Clock, so timing-heavy flows run in simulated time (ARCHITECTURE.md).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle { readonly id: number }

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

export function realClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal));
        const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
        const onAbort = () => { clearTimeout(t); reject(abortError(signal!)); };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => { timers.delete(id); fn(); }, ms);
      t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(h) {
      const t = timers.get(h.id);
      if (t) { clearTimeout(t); timers.delete(h.id); }
    },
  };
}

interface Pending { id: number; at: number; seq: number; fn: () => void }

/**
 * A clock that only moves when told to. `advance(ms)` fires due timers in time order and lets
 * promise continuations run between them, so async loops progress as they would in real time.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) { this.t = startMs; }

  now(): number { return this.t; }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, at: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }

  clearTimeout(h: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== h.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const h = this.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
      const onAbort = () => { this.clearTimeout(h); reject(abortError(signal!)); };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const due = this.pending[0];
      if (!due || due.at > end) break;
      this.pending.shift();
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await settle();
  }

  /** Number of timers waiting to fire (for assertions that nothing leaked). */
  get timers(): number { return this.pending.length; }
}

/** Lets queued promise continuations (and one macrotask turn) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
