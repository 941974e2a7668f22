/**
 * Test support for the pool API black-box suites: a real app on loopback (port 0) over a fresh
 * store of the given dialect, seeding helpers that write the store directly (the admin API is
 * another engineer's), and a small HTTP client.
 */
import { createTestStore } from '../../src/store/testing.ts';
import type { TestStore } from '../../src/store/testing.ts';
import type { Dialect } from '../../src/store/dialect.ts';
import { buildApp } from '../../src/http/app.ts';
import type { AppDeps } from '../../src/http/app.ts';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../src/lib/clock.ts';
import { getModel, resolveSettings, placeKey } from '../../src/models/index.ts';

export interface Panel {
  store: TestStore;
  app: FastifyInstance;
  base: string;
  close(): Promise<void>;
}

export async function startPanel(dialect: Dialect, opts: Partial<AppDeps> & { clock?: Clock } = {}): Promise<Panel> {
  const store = await createTestStore(dialect);
  const app = await buildApp({ store, logLevel: false, timeZone: 'Europe/Moscow', ...opts });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    store, app, base: address,
    async close() { await app.close(); await store.close(); },
  };
}

export interface Reply { status: number; type: string; body: string; json(): unknown }

export type Method = 'GET' | 'POST-form' | 'POST-multipart' | 'POST-json';

/** Calls /api/handler.php with the parameters sent the given way. */
export async function call(p: Panel, params: Record<string, string>, method: Method = 'GET'): Promise<Reply> {
  let res: Response;
  const url = `${p.base}/api/handler.php`;
  if (method === 'GET') {
    res = await fetch(`${url}?${new URLSearchParams(params).toString()}`);
  } else if (method === 'POST-form') {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  } else if (method === 'POST-multipart') {
    const fd = new FormData();
    for (const [k, v] of Object.entries(params)) fd.append(k, v);
    res = await fetch(url, { method: 'POST', body: fd });
  } else {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  }
  const body = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body, json: () => JSON.parse(body) };
}

export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

/** Adds an aggregator heard from at `lastHeard` (null = never). */
export async function addAggregator(p: Panel, model: string, opts: { lastHeard?: number | null; settings?: object; modems?: number[] } = {}): Promise<number> {
  const r = await p.store.db.insertInto('aggregators').values({
    model, title: `${model} #${Math.random().toString(36).slice(2, 6)}`, link_token_hash: Math.random().toString(36) + Date.now(), link_token_hint: 'x',
    settings: JSON.stringify(opts.settings ?? {}), modems: JSON.stringify(opts.modems ?? []),
    last_heard_at: opts.lastHeard === undefined ? Date.now() : opts.lastHeard, created_at: T0, updated_at: T0,
  }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Adds cards to an aggregator; place_sort from the model descriptor. */
export async function addCards(p: Panel, aggregatorId: number, cards: ReadonlyArray<{ place: string; number: string | null; operator?: string }>): Promise<number[]> {
  const agg = await p.store.db.selectFrom('aggregators').select('model').where('id', '=', aggregatorId).executeTakeFirstOrThrow();
  const model = getModel(agg.model);
  const s = resolveSettings({});
  const ids: number[] = [];
  for (let i = 0; i < cards.length; i += 200) {
    const chunk = cards.slice(i, i + 200).map((c) => {
      const parsed = model && s.ok ? model.parsePlace(c.place, s.value) : null;
      return {
        aggregator_id: aggregatorId, place: c.place, place_sort: parsed?.ok ? placeKey(parsed.value) : 0, number: c.number,
        operator: c.operator ?? 'MTS RUS', created_at: T0, updated_at: T0,
      };
    });
    const rows = await p.store.db.insertInto('cards').values(chunk).returning('id').execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** Creates a pool of these cards through the domain service; returns its id and key. */
export async function addPool(p: Panel, cardIds: readonly number[], title = `pool-${Math.random().toString(36).slice(2, 8)}`): Promise<{ id: number; key: string }> {
  const r = await p.app.simnav.pools.create({ title, cardIds });
  if (!r.ok) throw new Error(r.error.message);
  return { id: r.value.pool.id, key: r.value.key };
}

/** Reports a status code for a card as the device runtime would. */
export async function setStatus(p: Panel, number: string, code: number, extra: { ringCaller?: string; ringAt?: number } = {}): Promise<void> {
  const card = await p.store.db.selectFrom('cards').select('id').where('number', '=', number).executeTakeFirstOrThrow();
  await p.store.db.updateTable('card_online').set({ status_code: code, status_at: Date.now(), ring_caller: extra.ringCaller ?? null, ring_at: extra.ringAt ?? null }).where('card_id', '=', card.id).execute();
}

export async function addSms(p: Panel, number: string, sms: { sender: string; text: string; receivedAt: number; sentAt?: number; read?: boolean }): Promise<number> {
  const card = await p.store.db.selectFrom('cards').select('id').where('number', '=', number).executeTakeFirstOrThrow();
  const r = await p.store.db.insertInto('sms').values({
    card_id: card.id, number, sender: sms.sender, text: sms.text, received_at: sms.receivedAt, sent_at: sms.sentAt ?? sms.receivedAt, read: sms.read ? 1 : 0,
  }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function addCall(p: Panel, number: string, caller: string, at: number): Promise<number> {
  const card = await p.store.db.selectFrom('cards').select('id').where('number', '=', number).executeTakeFirstOrThrow();
  const r = await p.store.db.insertInto('calls').values({ card_id: card.id, number, caller, at }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Numbers the store says are online (desired) on an aggregator. */
export async function onlineOn(p: Panel, aggregatorId: number): Promise<string[]> {
  const rows = await p.store.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id')
    .select('c.number').where('co.desired', '=', 'online').where('co.aggregator_id', '=', aggregatorId).orderBy('c.number').execute();
  return rows.map((r) => r.number ?? '');
}
