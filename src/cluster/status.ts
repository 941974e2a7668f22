/**
 * What `simnav cluster status` shows: nodes (alive when their heartbeat is recent) with the
 * aggregators and singleton jobs whose live lease they hold, and expired leases nobody renews.
 */
import type { Store } from '../store/open-store.ts';
import { listLeases } from './lease-table.ts';
import { listNodes } from './node-registry.ts';

export interface NodeStatus {
  readonly id: string; readonly address: string; readonly startedAt: number; readonly heartbeatAt: number;
  readonly alive: boolean; readonly aggregators: Array<{ id: number; title: string | null }>; readonly jobs: string[];
}

export interface ClusterStatus {
  readonly dialect: Store['dialect'];
  readonly nodes: NodeStatus[];
  /** Live leases held by a node with no row in `nodes` (stopped uncleanly, or an old version). */
  readonly unknownHolders: Array<{ holder: string; leases: string[] }>;
  readonly expired: Array<{ name: string; lastHolder: string; expiredAgoMs: number }>;
}

/** A node is alive when its heartbeat is younger than this (default: three 3 s beats + margin). */
export const ALIVE_MS = 10_000;

export async function clusterStatus(store: Store, now: number, aliveMs = ALIVE_MS): Promise<ClusterStatus> {
  const [nodes, leases, aggs] = await Promise.all([
    listNodes(store), listLeases(store),
    store.db.selectFrom('aggregators').select(['id', 'title']).execute(),
  ]);
  const titles = new Map(aggs.map((a) => [a.id, a.title]));
  const live = leases.filter((l) => l.expiresAt >= now);
  const held = (holder: string) => live.filter((l) => l.holder === holder);
  const known = new Set(nodes.map((n) => n.id));
  const unknown = new Map<string, string[]>();
  for (const l of live) if (!known.has(l.holder)) unknown.set(l.holder, [...(unknown.get(l.holder) ?? []), l.name]);
  return {
    dialect: store.dialect,
    nodes: nodes.map((n) => ({
      ...n,
      alive: now - n.heartbeatAt <= aliveMs,
      aggregators: held(n.id).flatMap((l) => {
        const m = /^aggregator:(\d+)$/.exec(l.name);
        return m ? [{ id: Number(m[1]), title: titles.get(Number(m[1])) ?? null }] : [];
      }),
      jobs: held(n.id).flatMap((l) => (l.name.startsWith('job:') ? [l.name.slice(4)] : [])),
    })),
    unknownHolders: [...unknown].map(([holder, names]) => ({ holder, leases: names })),
    expired: leases.filter((l) => l.expiresAt < now).map((l) => ({ name: l.name, lastHolder: l.holder, expiredAgoMs: now - l.expiresAt })),
  };
}

const ago = (ms: number): string => (ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

export function formatClusterStatus(s: ClusterStatus, now = Date.now()): string {
  const lines: string[] = [];
  if (s.nodes.length === 0) lines.push(s.dialect === 'sqlite' ? 'single node (SQLite): no cluster' : 'no nodes have joined (is simnav serve running on this database?)');
  for (const n of s.nodes) {
    lines.push(`${n.id}  ${n.alive ? 'alive' : 'DEAD '}  ${n.address}  heartbeat ${ago(now - n.heartbeatAt)} ago  up ${ago(now - n.startedAt)}`);
    lines.push(`  aggregators (${n.aggregators.length}): ${n.aggregators.map((a) => `#${a.id}${a.title ? ` ${a.title}` : ''}`).join(', ') || '—'}`);
    lines.push(`  jobs: ${n.jobs.join(', ') || '—'}`);
  }
  for (const u of s.unknownHolders) lines.push(`${u.holder}  (no node row)  holds ${u.leases.join(', ')}`);
  if (s.expired.length > 0) lines.push(`expired, waiting for takeover: ${s.expired.map((e) => `${e.name} (was ${e.lastHolder}, ${ago(e.expiredAgoMs)} ago)`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
