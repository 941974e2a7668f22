/**
 * `simnav sim --register`: creates the fleet's aggregators and cards in a panel through its admin
 * API (`/api/v1`, bearer token), and returns the token map the devices then poll with. Only HTTP —
 * the simulator stays a client of the panel like real hardware and its installer.
 */
import type { Simulator, TokenMap } from './simulator.ts';

export interface RegisterOptions {
  readonly panelUrl: string;
  readonly adminToken: string;
  /** Also create a pool with every card and answer its key (for `serve --demo`). */
  readonly poolName?: string;
  readonly fetchImpl?: typeof fetch;
}

export interface RegisterOutcome {
  readonly tokens: Record<string, { token: string; linkUrl: string; aggregatorId: string }>;
  readonly cards: number;
  readonly poolKey: string | null;
  /** What could not be done (e.g. an admin route that this panel does not have). */
  readonly warnings: string[];
}

export type RegisterResult = { ok: true; value: RegisterOutcome } | { ok: false; error: { code: string; message: string } };

async function call(o: RegisterOptions, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const f = o.fetchImpl ?? fetch;
  const res = await f(new URL(`api/v1${path}`, o.panelUrl.endsWith('/') ? o.panelUrl : o.panelUrl + '/'), {
    method,
    headers: { authorization: `Bearer ${o.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = null;
  try { json = text === '' ? null : JSON.parse(text); } catch { json = text; }
  return { status: res.status, json };
}

function field(o: unknown, ...path: string[]): unknown {
  let v: unknown = o;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** Registers every device of the simulator (before it starts) and its cards. */
export async function registerFleet(sim: Simulator, o: RegisterOptions): Promise<RegisterResult> {
  const tokens: RegisterOutcome['tokens'] = {};
  const warnings: string[] = [];
  const cardIds: string[] = [];
  let cards = 0;
  let cardsRoute = true;
  try {
    for (const d of sim.devices.values()) {
      const r = await call(o, 'POST', '/aggregators', { model: d.hw.model.id, title: d.id });
      if (r.status !== 201 && r.status !== 200) {
        return { ok: false, error: { code: 'REGISTER_FAILED', message: `POST /api/v1/aggregators for ${d.id}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 200)}` } };
      }
      const id = String(field(r.json, 'aggregator', 'id') ?? field(r.json, 'id') ?? '');
      const token = field(r.json, 'token');
      const linkUrl = field(r.json, 'linkUrl');
      if (typeof token !== 'string' || typeof linkUrl !== 'string') return { ok: false, error: { code: 'REGISTER_FAILED', message: `no token/linkUrl for ${d.id}` } };
      tokens[d.id] = { token, linkUrl, aggregatorId: id };
      if (!cardsRoute) continue;
      for (const [place, card] of d.hw.slots) {
        const c = await call(o, 'POST', `/aggregators/${encodeURIComponent(id)}/cards`, { place, number: card.msisdn, iccid: card.iccid });
        if (c.status === 404 && cards === 0) {
          cardsRoute = false;
          warnings.push('the panel has no POST /api/v1/aggregators/:id/cards; cards will be discovered by scanning');
          break;
        }
        if (c.status >= 300) { warnings.push(`card ${d.id}/${place}: HTTP ${c.status}`); continue; }
        cards++;
        const cid = field(c.json, 'card', 'id') ?? field(c.json, 'id');
        if (cid !== undefined) cardIds.push(String(cid));
      }
    }
    let poolKey: string | null = null;
    if (o.poolName !== undefined) {
      const p = await call(o, 'POST', '/pools', { name: o.poolName });
      const key = field(p.json, 'key') ?? field(p.json, 'poolKey') ?? field(p.json, 'pool', 'key');
      const pid = field(p.json, 'pool', 'id') ?? field(p.json, 'id');
      if (p.status >= 300 || typeof key !== 'string') warnings.push(`could not create pool ${o.poolName}: HTTP ${p.status}`);
      else {
        poolKey = key;
        if (cardIds.length > 0 && pid !== undefined) {
          const m = await call(o, 'POST', `/pools/${encodeURIComponent(String(pid))}/cards`, { cardIds });
          if (m.status >= 300) warnings.push(`could not add cards to pool ${o.poolName}: HTTP ${m.status}`);
        }
      }
    }
    return { ok: true, value: { tokens, cards, poolKey, warnings } };
  } catch (e) {
    return { ok: false, error: { code: 'PANEL_UNREACHABLE', message: (e as Error).message } };
  }
}

/** The token map for a simulator from a registration outcome. */
export function tokenMap(out: RegisterOutcome): TokenMap {
  return Object.fromEntries(Object.entries(out.tokens).map(([id, t]) => [id, { token: t.token, linkUrl: t.linkUrl }]));
}
