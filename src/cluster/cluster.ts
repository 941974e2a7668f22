/**
 * One node of a simnav cluster (issue #7, README.md beside this file): composes the node registry
 * (heartbeat), the takeover scanner, the poll router, the LISTEN/NOTIFY relays (console events,
 * "desired state changed" wake-ups) and the singleton jobs around a device runtime. On SQLite
 * there is no cluster: `startClusterNode` returns a single-node handle that adds no work at all
 * (the runtime's own lease keeps one session per aggregator, as before).
 *
 *   const node = await startClusterNode({ store, databaseUrl, clock, runtime, bus, settings, log });
 *   await app.register(linkRoutes, { hub: node.pollHandler });   // router, or the hub itself
 *   ...
 *   await node.stop();                                            // before runtime.stop()
 */
import { enforceRetention, RETENTION_EVERY_MS } from '../domain/inbox/retention.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/open-store.ts';
import type { EventBus } from '../domain/events/bus.ts';
import type { QueryInput } from '../codec/index.ts';
import type { RuntimeAggregator } from '../domain/device-state/repo.ts';
import { NodeRegistry } from './node-registry.ts';
import { ClusterLinkRouter, type PollMeta } from './link-router.ts';
import { TakeoverScanner, takeoverAggregator } from './takeover.ts';
import { CHANNELS, PgListener, notify } from './pg-channel.ts';
import { startEventRelay, type EventRelay } from './event-relay.ts';
import { SingletonJobs, type SingletonJob } from './singleton-jobs.ts';
import type { ClusterSettings } from './settings.ts';

/** Minimal logger (pino-compatible). */
export interface ClusterLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the cluster needs of the device runtime (src/devices/runtime.ts `DeviceRuntime`). */
export interface ClusterRuntime {
  readonly hub: { handle(query: QueryInput): Promise<string> };
  readonly repo: { byTokenHash(hash: string): Promise<RuntimeAggregator | null> };
  readonly intake: { flushStale(): Promise<number> };
  readonly outbox: { onQueued(listener: (row: { aggregatorId: number }) => void): () => void };
  session(aggregatorId: number): unknown;
  claim(aggregatorId: number): Promise<boolean>;
  wake(aggregatorId?: number): void;
}

/**
 * The pool service's cache hooks (src/domain/pools/service.ts): its views keep per-pool snapshots
 * in memory; a change made on one node is relayed (NOTIFY simnav_pools) so the others patch or
 * rebuild theirs at once instead of after SNAPSHOT_TTL_MS.
 */
export interface PoolsPort {
  onChanged(listener: (cardIds?: readonly number[]) => void): () => void;
  cardsChanged(cardIds: readonly number[]): void;
  invalidate(): void;
}

/** The pools service as a PoolsPort, when it has the hooks (older services have not). */
export function asPoolsPort(pools: unknown): PoolsPort | undefined {
  const p = pools as Partial<Record<keyof PoolsPort, unknown>> | null | undefined;
  return p && typeof p.onChanged === 'function' && typeof p.cardsChanged === 'function' && typeof p.invalidate === 'function' ? p as PoolsPort : undefined;
}

/** Relay payload of a pool change: the origin node and the cards (null: anything may have changed). */
export function encodePoolsChange(origin: string, cardIds: readonly number[] | undefined): string {
  return JSON.stringify({ origin, ids: cardIds && cardIds.length <= 500 ? cardIds : null });
}

export function decodePoolsChange(payload: string, ownNodeId: string): { ids: number[] | null } | null {
  try {
    const v = JSON.parse(payload) as { origin?: unknown; ids?: unknown };
    if (typeof v.origin !== 'string' || v.origin === ownNodeId) return null;
    if (v.ids === null) return { ids: null };
    if (Array.isArray(v.ids) && v.ids.every((x) => Number.isSafeInteger(x))) return { ids: v.ids as number[] };
  } catch { /* not ours */ }
  return null;
}

export interface ClusterNodeOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly runtime: ClusterRuntime;
  readonly settings: ClusterSettings;
  /** The URL the store was opened with (the LISTEN connection opens its own). */
  readonly databaseUrl: string;
  /** The panel's event bus, relayed across nodes (created with `nodeId: settings.nodeId`). */
  readonly bus?: EventBus;
  /**
   * Starts the store watch that publishes console events (src/http/events/store-watch.ts); in a
   * cluster it runs on one node (a singleton job) and its events reach the others by the relay, so
   * each page gets each event once. Pass it with the events plugin's own watch turned off.
   */
  readonly storeWatch?: () => Promise<() => void>;
  /** The pool service, when it exposes its cache hooks (relayed between nodes). */
  readonly pools?: PoolsPort;
  /** Multipart timeouts are flushed this often by the singleton job (default 5000 ms). */
  readonly reassemblyFlushMs?: number;
  /** Further singleton jobs (reassembly and retention are built in; task queues run in the sessions). */
  readonly jobs?: readonly SingletonJob[];
  readonly log?: ClusterLog;
}

export interface ClusterNode {
  readonly nodeId: string;
  /** True on PostgreSQL: several nodes may share the database. */
  readonly clustered: boolean;
  /** What the link route serves polls with (the relaying router, or the runtime's hub on SQLite). */
  readonly pollHandler: { handle(query: QueryInput, meta?: PollMeta): Promise<string> };
  /** Wakes the session of an aggregator (or all) wherever it runs. */
  wake(aggregatorId?: number): void;
  /** Singleton jobs this node holds now. */
  jobsHeld(): string[];
  readonly router: ClusterLinkRouter | null;
  /** Stops the cluster's work and removes this node's row; call before `runtime.stop()`. */
  stop(): Promise<void>;
}

const silent: ClusterLog = { info() {}, warn() {}, error() {} };

/** The runtime options a clustered node needs (background work moves to the singleton jobs). */
export function runtimeOptionsFor(store: Store, settings: ClusterSettings): { nodeId: string; leaseTtlMs?: number; backgroundJobs?: boolean } {
  return store.dialect === 'postgres'
    ? { nodeId: settings.nodeId, leaseTtlMs: settings.leaseTtlMs, backgroundJobs: false }
    // One process: the runtime's defaults, and a stable id, so a restart after a crash resumes its
    // sessions at once instead of waiting for its own old leases to expire.
    : { nodeId: 'local' };
}

export async function startClusterNode(o: ClusterNodeOptions): Promise<ClusterNode> {
  const { store, clock, runtime, settings } = o;
  const log = o.log ?? silent;
  if (store.dialect !== 'postgres') {
    return {
      nodeId: 'local', clustered: false, pollHandler: runtime.hub, router: null,
      wake: (id) => runtime.wake(id), jobsHeld: () => [], stop: async () => undefined,
    };
  }
  const nodeId = settings.nodeId;
  const onError = (where: string) => (err: unknown): void => log.warn({ err, node: nodeId }, `cluster: ${where} failed`);

  const nodes = new NodeRegistry({ store, clock, nodeId, address: settings.address, heartbeatMs: settings.heartbeatMs, onError: onError('heartbeat') });
  await nodes.start();

  const takeover = async (id: number, lastHolder: string | null): Promise<boolean> => {
    const had = runtime.session(id) !== undefined;
    const won = await takeoverAggregator(store, runtime, nodeId, id, lastHolder);
    if (won && !had) log.info({ aggregator: id, from: lastHolder, node: nodeId }, 'cluster: took the aggregator\'s session');
    return won;
  };
  const router = new ClusterLinkRouter({
    store, clock, nodeId, runtime, nodes, takeover,
    nodeStaleMs: settings.nodeStaleMs, forwardTimeoutMs: settings.forwardTimeoutMs,
    onError: (err, ctx) => log.warn({ err, ...ctx, node: nodeId }, 'cluster: poll routing failed'),
    ...(process.env.SIMNAV_CLUSTER_TRACE === '1' ? { trace: (t: object) => log.info({ ...t, node: nodeId }, 'cluster: poll') } : {}),
  });
  const scanner = new TakeoverScanner({
    store, clock, nodeId, runtime, everyMs: Math.max(250, Math.floor(settings.leaseTtlMs / 3)),
    onTakeover: (id, from) => log.info({ aggregator: id, from, node: nodeId }, 'cluster: took the aggregator\'s session'),
    onError: onError('takeover scan'),
  });

  let relay: EventRelay | null = null;
  if (o.bus) relay = startEventRelay({ bus: o.bus, send: (p) => notify(store, CHANNELS.events, p), onError: onError('event relay') });

  const listener = new PgListener({
    url: o.databaseUrl, clock, channels: [CHANNELS.events, CHANNELS.wake, CHANNELS.pools],
    onNotification: (channel, payload) => {
      if (channel === CHANNELS.events) relay?.receive(payload);
      else if (channel === CHANNELS.pools) {
        const c = decodePoolsChange(payload, nodeId);
        if (c && o.pools) { if (c.ids) o.pools.cardsChanged(c.ids); else o.pools.invalidate(); }
      }
      else if (channel === CHANNELS.wake) {
        if (payload === '*') runtime.wake();
        else if (/^\d{1,15}$/.test(payload)) runtime.wake(Number(payload));
      }
    },
    onError: onError('listen'),
  });
  await listener.start();

  const wake = (id?: number): void => {
    runtime.wake(id);
    notify(store, CHANNELS.wake, id === undefined ? '*' : String(id)).catch(onError('wake notify'));
  };
  // sendSms queued on this node: the session may run on another.
  const unQueued = runtime.outbox.onQueued((row) => wake(row.aggregatorId));
  let poolsChain: Promise<void> = Promise.resolve(); // in order, never blocking the writer
  const unPools = o.pools?.onChanged((ids) => {
    const payload = encodePoolsChange(nodeId, ids);
    poolsChain = poolsChain.then(() => notify(store, CHANNELS.pools, payload)).catch(onError('pools notify'));
  }) ?? (() => undefined);

  const jobs: SingletonJob[] = [
    { name: 'sms-reassembly', everyMs: o.reassemblyFlushMs ?? 5000, run: () => runtime.intake.flushStale() },
    { name: 'retention', everyMs: RETENTION_EVERY_MS, run: () => enforceRetention(store.db, clock.now()) },
    ...(o.storeWatch ? [{ name: 'store-watch', start: o.storeWatch }] : []),
    ...(o.jobs ?? []),
  ];
  const singletons = new SingletonJobs({
    store, clock, nodeId, leaseTtlMs: settings.leaseTtlMs, jobs,
    onError: (job, err) => log.warn({ err, job, node: nodeId }, 'cluster: singleton job failed'),
    onChange: (job, held) => log.info({ job, held, node: nodeId }, held ? 'cluster: running singleton job here' : 'cluster: singleton job left this node'),
  });
  singletons.start();
  scanner.start();
  log.info({ node: nodeId, address: settings.address, leaseTtlMs: settings.leaseTtlMs }, 'cluster: node joined');

  return {
    nodeId, clustered: true, router, wake,
    pollHandler: router,
    jobsHeld: () => singletons.held(),
    async stop() {
      scanner.stop();
      unQueued();
      unPools();
      relay?.stop();
      await singletons.stop();
      await listener.stop();
      await nodes.stop().catch(onError('node removal'));
    },
  };
}

