/**
 * The pools service: one instance per process, holding the short-lived caches (fleet view, pool
 * snapshots). Everything that changes pools or online state goes through it, so its caches see
 * every change; other writers (admin edits of cards, the device runtime's settings) call
 * `invalidate()`.
 *
 * Example:
 *   const pools = createPoolService({ store, clock: realClock() });
 *   const { value } = await pools.create({ title: 'Bots', cardIds: [1, 2, 3] });  // value.key shown once
 */
import type { Store } from '../../store/open-store.ts';
import type { Pool } from '../../store/schema.ts';
import { hashPoolKey } from './keys.ts';
import type { Clock } from '../../lib/clock.ts';
import type { PoolCtx } from './context.ts';
import { createFleet } from './fleet.ts';
import * as m from './membership.ts';
import * as a from './allocation.ts';
import * as o from './online.ts';
import type { NumberFilters } from './filters.ts';
import { createPoolViews } from './views.ts';
import { createSmsOutbox } from './outbox.ts';
import { createWriteBatcher } from '../../store/write-batch.ts';

export interface PoolServiceDeps { store: Store; clock: Clock }

/** How long a pool found by its key is reused without asking the store (bounds how late another node's key rotation shows). */
export const POOL_KEY_TTL_MS = 1_000;

export function createPoolService({ store, clock }: PoolServiceDeps) {
  let epoch = 0;
  const fleet = createFleet(store, clock);
  const changeListeners = new Set<(cardIds?: readonly number[]) => void>();
  const invalidateListeners = new Set<() => void>();
  const ctx: PoolCtx = {
    store, clock, fleet, batch: createWriteBatcher(store),
    changed: (cardIds) => {
      if (cardIds) views.cardsChanged(cardIds); else epoch++;
      for (const l of changeListeners) { try { l(cardIds); } catch { /* a listener's fault is its own */ } }
    },
  };
  const views = createPoolViews(ctx, () => epoch);
  const outbox = createSmsOutbox(store, clock);
  // Pools by key hash, for POOL_KEY_TTL_MS: the pool API looks its key up on every request.
  // Cleared on every rename, key rotation and delete made here; another node's rotation or
  // delete shows here within the TTL (or at once through `invalidate()`).
  const byKey = new Map<string, { at: number; pool: Pool }>();
  const keyed = <T>(p: Promise<T>): Promise<T> => p.finally(() => byKey.clear());

  return {
    ctx,
    views,
    outbox,
    /** Drops every cache (after changes made outside this service: cards, aggregators, operators). */
    invalidate(): void {
      epoch++; fleet.invalidate(); byKey.clear();
      for (const l of invalidateListeners) { try { l(); } catch { /* a listener's fault is its own */ } }
    },
    /** Told of every `invalidate()` (src/http/events publishes it: cards or aggregators were edited). */
    onInvalidated(listener: () => void): () => void {
      invalidateListeners.add(listener);
      return () => { invalidateListeners.delete(listener); };
    },
    /**
     * These cards' USED flag or online state changed outside this service (e.g. relayed from
     * another node): the views re-read just them on the next read.
     */
    cardsChanged(cardIds: readonly number[]): void { views.cardsChanged(cardIds); },
    /** Told of every change made through this service (src/cluster relays them to the other nodes). */
    onChanged(listener: (cardIds?: readonly number[]) => void): () => void {
      changeListeners.add(listener);
      return () => { changeListeners.delete(listener); };
    },

    create: (input: { title: string; cardIds?: readonly number[]; legacyKey?: string }) => m.createPool(ctx, input),
    rename: (poolId: number, title: string) => keyed(m.renamePool(ctx, poolId, title)),
    // A rotation is announced as a change (listeners: src/cluster relays it, so other nodes drop
    // their key cache at once instead of after POOL_KEY_TTL_MS).
    rotateKey: (poolId: number) => keyed(m.rotatePoolKey(ctx, poolId)).then((r) => { if (r.ok) ctx.changed(); return r; }),
    remove: (poolId: number) => keyed(m.deletePool(ctx, poolId)),
    addCards: (poolId: number, cardIds: readonly number[]) => m.addCardsToPool(ctx, poolId, cardIds),
    removeCards: (poolId: number, cardIds: readonly number[]) => m.removeCardsFromPool(ctx, poolId, cardIds),
    refreshPlacement: (cardIds: readonly number[]) => m.refreshPoolCardPlacement(ctx, cardIds),
    /** The pool a key opens (null for any unknown or malformed key); hits are reused for POOL_KEY_TTL_MS. */
    async findByKey(key: string | undefined): Promise<Pool | null> {
      if (key === undefined || key.length === 0 || key.length > 256) return null;
      const hash = hashPoolKey(key);
      const hit = byKey.get(hash);
      if (hit && clock.now() - hit.at <= POOL_KEY_TTL_MS) return hit.pool;
      const pool = await m.findPoolByKey(ctx, key);
      if (pool) {
        if (byKey.size >= 1000) byKey.clear();
        byKey.set(hash, { at: clock.now(), pool });
      } else byKey.delete(hash);
      return pool;
    },

    openNumber: (poolId: number, req: a.OpenRequest) => a.openNumber(ctx, poolId, req),
    openNumbers: (poolId: number, req: a.OpenRequest, channels: number | 'max') => a.openNumbers(ctx, poolId, req, channels),
    closeNumbers: (poolId: number, numbers: readonly string[]) => a.closeNumbers(ctx, poolId, numbers),
    restart: (poolId: number, keep: boolean) => a.restartPool(ctx, poolId, keep),
    status: (poolId: number, f: NumberFilters) => views.poolStatus(poolId, f),
    /** The console's Online page: put chosen cards of one aggregator online / take cards offline (./online.ts). */
    putOnline: (cardIds: readonly number[], opts: { replace: boolean; poolScope: readonly number[] | null }) => o.putCardsOnline(ctx, cardIds, opts),
    takeOffline: (sel: { cardIds?: readonly number[]; aggregatorId?: number }, poolScope: readonly number[] | null) => o.takeCardsOffline(ctx, sel, poolScope),
  };
}

export type PoolService = ReturnType<typeof createPoolService>;
export type { NumberFilters } from './filters.ts';
export type { OpenRequest } from './allocation.ts';
