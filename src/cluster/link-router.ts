/**
 * Device polls on any node (issue #7): a poll is served by the node that runs the aggregator's
 * session — its command channel (steps, queued commands, answers awaited in memory, the step-0
 * stream) lives there. A poll that lands elsewhere is relayed over HTTP to the lease holder's
 * address (`nodes.address`) and the holder's answer returned byte for byte. When the lease is
 * free or expired the receiving node takes the aggregator over first (./takeover.ts) and serves
 * the poll itself. Why relay instead of a queue in PostgreSQL: README.md in this folder.
 *
 * Same signature as LinkHub.handle, so the link route takes either. Never throws: any failure
 * answers the empty hold body, which makes a device simply poll again.
 */
import { parseLinkRequest, type QueryInput } from '../codec/index.ts';
import type { Clock } from '../lib/clock.ts';
import { HOLD_BODY } from '../devices/channel/framing.ts';
import { tokenHash, type RuntimeAggregator } from '../domain/device-state/repo.ts';
import type { Store } from '../store/open-store.ts';
import { aggregatorLease, leaseOf } from './lease-table.ts';
import type { NodeRegistry } from './node-registry.ts';

/** Header a relayed poll carries (the sending node's id); a relayed poll is never relayed again. */
export const FORWARDED_HEADER = 'x-simnav-forwarded-by';

/** What the router needs of the device runtime (src/devices/runtime.ts). */
export interface RuntimePort {
  readonly hub: { handle(query: QueryInput): Promise<string> };
  readonly repo: { byTokenHash(hash: string): Promise<RuntimeAggregator | null> };
  session(aggregatorId: number): unknown;
}

export interface LinkRouterOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly nodeId: string;
  readonly runtime: RuntimePort;
  readonly nodes: Pick<NodeRegistry, 'addressOf'>;
  /** Takes an aggregator over (./takeover.ts); resolves whether this node now runs its session. */
  readonly takeover: (aggregatorId: number, lastHolder: string | null) => Promise<boolean>;
  readonly nodeStaleMs: number;
  readonly forwardTimeoutMs: number;
  readonly onError?: (err: unknown, ctx: object) => void;
  /** Called for every poll with where it went and what was answered (SIMNAV_CLUSTER_TRACE=1 in serve). */
  readonly trace?: (t: { aggregator: number | null; route: 'local' | 'relay' | 'hold'; query: string; body: string }) => void;
}

interface Routed { aggregator: number | null; route: 'local' | 'relay' | 'hold' }

export interface PollMeta { readonly forwardedBy?: string | undefined }

/** A poll's parameters as a form body, every string value kept (arrays as repeated keys). */
export function pollBody(query: QueryInput): URLSearchParams {
  if (typeof query === 'string') return new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  if (query instanceof URLSearchParams) return new URLSearchParams(query);
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (typeof v === 'string') out.append(k, v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.append(k, x);
  }
  return out;
}

export class ClusterLinkRouter {
  private readonly aggByHash = new Map<string, { agg: RuntimeAggregator; at: number }>();
  private readonly unknown = new Map<string, number>();
  readonly counters = { local: 0, forwarded: 0, forwardFailed: 0, takeovers: 0, strays: 0 };

  constructor(private readonly o: LinkRouterOptions) {}

  async handle(query: QueryInput, meta: PollMeta = {}): Promise<string> {
    const how: Routed = { aggregator: null, route: 'hold' };
    let body: string = HOLD_BODY;
    try {
      body = await this.route(query, meta, how);
    } catch (err) {
      this.o.onError?.(err, { where: 'link router' });
    }
    if (this.o.trace) {
      const q = pollBody(query);
      q.delete('token');
      this.o.trace({ ...how, query: q.toString().slice(0, 160), body: body.slice(0, 160) });
    }
    return body;
  }

  private local(query: QueryInput, how: Routed): Promise<string> {
    this.counters.local++;
    how.route = 'local';
    return this.o.runtime.hub.handle(query);
  }

  private async route(query: QueryInput, meta: PollMeta, how: Routed): Promise<string> {
    const parsed = parseLinkRequest(query);
    if (!parsed.ok) return this.local(query, how); // the hub counts and rejects it
    const agg = await this.aggregator(tokenHash(parsed.value.token));
    how.aggregator = agg?.id ?? null;
    if (!agg || !agg.enabled) return this.local(query, how);
    if (this.o.runtime.session(agg.id) !== undefined) return this.local(query, how);
    if (meta.forwardedBy !== undefined) {
      // Relayed here but the session is not (any more) here: let the device poll again.
      this.counters.strays++;
      return HOLD_BODY;
    }
    const lease = await leaseOf(this.o.store, aggregatorLease(agg.id));
    const now = this.o.clock.now();
    if (lease && lease.holder !== this.o.nodeId && lease.expiresAt >= now) {
      const address = await this.o.nodes.addressOf(lease.holder, this.o.nodeStaleMs);
      if (address === null) { this.counters.forwardFailed++; return HOLD_BODY; }
      return this.forward(address, query, agg.id, how);
    }
    this.counters.takeovers++;
    if (await this.o.takeover(agg.id, lease?.holder ?? null)) return this.local(query, how);
    // Lost the race to another node (it serves the next poll), or the model has no driver here.
    const again = await leaseOf(this.o.store, aggregatorLease(agg.id));
    if (again && again.holder !== this.o.nodeId && again.expiresAt >= this.o.clock.now()) return HOLD_BODY;
    return this.local(query, how);
  }

  private async forward(address: string, query: QueryInput, aggregatorId: number, how: Routed): Promise<string> {
    how.route = 'relay';
    try {
      const res = await fetch(`${address}/link.php`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', [FORWARDED_HEADER]: this.o.nodeId },
        body: pollBody(query).toString(),
        signal: AbortSignal.timeout(this.o.forwardTimeoutMs),
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`holder answered ${res.status}`);
      this.counters.forwarded++;
      return body;
    } catch (err) {
      // The holder is dying or gone: the device polls again; once the lease expires a node takes over.
      this.counters.forwardFailed++;
      this.o.onError?.(err, { where: 'relay', aggregator: aggregatorId, address });
      return HOLD_BODY;
    }
  }

  /** The aggregator of a token hash; cached for a few seconds (an edit elsewhere is seen soon). */
  private async aggregator(hash: string): Promise<RuntimeAggregator | null> {
    const now = this.o.clock.now();
    const hit = this.aggByHash.get(hash);
    if (hit && now - hit.at < 5000) return hit.agg;
    const until = this.unknown.get(hash);
    if (until !== undefined && until > now) return null;
    const agg = await this.o.runtime.repo.byTokenHash(hash);
    if (!agg) {
      if (this.unknown.size >= 10_000) this.unknown.clear();
      this.unknown.set(hash, now + 30_000);
      return null;
    }
    if (this.aggByHash.size >= 100_000) this.aggByHash.clear();
    this.aggByHash.set(hash, { agg, at: now });
    return agg;
  }
}
