/**
 * Actions on the pool and its numbers (api.md §3): poolRestart, getAgregators, getOperators,
 * getPoolStatus, getNumbers, openNumber, openNumbers, closeNumber, getSimStatus, clearSimStorage,
 * grabCall.
 */
import { json, sharedJson, text, token } from './answer.ts';
import type { Action } from './answer.ts';
import { param } from './params.ts';
import { readFilters } from './common.ts';
import { parseFlag, parseList, parseNumberList, parsePositiveInt } from '../../domain/pools/numbers.ts';
import { resolvePoolNumbers } from '../../domain/pools/resolve.ts';
import { getModel } from '../../models/index.ts';

export const poolRestart: Action = async ({ pool, params, deps }) => {
  await deps.pools.restart(pool.id, parseFlag(param(params, 'keep')));
  return text('DONE');
};

// The views memoise these answers until the next change: their serialisation is reused too.
export const getAgregators: Action = async ({ pool, params, deps }) => {
  const f = readFilters(params, false)!;
  return sharedJson(await deps.pools.views.aggregators(pool.id, { ...f, deviceIds: null }));
};

export const getOperators: Action = async ({ pool, params, deps }) => {
  const f = readFilters(params, false)!;
  return sharedJson(await deps.pools.views.operators(pool.id, { ...f, operators: null }));
};

/** The one-element answer array of each memoised status, so that its serialisation is reused. */
const statusAnswers = new WeakMap<object, object[]>();

export const getPoolStatus: Action = async ({ pool, params, deps }) => {
  const f = readFilters(params, false)!;
  const status = await deps.pools.status(pool.id, f);
  let body = statusAnswers.get(status);
  if (!body) { body = [status]; statusAnswers.set(status, body); }
  return sharedJson(body);
};

export const getNumbers: Action = async ({ pool, params, deps }) => {
  const f = readFilters(params, true);
  if (!f) return token('WRONG_EXCEPTION_PHONE');
  const pos = param(params, 'position')?.trim().toUpperCase();
  const rows = await deps.pools.views.numbers(pool.id, f, pos === 'ONLINE' ? 'ONLINE' : pos === 'HOLD' ? 'HOLD' : null);
  return rows.length === 0 ? token('NO_NUMBERS') : sharedJson(rows);
};

export const openNumber: Action = async ({ pool, params, deps }) => {
  const filters = readFilters(params, true);
  if (!filters) return token('WRONG_EXCEPTION_PHONE');
  const numbers = parseNumberList(param(params, 'number')).slice(0, 1);
  const raw = param(params, 'number');
  if (parseList(raw).length > 0 && numbers.length === 0) return token('NO_NUMBERS');
  const r = await deps.pools.openNumber(pool.id, { numbers, filters, repeat: param(params, 'mode')?.trim() === 'repeat' });
  return r.ok ? text(r.number) : token(r.code);
};

export const openNumbers: Action = async ({ pool, params, deps }) => {
  const filters = readFilters(params, true);
  if (!filters) return token('WRONG_EXCEPTION_PHONE');
  const raw = param(params, 'number');
  const numbers = parseNumberList(raw);
  if (parseList(raw).length > 0 && numbers.length === 0) return token('NO_NUMBERS');
  const ch = param(params, 'channels')?.trim();
  // channels: an integer ≥ 1, or `max`; absent or anything else means max (api.md §3).
  const channels = ch === undefined || ch.toLowerCase() === 'max' ? 'max' : (parsePositiveInt(ch, 100_000) ?? 'max');
  const r = await deps.pools.openNumbers(pool.id, { numbers, filters, repeat: param(params, 'mode')?.trim() === 'repeat' }, channels);
  return r.ok ? json({ total: r.numbers.length, numbers: r.numbers.join(',') }) : token(r.code);
};

export const closeNumber: Action = async ({ pool, params, deps }) => {
  const raw = param(params, 'number');
  const numbers = parseNumberList(raw);
  if (numbers.length === 0) return parseList(raw).length > 0 ? token('BAD_NUMBER') : token('EMPTY_NUMBER');
  const r = await deps.pools.closeNumbers(pool.id, numbers);
  return r.ok ? text('DONE') : token(r.code);
};

export const getSimStatus: Action = async ({ pool, params, deps }) => {
  const raw = param(params, 'number');
  const numbers = parseNumberList(raw);
  if (numbers.length === 0) return parseList(raw).length > 0 ? token('NOT_FOUND') : token('EMPTY_NUMBER');
  const found = await deps.pools.views.readCards(pool.id, numbers);
  if (found.size === 0) return token('NOT_FOUND');
  const view = await deps.pools.ctx.fleet.get();
  return json(numbers.map((n) => {
    const c = found.get(n);
    return c ? { number: c.number, status: deps.pools.views.statusOf(c, view) } : { number: n, status: 'NOT_FOUND' };
  }));
};

export const clearSimStorage: Action = async ({ pool, deps }) => {
  const cards = await deps.pools.views.onlineCards(pool.id);
  const now = deps.clock.now();
  if (cards.length > 0) {
    await deps.store.db.insertInto('device_requests')
      .values(cards.map((c) => ({ aggregator_id: c.aggregatorId, card_id: c.cardId, kind: 'clear_storage', params: '{}', created_at: now })))
      .execute();
  }
  return text('DONE');
};

/** Models that take calls on one chosen modem (api.md grabCall: SR-Box family, SR-Board). */
const GRAB_MODELS = new Set(['sr-box-8', 'sr-box-bank', 'sr-box-2', 'sr-box-2-bank', 'sr-board']);

export const grabCall: Action = async ({ pool, params, deps }) => {
  const numbers = parseNumberList(param(params, 'number'));
  if (numbers.length === 0) return token('ERROR');
  const found = await resolvePoolNumbers(deps.store.db, deps.store.dialect, pool.id, numbers);
  const cards = numbers.map((n) => found.get(n));
  for (const c of cards) {
    if (!c || c.desired !== 'online' || !GRAB_MODELS.has(getModel(c.model)?.id ?? '')) return token('ERROR');
  }
  const now = deps.clock.now();
  await deps.store.db.transaction().execute(async (tx) => {
    for (const c of cards) {
      if (!c) continue;
      await tx.updateTable('card_online').set({ grab_calls: 0, updated_at: now })
        .where('aggregator_id', '=', c.aggregatorId).where('card_id', '<>', c.cardId).where('grab_calls', '=', 1).execute();
      await tx.updateTable('card_online').set({ grab_calls: 1, updated_at: now }).where('card_id', '=', c.cardId).execute();
      await tx.insertInto('device_requests').values({ aggregator_id: c.aggregatorId, card_id: c.cardId, kind: 'grab_call', params: '{}', created_at: now }).execute();
    }
  });
  return text('DONE');
};
