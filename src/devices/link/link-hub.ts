/**
 * The device link endpoint's logic (device-link.md §2.1, §2.6, §2.7; issue #5 item 1): finds the
 * aggregator of a poll by the sha256 of its token, feeds the poll into that aggregator's command
 * channel (src/devices/channel) and returns the body to answer. No database work happens on the
 * hot path once a token is known: a known token maps to its aggregator without hashing it again,
 * liveness (`last_heard_at`) is noted at most every `touchEveryMs` per device and written for many
 * devices in one statement (one write in flight; what arrives meanwhile goes in the next), the step
 * counter is written coalesced. An unknown token gets an empty body, creates no state (a bounded
 * negative cache only) and is logged at most once per minute.
 */
import { parseLinkRequest, type LinkRequest, type QueryInput } from '../../codec/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { DeviceChannel } from '../channel/channel.ts';
import { HOLD_BODY } from '../channel/framing.ts';
import { tokenHash, type DeviceStateRepo, type RuntimeAggregator } from '../../domain/device-state/repo.ts';

/** Minimal logger (pino-compatible). */
export interface RuntimeLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: RuntimeLog = { info() {}, warn() {}, error() {} };

/** One known aggregator on this node: its row and its command channel. */
export interface DeviceLink {
  readonly aggregator: RuntimeAggregator;
  readonly channel: DeviceChannel;
}

export interface LinkHubOptions {
  readonly repo: DeviceStateRepo;
  readonly clock: Clock;
  readonly log?: RuntimeLog;
  /** Liveness is written at most this often per device, ms (default 5000). */
  readonly touchEveryMs?: number;
  /** An unknown token is looked up again after this long, ms (default 30 000). */
  readonly unknownTtlMs?: number;
}

/** `carrier_limit` of an aggregator's settings JSON (seconds; `carrierLimit` or legacy `carrier_limit`), in ms. */
export function carrierLimitMs(settingsJson: string): number {
  try {
    const o = JSON.parse(settingsJson) as Record<string, unknown>;
    const v = o['carrierLimit'] ?? o['carrier_limit'];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 5 && v <= 3600) return v * 1000;
  } catch { /* defaults */ }
  return 120_000;
}

export class LinkHub {
  private readonly links = new Map<number, DeviceLink & { touchedAt: number; stepWrite: { pending: number | null; busy: boolean } }>();
  /** Next steps of channels forgotten here, by aggregator (see install). */
  private readonly carriedSteps = new Map<number, number>();
  private readonly byHash = new Map<string, number>();
  /** Known tokens in clear → aggregator (skips a sha256 per poll); bounded, emptied on `forget`. */
  private readonly byToken = new Map<string, number>();
  /** Liveness noted but not written yet (aggregator → time), and whether a write is in flight. */
  private readonly heard = new Map<number, number>();
  private touching: Promise<void> | null = null;
  private readonly unknown = new Map<string, number>();
  private readonly loading = new Map<string, Promise<number | null>>();
  private readonly listeners = new Set<(link: DeviceLink) => void>();
  private readonly repo: DeviceStateRepo;
  private readonly clock: Clock;
  private readonly log: RuntimeLog;
  private readonly touchEveryMs: number;
  private readonly unknownTtlMs: number;
  private rejected = { count: 0, loggedAt: -Infinity };
  readonly counters = { polls: 0, rejected: 0, malformed: 0 };

  constructor(opts: LinkHubOptions) {
    this.repo = opts.repo;
    this.clock = opts.clock;
    this.log = opts.log ?? silentLog;
    this.touchEveryMs = opts.touchEveryMs ?? 5000;
    this.unknownTtlMs = opts.unknownTtlMs ?? 30_000;
  }

  /** Called once per aggregator when its channel is created (the runtime starts its session). */
  onLink(listener: (link: DeviceLink) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** The link of an aggregator, created (from the store) if needed; null when it does not exist. */
  async ensure(aggregatorId: number): Promise<DeviceLink | null> {
    const have = this.links.get(aggregatorId);
    if (have) return have;
    const agg = await this.repo.aggregator(aggregatorId);
    return agg ? this.install(agg) : null;
  }

  get(aggregatorId: number): DeviceLink | undefined {
    return this.links.get(aggregatorId);
  }

  /** Forgets an aggregator (deleted, token rotated): its channel is closed. */
  forget(aggregatorId: number): void {
    const l = this.links.get(aggregatorId);
    if (!l) return;
    // Its step write may still be on the way: a channel made again here starts from this value.
    if (this.carriedSteps.size >= 10_000) this.carriedSteps.clear();
    this.carriedSteps.set(aggregatorId, l.channel.stats().nextStep);
    l.channel.close();
    this.links.delete(aggregatorId);
    this.forgetTokens(aggregatorId);
  }

  /**
   * Drops the tokens known for an aggregator (its row was edited: the token may have been
   * rotated), keeping its channel: its next poll is looked up by hash again, an old token then
   * finds nothing.
   */
  forgetTokens(aggregatorId: number): void {
    for (const [h, id] of this.byHash) if (id === aggregatorId) this.byHash.delete(h);
    for (const [t, id] of this.byToken) if (id === aggregatorId) this.byToken.delete(t);
  }

  /** Closes every channel (liveness noted so far is still written). */
  close(): void {
    for (const id of [...this.links.keys()]) this.forget(id);
  }

  /** Resolves when the liveness noted so far is written (tests, shutdown). */
  async flushLiveness(): Promise<void> {
    while (this.touching) await this.touching;
  }

  /**
   * One poll from the query (and form body) parameters; resolves to the body to answer. Never
   * throws: malformed or unknown polls get an empty body.
   */
  async handle(query: QueryInput): Promise<string> {
    this.counters.polls++;
    const parsed = parseLinkRequest(query);
    if (!parsed.ok) { this.counters.malformed++; this.reject(parsed.error.code); return HOLD_BODY; }
    const req = parsed.value;
    let id = this.byToken.get(req.token);
    if (id === undefined) {
      const hash = tokenHash(req.token);
      id = this.byHash.get(hash) ?? undefined;
      if (id === undefined) {
        const found = await this.lookup(hash);
        if (found === null) { this.reject('UNKNOWN_TOKEN'); return HOLD_BODY; }
        id = found;
      }
      if (this.byToken.size >= 100_000) this.byToken.clear();
      if (this.links.has(id)) this.byToken.set(req.token, id);
    }
    const link = this.links.get(id);
    if (!link || !link.aggregator.enabled) { this.reject('DISABLED'); return HOLD_BODY; }
    return this.dispatch(link, req);
  }

  private dispatch(link: DeviceLink & { touchedAt: number }, req: LinkRequest): string {
    let body: string;
    if (req.kind === 'classic') {
      body = link.channel.handlePoll({ step: req.step, data: req.data }).body;
    } else {
      const m = req.message;
      body = m.kind === 'reply'
        ? link.channel.handleSmartPoll({ data: req.data, sign: m.sign, result: m.result }).body
        : link.channel.handleSmartPoll({ data: req.data, sign: null }).body;
    }
    const now = this.clock.now();
    if (now - link.touchedAt >= this.touchEveryMs) {
      link.touchedAt = now;
      this.heard.set(link.aggregator.id, now);
      if (!this.touching) this.touching = this.writeLiveness();
    }
    return body;
  }

  /** Writes the noted liveness in batches until none is left; one batch in flight at a time. */
  private async writeLiveness(): Promise<void> {
    try {
      while (this.heard.size > 0) {
        const batch = [...this.heard];
        this.heard.clear();
        await this.repo.touchMany(batch).catch((e: unknown) => this.log.error({ err: e, devices: batch.length }, 'liveness write failed'));
      }
    } finally {
      this.touching = null;
    }
  }

  private async lookup(hash: string): Promise<number | null> {
    const until = this.unknown.get(hash);
    if (until !== undefined && until > this.clock.now()) return null;
    let p = this.loading.get(hash);
    if (!p) {
      p = this.repo.byTokenHash(hash).then((agg) => {
        if (!agg) {
          if (this.unknown.size >= 10_000) this.unknown.clear();
          this.unknown.set(hash, this.clock.now() + this.unknownTtlMs);
          return null;
        }
        this.unknown.delete(hash);
        this.byHash.set(hash, agg.id);
        if (!this.links.has(agg.id)) this.install(agg);
        return agg.id;
      }).catch((e: unknown) => { this.log.error({ err: e }, 'token lookup failed'); return null; })
        .finally(() => { this.loading.delete(hash); });
      this.loading.set(hash, p);
    }
    return p;
  }

  private install(agg: RuntimeAggregator): DeviceLink {
    const existing = this.links.get(agg.id);
    if (existing) return existing;
    const stepWrite = { pending: null as number | null, busy: false };
    const flush = (): void => {
      if (stepWrite.busy || stepWrite.pending === null) return;
      const v = stepWrite.pending;
      stepWrite.pending = null;
      stepWrite.busy = true;
      this.repo.saveStep(agg.id, v).catch((e: unknown) => this.log.error({ err: e, aggregator: agg.id }, 'step write failed'))
        .finally(() => { stepWrite.busy = false; flush(); });
    };
    const smart = agg.model.toLowerCase().endsWith('-smart');
    // A channel forgotten here moments ago (an edit restarts the session) may have sent a step the
    // store does not hold yet; reusing it would make the device ignore the command as a repeat.
    // The larger value wins; another node's takeover moves the store far past ours anyway.
    const stored = agg.step > 0 ? agg.step : 1000;
    const carried = this.carriedSteps.get(agg.id);
    this.carriedSteps.delete(agg.id);
    const channel = new DeviceChannel({
      clock: this.clock,
      mode: smart ? 'smart' : 'classic',
      carrierLimitMs: carrierLimitMs(agg.settings),
      steps: { next: carried !== undefined && carried > stored ? carried : stored, persist: (n) => { stepWrite.pending = n; flush(); } },
    });
    const link = { aggregator: agg, channel, touchedAt: -Infinity, stepWrite };
    this.links.set(agg.id, link);
    for (const l of this.listeners) { try { l(link); } catch (e) { this.log.error({ err: e }, 'link listener failed'); } }
    return link;
  }

  private reject(reason: string): void {
    this.counters.rejected++;
    this.rejected.count++;
    const now = this.clock.now();
    if (now - this.rejected.loggedAt >= 60_000) {
      this.log.warn({ reason, polls: this.rejected.count }, 'link polls rejected (unknown token, disabled device or malformed poll)');
      this.rejected = { count: 0, loggedAt: now };
    }
  }
}
