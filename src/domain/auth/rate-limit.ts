/**
 * Sliding-window failure counter for sign-in (panel-features.md §4.1 item 4: no rate limiting, no
 * lockout). Keys are strings like `addr:127.0.0.1` or `login:admin`; each key may fail `limit`
 * times per `windowMs`, after which `check` answers how long to wait. Memory is bounded: at most
 * `maxKeys` keys are tracked, the oldest dropped first. Time comes from the injected clock.
 */
import type { Clock } from '../../lib/clock.ts';

export interface RateLimiter {
  /** 0 when the key may try now, otherwise milliseconds until it may. */
  check(key: string): number;
  /** Records one failure for the key. */
  fail(key: string): void;
  /** Forgets the key's failures (a successful sign-in). */
  reset(key: string): void;
}

export interface RateLimitOptions { limit: number; windowMs: number; maxKeys?: number }

export function createRateLimiter(clock: Clock, opts: RateLimitOptions): RateLimiter {
  const maxKeys = opts.maxKeys ?? 10_000;
  const failures = new Map<string, number[]>();

  function recent(key: string): number[] {
    const since = clock.now() - opts.windowMs;
    const list = (failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) failures.delete(key); else failures.set(key, list);
    return list;
  }

  return {
    check(key) {
      const list = recent(key);
      if (list.length < opts.limit) return 0;
      const oldest = list[list.length - opts.limit] ?? clock.now();
      return Math.max(1, oldest + opts.windowMs - clock.now());
    },
    fail(key) {
      const list = recent(key);
      list.push(clock.now());
      failures.delete(key);
      failures.set(key, list.slice(-opts.limit));
      while (failures.size > maxKeys) {
        const first = failures.keys().next();
        if (first.done) break;
        failures.delete(first.value);
      }
    },
    reset(key) { failures.delete(key); },
  };
}
