/**
 * `simnav sim --register` and `serve --demo`: creates the fleet's aggregators and cards in a panel
 * through its admin API (`/api/v1`, bearer token) and returns the link tokens the devices then poll
 * with. Idempotent over an existing database: an aggregator already there under the device's id as
 * title gets a fresh link token (tokens are stored hashed), existing cards are kept, and an existing
 * pool gets a new key. Server-mode devices (device-link.md §2.5) are registered with link mode
 * `server`, their listening address and local token, so call `Simulator.listen()` first. Bank maps
 * and the SR-Organizer-Smart hardware type go in as aggregator settings.
 * Only HTTP — the simulator stays a client of the panel like real hardware.
 */
import type { Hardware } from './firmware.ts';
import { OPERATORS } from './operators.ts';
import type { Simulator, TokenMap } from './simulator.ts';

export interface RegisterOptions {
  readonly panelUrl: string;
  readonly adminToken: string;
  /** Also put every card into a pool of this title and answer its key (for `serve --demo`). */
  readonly poolName?: string;
  readonly fetchImpl?: typeof fetch;
}

export interface RegisterOutcome {
  readonly tokens: Record<string, { token: string; linkUrl: string; aggregatorId: string }>;
  /** Cards created now. */
  readonly cards: number;
  readonly poolKey: string | null;
  /** What could not be done (a card refused, no pool). */
  readonly warnings: string[];
}

export type RegisterResult = { ok: true; value: RegisterOutcome } | { ok: false; error: { code: string; message: string } };

interface Reply { status: number; json: unknown }

async function call(o: RegisterOptions, method: string, path: string, body?: unknown): Promise<Reply> {
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

function items(r: Reply): Array<Record<string, unknown>> {
  const list = field(r.json, 'items');
  return Array.isArray(list) ? list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
}

const brief = (r: Reply): string => `HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 160)}`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The aggregator settings the panel must know to address this hardware: the bank map of a
 * Box-Bank / Box-2-Bank (the panel's default is one bank, the simulator's all eight) and the
 * hardware type of an SR-Organizer-Smart.
 */
function panelSettings(hw: Hardware): Record<string, string | number> | undefined {
  const id = hw.model.id;
  if (id === 'sr-box-bank' || id === 'sr-box-2-bank') {
    const map = hw.mechanics.snapshot()['map'];
    return typeof map === 'string' ? { bankMap: map } : undefined;
  }
  if (id === 'sr-organizer-smart') return { smartType: hw.smartType };
  return undefined;
}

/** Registers every device of the simulator (before it starts) and its cards. */
export async function registerFleet(sim: Simulator, o: RegisterOptions): Promise<RegisterResult> {
  const tokens: RegisterOutcome['tokens'] = {};
  const warnings: string[] = [];
  const cardIds: number[] = [];
  let cards = 0;
  try {
    const listed = await call(o, 'GET', '/aggregators');
    if (listed.status === 401 || listed.status === 403) return { ok: false, error: { code: 'REGISTER_FORBIDDEN', message: `the admin token was refused (${listed.status})` } };
    const existing = new Map(items(listed).map((a) => [String(a['title']), a]));
    for (const d of sim.devices.values()) {
      const server = sim.serverLink(d.id);
      if (server && server.address === null) return { ok: false, error: { code: 'REGISTER_FAILED', message: `aggregator ${d.id}: server mode, but the simulator is not listening yet (call listen() first)` } };
      const link = server ? { linkMode: 'server', serverIp: server.address, serverToken: server.token } : {};
      const settings = panelSettings(d.hw);
      const old = existing.get(d.id);
      // The panel answers the model by its display name (`SR-Board`) or id (`sr-board`).
      const sameModel = old !== undefined && [d.hw.model.id, d.hw.model.name.toLowerCase()].includes(String(old['model']).toLowerCase());
      const r = old && sameModel
        ? await call(o, 'POST', `/aggregators/${encodeURIComponent(String(old['id']))}/link-token`)
        : await call(o, 'POST', '/aggregators', { model: d.hw.model.id, title: d.id, ...link, ...(settings ? { settings } : {}) });
      if (r.status !== 201 && r.status !== 200) return { ok: false, error: { code: 'REGISTER_FAILED', message: `aggregator ${d.id}: ${brief(r)}` } };
      const id = field(r.json, 'aggregator', 'id') ?? old?.['id'];
      if (old && sameModel) {
        // The address changes from run to run (any free port), and the fleet file may have changed
        // the bank map or hardware type: point the existing aggregator at what runs now.
        const had = isRecord(old['settings']) ? old['settings'] : {};
        const changed = settings !== undefined && Object.entries(settings).some(([k, v]) => had[k] !== v);
        const patch = { ...link, ...(changed ? { settings: { ...had, ...settings } } : {}) };
        if (Object.keys(patch).length > 0) {
          const p = await call(o, 'PATCH', `/aggregators/${encodeURIComponent(String(old['id']))}`, patch);
          if (p.status !== 200) return { ok: false, error: { code: 'REGISTER_FAILED', message: `aggregator ${d.id}: ${brief(p)}` } };
        }
      }
      const token = field(r.json, 'token');
      const linkUrl = field(r.json, 'linkUrl');
      if (typeof token !== 'string' || typeof linkUrl !== 'string' || id === undefined) {
        return { ok: false, error: { code: 'REGISTER_FAILED', message: `aggregator ${d.id}: no id, token or linkUrl in ${brief(r)}` } };
      }
      tokens[d.id] = { token, linkUrl, aggregatorId: String(id) };
      const known = old ? new Map(items(await call(o, 'GET', `/cards?aggregatorId=${encodeURIComponent(String(id))}&limit=1000`)).map((c) => [String(c['place']), c])) : new Map<string, Record<string, unknown>>();
      for (const [place, card] of d.hw.slots) {
        const had = known.get(place);
        if (had && typeof had['id'] === 'number') { cardIds.push(had['id']); continue; }
        const c = await call(o, 'POST', '/cards', { aggregatorId: Number(id), place, number: card.msisdn, iccid: card.iccid, operator: OPERATORS[card.operator].cspn });
        if (c.status >= 300) { warnings.push(`card ${d.id}/${place}: ${brief(c)}`); continue; }
        cards++;
        const cid = field(c.json, 'id');
        if (typeof cid === 'number') cardIds.push(cid);
      }
    }
    const poolKey = o.poolName === undefined ? null : await ensurePool(o, o.poolName, cardIds, warnings);
    return { ok: true, value: { tokens, cards, poolKey, warnings } };
  } catch (e) {
    return { ok: false, error: { code: 'PANEL_UNREACHABLE', message: (e as Error).message } };
  }
}

/** Creates the pool, or adds the cards to an existing one and rotates its key (keys are stored hashed). */
async function ensurePool(o: RegisterOptions, title: string, cardIds: number[], warnings: string[]): Promise<string | null> {
  const created = await call(o, 'POST', '/pools', { title, cardIds });
  const key = field(created.json, 'key');
  if (created.status < 300 && typeof key === 'string') return key;
  const pool = items(await call(o, 'GET', '/pools')).find((p) => p['title'] === title);
  if (!pool) { warnings.push(`could not create pool ${title}: ${brief(created)}`); return null; }
  const pid = encodeURIComponent(String(pool['id']));
  if (cardIds.length > 0) await call(o, 'POST', `/pools/${pid}/cards`, { cardIds });
  const rotated = await call(o, 'POST', `/pools/${pid}/rotate-key`);
  const newKey = field(rotated.json, 'key');
  if (typeof newKey === 'string') return newKey;
  warnings.push(`could not rotate the key of pool ${title}: ${brief(rotated)}`);
  return null;
}

/** The token map for a simulator from a registration outcome. */
export function tokenMap(out: RegisterOutcome): TokenMap {
  return Object.fromEntries(Object.entries(out.tokens).map(([id, t]) => [id, { token: t.token, linkUrl: t.linkUrl }]));
}
