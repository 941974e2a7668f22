/**
 * Events published by the writers themselves, instead of being found by polling the store
 * (./store-watch.ts keeps only a slow safety net for them): every change made through the pool
 * service — openNumber(s), closeNumber, poolRestart, membership, keys, the console's Online page —
 * becomes `pool.changed`; every `invalidate()` of it (the admin API after editing cards,
 * aggregators or operators) becomes `cards.changed` and `aggregators.changed`.
 *
 * A burst is coalesced: at most one event of a kind per `everyMs`, the last change of a burst
 * always followed by one (an openNumber load would otherwise ask every open page to reload
 * hundreds of times a second).
 */
import type { Clock } from '../../lib/clock.ts';
import type { EventBus, PanelEventBody } from '../../domain/events/bus.ts';

/** What this needs of the pool service (src/domain/pools/service.ts). */
export interface ChangeSource {
  onChanged(listener: (cardIds?: readonly number[]) => void): () => void;
  onInvalidated(listener: () => void): () => void;
}

export const COALESCE_MS = 1_000;

/** Calls `fire` at once, then at most once per `everyMs` while triggers keep coming (the last one trails). */
function coalesce(clock: Clock, everyMs: number, fire: () => void) {
  let last = -Infinity;
  let timer: ReturnType<Clock['setTimeout']> | null = null;
  return {
    trigger(): void {
      if (timer !== null) return;
      const wait = last + everyMs - clock.now();
      if (wait <= 0) { last = clock.now(); fire(); return; }
      timer = clock.setTimeout(() => { timer = null; last = clock.now(); fire(); }, wait);
    },
    stop(): void { if (timer !== null) clock.clearTimeout(timer); timer = null; },
  };
}

/** Starts publishing the pool service's changes; returns the stop function. */
export function publishWriterEvents(o: { bus: EventBus; clock: Clock; pools: ChangeSource; everyMs?: number }): () => void {
  const every = o.everyMs ?? COALESCE_MS;
  const publish = (events: PanelEventBody[]) => () => { for (const e of events) o.bus.publish(e); };
  const pools = coalesce(o.clock, every, publish([{ type: 'pool.changed', poolId: null }]));
  const edits = coalesce(o.clock, every, publish([{ type: 'cards.changed', aggregatorId: null }, { type: 'aggregators.changed', aggregatorId: null }]));
  const offChanged = o.pools.onChanged(() => pools.trigger());
  const offInvalidated = o.pools.onInvalidated(() => edits.trigger());
  return () => { offChanged(); offInvalidated(); pools.stop(); edits.stop(); };
}
