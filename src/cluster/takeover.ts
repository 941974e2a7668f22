/**
 * Taking aggregators over (issue #7: "when a node dies its sessions are taken over by the others
 * within 15 s"). One function decides how (`takeoverAggregator`), two callers decide when: the
 * link router, when a poll arrives for an aggregator nobody holds, and the scanner below, every
 * third of the lease TTL, for every enabled aggregator whose lease is missing or expired (one
 * query). The lease itself is won or lost inside the runtime's `claim` (one acquire rule).
 */
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/open-store.ts';
import { advanceStep, unheldAggregators } from './lease-table.ts';

export interface ClaimPort { claim(aggregatorId: number): Promise<boolean> }

/**
 * Moves the step counter past the last holder's, then claims the session. Also when the lease row
 * is gone (a clean stop released it, with its last step writes possibly still in flight); only a
 * node resuming its own lease keeps the counter.
 */
export async function takeoverAggregator(store: Store, runtime: ClaimPort, nodeId: string, aggregatorId: number, lastHolder: string | null): Promise<boolean> {
  if (lastHolder !== nodeId) await advanceStep(store, aggregatorId);
  return runtime.claim(aggregatorId);
}

export interface TakeoverScannerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly nodeId: string;
  readonly runtime: ClaimPort;
  readonly everyMs: number;
  readonly onTakeover?: (aggregatorId: number, lastHolder: string | null) => void;
  readonly onError?: (err: unknown) => void;
}

export class TakeoverScanner {
  private timer: ReturnType<Clock['setTimeout']> | null = null;
  private stopped = true;
  private running: Promise<number> | null = null;

  constructor(private readonly o: TakeoverScannerOptions) {}

  start(): void { this.stopped = false; this.schedule(); }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
  }

  /** One scan; resolves to how many aggregators this node took. */
  scan(): Promise<number> {
    if (!this.running) this.running = this.once().finally(() => { this.running = null; });
    return this.running;
  }

  private async once(): Promise<number> {
    let taken = 0;
    for (const a of await unheldAggregators(this.o.store, this.o.clock.now())) {
      if (this.stopped) break;
      if (await takeoverAggregator(this.o.store, this.o.runtime, this.o.nodeId, a.id, a.lastHolder)) {
        taken++;
        this.o.onTakeover?.(a.id, a.lastHolder);
      }
    }
    return taken;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      void this.scan().catch((err: unknown) => { this.o.onError?.(err); return 0; }).finally(() => this.schedule());
    }, this.o.everyMs);
  }
}
