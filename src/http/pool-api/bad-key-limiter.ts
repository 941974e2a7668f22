/**
 * BAD_KEY rate limiting per address (api.md §5): after `limit` unknown keys within the window, an
 * address's further BAD_KEY answers are delayed by `delayMs` (at most `maxWaiting` held per
 * address; beyond that they are answered at once). A valid key is never delayed: the key is
 * checked first, and only a failed check waits.
 */
import type { Clock } from '../../lib/clock.ts';
import { createRateLimiter } from '../../domain/auth/rate-limit.ts';

export interface BadKeyLimiterOptions { limit: number; windowMs: number; delayMs: number; maxWaiting: number }

export const BAD_KEY_DEFAULTS: BadKeyLimiterOptions = { limit: 20, windowMs: 60_000, delayMs: 1_000, maxWaiting: 4 };

export function createBadKeyLimiter(clock: Clock, opts: BadKeyLimiterOptions = BAD_KEY_DEFAULTS) {
  const limiter = createRateLimiter(clock, { limit: opts.limit, windowMs: opts.windowMs, maxKeys: 10_000 });
  const waiting = new Map<string, number>();
  return {
    /** Records a BAD_KEY for the address; resolves when the answer may go out. True when it was delayed. */
    async failed(address: string): Promise<boolean> {
      const over = limiter.check(address) > 0;
      limiter.fail(address);
      if (!over) return false;
      const w = waiting.get(address) ?? 0;
      if (w >= opts.maxWaiting) return true;
      waiting.set(address, w + 1);
      try { await clock.sleep(opts.delayMs); } finally {
        const left = (waiting.get(address) ?? 1) - 1;
        if (left <= 0) waiting.delete(address); else waiting.set(address, left);
      }
      return true;
    },
  };
}
