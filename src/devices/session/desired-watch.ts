/**
 * Wakes the sessions of one node when their desired state changes, wherever the change was made
 * (the pool API or the console on this node or another, a task created elsewhere): one small
 * indexed read of what changed since the last look, every `everyMs`, for the whole node — instead
 * of every session re-reading its `card_online` rows every second. Sessions re-read on their own
 * only rarely, as a safety net (`SessionTimings.rereadMs`).
 *
 * A change is a `card_online` row with a new `updated_at` (rows this runtime wrote itself — the
 * sessions' status reports — are skipped), a new `device_requests` row, or a task with a new
 * `updated_at`. An aggregator row with a new `updated_at` (added or edited by the admin API, here or
 * on another node) is handed to `edited`, so the runtime starts a new aggregator at once and takes
 * an edited one over again. Reads overlap the previous one by `overlapMs` (a transaction may commit a little
 * after the time it wrote, another node's clock may lag); what was seen already is not woken twice.
 */
import type { Clock } from '../../lib/clock.ts';
import type { DeviceStateRepo } from '../../domain/device-state/repo.ts';
import type { RuntimeLog } from '../link/link-hub.ts';

export interface DesiredWatchOptions {
  readonly repo: DeviceStateRepo;
  readonly clock: Clock;
  readonly log: RuntimeLog;
  /** Wakes the session of an aggregator (if it runs here). */
  readonly wake: (aggregatorId: number) => void;
  /** An aggregator row was added or edited (awaited: the look ends when the runtime has acted on it). */
  readonly edited?: (aggregatorId: number) => void | Promise<void>;
  /** How often the node looks, ms (default 1000). */
  readonly everyMs?: number;
  /** How far each read reaches back before the previous one, ms (default 3000). */
  readonly overlapMs?: number;
}

export class DesiredStateWatch {
  private readonly o: Required<Omit<DesiredWatchOptions, 'edited'>> & Pick<DesiredWatchOptions, 'edited'>;
  /** `kind:id:updatedAt` of changes already handled, with their time (pruned past the overlap). */
  private readonly seen = new Map<string, number>();
  private since: number | null = null;
  private lastRequestId: number | null = null;
  readonly stats = { looks: 0, woken: 0, edited: 0 };

  constructor(opts: DesiredWatchOptions) {
    this.o = { everyMs: 1000, overlapMs: 3000, ...opts };
  }

  /** One look; returns the aggregators woken. */
  async look(): Promise<number[]> {
    const { repo, clock } = this.o;
    this.stats.looks++;
    const now = clock.now();
    const woken = new Set<number>();
    if (this.since === null || this.lastRequestId === null) {
      // First look: sessions read everything when they start; only later changes matter.
      this.since = now;
      this.lastRequestId = await repo.lastRequestId();
      return [];
    }
    const from = this.since - this.o.overlapMs;
    for (const c of await repo.onlineChangesSince(from)) {
      if (this.fresh(`o:${c.cardId}:${c.updatedAt}`, c.updatedAt) && !repo.isOwnWrite(c.cardId, c.updatedAt)) woken.add(c.aggregatorId);
    }
    for (const t of await repo.taskChangesSince(from)) {
      if (this.fresh(`t:${t.id}:${t.updatedAt}`, t.updatedAt)) woken.add(t.aggregatorId);
    }
    for (const r of await repo.requestsAfter(this.lastRequestId)) {
      this.lastRequestId = Math.max(this.lastRequestId, r.id);
      woken.add(r.aggregatorId);
    }
    const edited = new Set<number>();
    for (const a of await repo.aggregatorChangesSince(from)) {
      if (this.fresh(`a:${a.id}:${a.updatedAt}`, a.updatedAt)) edited.add(a.id);
    }
    this.since = now;
    for (const [k, at] of this.seen) if (at < from) this.seen.delete(k);
    for (const id of woken) this.o.wake(id);
    this.stats.woken += woken.size;
    if (this.o.edited) for (const id of edited) await this.o.edited(id);
    this.stats.edited += edited.size;
    return [...woken];
  }

  /** Looks every `everyMs` until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.look();
      } catch (err) {
        this.o.log.error({ err }, 'desired-state watch failed');
      }
      await this.o.clock.sleep(this.o.everyMs, signal).catch(() => undefined);
    }
  }

  private fresh(key: string, at: number): boolean {
    if (this.seen.has(key)) return false;
    this.seen.set(key, at);
    return true;
  }
}
