/**
 * Cluster timings and this node's identity, from the environment (flags belong to `simnav serve`;
 * these are deployment knobs with safe defaults). Takeover bound: a dead node's lease expires at
 * most `leaseTtlMs` after its last renewal and the others scan every `leaseTtlMs / 3`, so its
 * sessions move within 4/3 × TTL — 12 s with the default 9 s, inside issue #7's 15 s.
 *
 * | env | meaning | default |
 * |---|---|---|
 * | SIMNAV_NODE_ID | this node's id in `nodes` and `leases` | random `node-<hex>` |
 * | SIMNAV_NODE_ADDRESS | base URL the other nodes reach this one at (device polls are relayed there) | `http://<host>:<port>` |
 * | SIMNAV_LEASE_TTL_MS | aggregator and job lease time to live | 9000 |
 * | SIMNAV_HEARTBEAT_MS | node heartbeat period | 3000 |
 */
import { randomBytes } from 'node:crypto';

export interface ClusterSettings {
  readonly nodeId: string;
  /** Base URL other nodes use to reach this node (no trailing slash). */
  readonly address: string;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  /** A node whose heartbeat is older than this is shown as dead and never relayed to. */
  readonly nodeStaleMs: number;
  /** A relayed device poll waits this long for the holder's answer. */
  readonly forwardTimeoutMs: number;
}

export type ClusterSettingsResult = { ok: true; value: ClusterSettings } | { ok: false; error: { code: 'CLUSTER_SETTINGS_INVALID'; message: string } };

function ms(text: string | undefined, name: string, dflt: number, min: number, max: number): number | string {
  if (text === undefined || text === '') return dflt;
  if (!/^\d+$/.test(text)) return `${name} must be a whole number of milliseconds`;
  const v = Number(text);
  if (v < min || v > max) return `${name} must be between ${min} and ${max}`;
  return v;
}

/** Settings for a node listening on host:port. Bad values fail at boot with a code. */
export function clusterSettings(env: NodeJS.ProcessEnv, listen: { host: string; port: number }): ClusterSettingsResult {
  const fail = (message: string): ClusterSettingsResult => ({ ok: false, error: { code: 'CLUSTER_SETTINGS_INVALID', message } });
  const ttl = ms(env.SIMNAV_LEASE_TTL_MS, 'SIMNAV_LEASE_TTL_MS', 9000, 1000, 600_000);
  if (typeof ttl === 'string') return fail(ttl);
  const hb = ms(env.SIMNAV_HEARTBEAT_MS, 'SIMNAV_HEARTBEAT_MS', Math.min(3000, Math.floor(ttl / 3)), 100, 60_000);
  if (typeof hb === 'string') return fail(hb);
  const nodeId = env.SIMNAV_NODE_ID || `node-${randomBytes(4).toString('hex')}`;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(nodeId)) return fail('SIMNAV_NODE_ID: 1–64 of A-Z a-z 0-9 . _ : -');
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
  const address = (env.SIMNAV_NODE_ADDRESS || `http://${host.includes(':') ? `[${host}]` : host}:${listen.port}`).replace(/\/+$/, '');
  try {
    const u = new URL(address);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail('SIMNAV_NODE_ADDRESS must be an http(s) URL');
  } catch { return fail('SIMNAV_NODE_ADDRESS must be an http(s) URL'); }
  return { ok: true, value: { nodeId, address, leaseTtlMs: ttl, heartbeatMs: hb, nodeStaleMs: Math.max(3 * hb, ttl), forwardTimeoutMs: 10_000 } };
}
