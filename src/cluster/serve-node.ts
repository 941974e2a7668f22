/**
 * The few lines `simnav serve` needs to run as a cluster node (or, on SQLite, as the one node):
 *
 *   const cluster = prepareClusterNode({ store, databaseUrl: c.db, host: c.host, port: c.port, env: process.env });
 *   if (!cluster.ok) … exit 2 …
 *   const app = await buildApp({ …, ...cluster.value.appDeps });
 *   const node = await cluster.value.start(app.deviceRuntime, app.log, app.simnav.pools);   // before listen
 *   …  await node.stop(); await app.close();
 *
 * `appDeps` gives buildApp the node's event bus (stamped with the node id) with the events plugin's
 * own store watch off on PostgreSQL (it runs once across the cluster instead), the runtime's node
 * id and lease TTL, and a poll handler that routes through the cluster once it is started.
 */
import { realClock, type Clock } from '../lib/clock.ts';
import type { Store } from '../store/open-store.ts';
import { createEventBus, type EventBus } from '../domain/events/bus.ts';
import { startStoreWatch } from '../http/events/store-watch.ts';
import type { DeviceRuntime } from '../devices/runtime.ts';
import type { PollHandler } from '../http/link/route.ts';
import type { LinkClusterOptions } from '../http/link/plugin.ts';
import { clusterSettings, type ClusterSettings } from './settings.ts';
import { asPoolsPort, runtimeOptionsFor, startClusterNode, type ClusterLog, type ClusterNode } from './cluster.ts';

export interface PreparedClusterNode {
  readonly settings: ClusterSettings;
  readonly bus: EventBus;
  readonly appDeps: { events: { bus: EventBus; watch: boolean }; link: LinkClusterOptions };
  /**
   * Joins the cluster (PostgreSQL) or does nothing (SQLite); call after buildApp, before listen.
   * `pools` (app.simnav.pools): its cache changes are relayed when it has the hooks (asPoolsPort).
   */
  start(runtime: DeviceRuntime, log?: ClusterLog, pools?: unknown): Promise<ClusterNode>;
}

export function prepareClusterNode(o: { store: Store; databaseUrl: string; host: string; port: number; env: NodeJS.ProcessEnv; clock?: Clock }):
  { ok: true; value: PreparedClusterNode } | { ok: false; error: { code: string; message: string } } {
  const s = clusterSettings(o.env, { host: o.host, port: o.port });
  if (!s.ok) return s;
  const settings = s.value;
  const clock = o.clock ?? realClock();
  const clustered = o.store.dialect === 'postgres';
  const rt = runtimeOptionsFor(o.store, settings);
  const bus = createEventBus({ clock, nodeId: rt.nodeId });
  let node: ClusterNode | null = null;
  const route = (runtime: DeviceRuntime): PollHandler => ({ handle: (q, m) => (node ? node.pollHandler.handle(q, m) : runtime.hub.handle(q)) });
  return {
    ok: true,
    value: {
      settings, bus,
      appDeps: { events: { bus, watch: !clustered }, link: { runtime: rt, route } },
      async start(runtime, log, pools) {
        const port = asPoolsPort(pools);
        node = await startClusterNode({
          ...(port ? { pools: port } : {}),
          store: o.store, databaseUrl: o.databaseUrl, clock, runtime, settings, bus, ...(log ? { log } : {}),
          storeWatch: async () => {
            const w = await startStoreWatch({ store: o.store, clock, bus, onError: (err) => log?.warn({ err }, 'events: store watch failed') });
            return () => w.stop();
          },
        });
        return node;
      },
    },
  };
}
