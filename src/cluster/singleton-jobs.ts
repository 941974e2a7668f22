/**
 * Cluster-wide singleton jobs (issue #7: "background work runs once across the cluster"): each job
 * is held through a lease `job:<name>` (same acquire rule as the aggregator sessions); the node
 * holding it runs the job, renews the lease every third of its TTL and stops the job the moment a
 * renewal fails or is refused. A dead holder's job moves to another node once its lease expires.
 *
 * Two shapes: a periodic job (`everyMs` + `run`, e.g. multipart timeouts) and a long-running one
 * (`start` returning a stop function, e.g. the store watch that publishes console events).
 */
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/open-store.ts';
import { createDeviceStateRepo } from '../domain/device-state/repo.ts';
import { jobLease } from './lease-table.ts';

export type SingletonJob =
  | { readonly name: string; readonly everyMs: number; run(): Promise<unknown> }
  | { readonly name: string; start(): Promise<() => void> };

export interface SingletonJobsOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly nodeId: string;
  readonly leaseTtlMs: number;
  readonly jobs: readonly SingletonJob[];
  readonly onError?: (job: string, err: unknown) => void;
  /** Told when this node starts or stops holding a job. */
  readonly onChange?: (job: string, held: boolean) => void;
}

interface JobState { held: boolean; lastRun: number; running: boolean; stop: (() => void) | null; validUntil: number }

export class SingletonJobs {
  private readonly state = new Map<string, JobState>();
  private readonly repo;
  private timer: ReturnType<Clock['setTimeout']> | null = null;
  private scheduled = false;
  private closed = false;
  private ticking: Promise<void> | null = null;

  constructor(private readonly o: SingletonJobsOptions) {
    this.repo = createDeviceStateRepo(o.store, o.clock);
    for (const j of o.jobs) this.state.set(j.name, { held: false, lastRun: -Infinity, running: false, stop: null, validUntil: -Infinity });
  }

  /** Names of the jobs this node holds now. */
  held(): string[] {
    return [...this.state].filter(([, s]) => s.held).map(([n]) => n);
  }

  start(): void {
    this.scheduled = true;
    void this.tick().finally(() => this.schedule());
  }

  /** One round: take/renew each lease, run what is due, stop what was lost (tests call it directly). */
  tick(): Promise<void> {
    if (!this.ticking) this.ticking = this.round().finally(() => { this.ticking = null; });
    return this.ticking;
  }

  /** Stops every job and releases their leases. */
  async stop(): Promise<void> {
    this.scheduled = false;
    this.closed = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    await this.ticking;
    for (const j of this.o.jobs) {
      const s = this.state.get(j.name)!;
      if (s.held) {
        this.drop(j.name, s);
        await this.repo.releaseLease(jobLease(j.name), this.o.nodeId).catch(() => undefined);
      }
    }
  }

  private async round(): Promise<void> {
    for (const j of this.o.jobs) {
      if (this.closed) return;
      const s = this.state.get(j.name)!;
      const now = this.o.clock.now();
      let won = false;
      try {
        won = await this.repo.acquireLease(jobLease(j.name), this.o.nodeId, this.o.leaseTtlMs);
      } catch (err) {
        this.o.onError?.(j.name, err);
        // Cannot tell: keep running only while the lease we last renewed is surely still ours.
        if (s.held && this.o.clock.now() >= s.validUntil) this.drop(j.name, s);
        continue;
      }
      if (!won) { if (s.held) this.drop(j.name, s); continue; }
      s.validUntil = now + this.o.leaseTtlMs;
      if (!s.held) { s.held = true; this.o.onChange?.(j.name, true); }
      if ('start' in j) {
        if (!s.stop) {
          try { s.stop = await j.start(); } catch (err) { this.o.onError?.(j.name, err); }
        }
      } else if (!s.running && now - s.lastRun >= j.everyMs) {
        s.running = true;
        s.lastRun = now;
        j.run().catch((err: unknown) => this.o.onError?.(j.name, err)).finally(() => { s.running = false; });
      }
    }
  }

  private drop(name: string, s: JobState): void {
    s.held = false;
    if (s.stop) { try { s.stop(); } catch (err) { this.o.onError?.(name, err); } }
    s.stop = null;
    this.o.onChange?.(name, false);
  }

  private schedule(): void {
    if (!this.scheduled) return;
    const periods = this.o.jobs.flatMap((j) => ('everyMs' in j ? [j.everyMs] : []));
    const every = Math.max(100, Math.min(Math.floor(this.o.leaseTtlMs / 3), ...periods));
    this.timer = this.o.clock.setTimeout(() => { void this.tick().finally(() => this.schedule()); }, every);
  }
}
