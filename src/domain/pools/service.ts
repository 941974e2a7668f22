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
import type { Clock } from '../../lib/clock.ts';
import type { PoolCtx } from './context.ts';
import { createFleet } from './fleet.ts';
import * as m from './membership.ts';
import * as a from './allocation.ts';
import type { NumberFilters } from './filters.ts';
import { createPoolViews } from './views.ts';
import { createSmsOutbox } from './outbox.ts';

export interface PoolServiceDeps { store: Store; clock: Clock }

export function createPoolService({ store, clock }: PoolServiceDeps) {
  let epoch = 0;
  const fleet = createFleet(store, clock);
  const ctx: PoolCtx = {
    store, clock, fleet,
    changed: (cardIds) => { if (cardIds) views.cardsChanged(cardIds); else epoch++; },
  };
  const views = createPoolViews(ctx, () => epoch);
  const outbox = createSmsOutbox(store, clock);

  return {
    ctx,
    views,
    outbox,
    /** Drops every cache (after changes made outside this service: cards, aggregators, operators). */
    invalidate(): void { epoch++; fleet.invalidate(); },
    /**
     * These cards' USED flag or online state changed outside this service (e.g. relayed from
     * another node): the views re-read just them on the next read.
     */
    cardsChanged(cardIds: readonly number[]): void { views.cardsChanged(cardIds); },

    create: (input: { title: string; cardIds?: readonly number[]; legacyKey?: string }) => m.createPool(ctx, input),
    rename: (poolId: number, title: string) => m.renamePool(ctx, poolId, title),
    rotateKey: (poolId: number) => m.rotatePoolKey(ctx, poolId),
    remove: (poolId: number) => m.deletePool(ctx, poolId),
    addCards: (poolId: number, cardIds: readonly number[]) => m.addCardsToPool(ctx, poolId, cardIds),
    removeCards: (poolId: number, cardIds: readonly number[]) => m.removeCardsFromPool(ctx, poolId, cardIds),
    refreshPlacement: (cardIds: readonly number[]) => m.refreshPoolCardPlacement(ctx, cardIds),
    findByKey: (key: string | undefined) => m.findPoolByKey(ctx, key),

    openNumber: (poolId: number, req: a.OpenRequest) => a.openNumber(ctx, poolId, req),
    openNumbers: (poolId: number, req: a.OpenRequest, channels: number | 'max') => a.openNumbers(ctx, poolId, req, channels),
    closeNumbers: (poolId: number, numbers: readonly string[]) => a.closeNumbers(ctx, poolId, numbers),
    restart: (poolId: number, keep: boolean) => a.restartPool(ctx, poolId, keep),
    status: (poolId: number, f: NumberFilters) => views.poolStatus(poolId, f),
  };
}

export type PoolService = ReturnType<typeof createPoolService>;
export type { NumberFilters } from './filters.ts';
export type { OpenRequest } from './allocation.ts';
