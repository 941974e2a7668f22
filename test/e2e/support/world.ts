/**
 * Test fixtures for runtime tests: a migrated store and helpers to register aggregators and cards
 * directly (what the admin API would do), with known link tokens.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../../src/store/open-store.ts';
import { getModel, resolveSettings, placeKey } from '../../../src/models/index.ts';

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export async function addAggregator(store: Store, model: string, token: string, opts: { settings?: object; linkMode?: string; serverIp?: string; serverToken?: string } = {}): Promise<number> {
  const now = Date.now();
  const r = await store.db.insertInto('aggregators').values({
    model, title: `${model} ${token.slice(-3)}`, link_token_hash: sha256(token), link_token_hint: token.slice(-3),
    link_mode: opts.linkMode ?? 'client', server_ip: opts.serverIp ?? null, server_token: opts.serverToken ?? null,
    settings: JSON.stringify(opts.settings ?? {}), modems: '[]', step: 1000, last_heard_at: null, serial: null, firmware: null, disk_id: null,
    created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function addCard(store: Store, aggregatorId: number, modelId: string, place: string, info: { number?: string; iccid?: string; operator?: string } = {}): Promise<number> {
  const model = getModel(modelId)!;
  const s = resolveSettings({});
  const p = s.ok ? model.parsePlace(place, s.value) : null;
  const sort = p && p.ok ? placeKey(p.value) : 0;
  const canonical = p && p.ok ? model.formatPlace(p.value) : place;
  const now = Date.now();
  const r = await store.db.insertInto('cards').values({
    aggregator_id: aggregatorId, place: canonical, place_sort: sort, number: info.number ?? null, iccid: info.iccid ?? null, operator: info.operator ?? null,
    balance: null, last_balance: null, balance_at: null, last_balance_at: null, number_at: null, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}
