/** Actions on messages (api.md §3): getLastSms, getSms, deleteSms, sendSms, getCall, deleteCall. */
import { json, text, token } from './answer.ts';
import type { Action, ActionCall } from './answer.ts';
import { param } from './params.ts';
import { unixSeconds } from './time.ts';
import { normalizeNumber, parseFlag, parseNumberList, parsePositiveInt } from '../../domain/pools/numbers.ts';
import { resolvePoolNumbers } from '../../domain/pools/resolve.ts';
import type { PoolCard } from '../../domain/pools/resolve.ts';
import { canSend } from '../../domain/pools/status.ts';
import { deleteCalls, deleteSms as deleteSmsRows, listCalls, listSms, markCallsRead, markSmsRead, messageAnswer } from '../../domain/inbox/inbox.ts';

/** Messages per number in one getSms / getCall answer. */
const MAX_PER_NUMBER = 100;
/** Longest SMS text accepted by sendSms (10 concatenated 7-bit parts). */
export const MAX_SMS_TEXT = 1530;

function readPeriodMs(c: ActionCall, fallbackSeconds: number | undefined): number | undefined {
  const s = parsePositiveInt(param(c.params, 'period'), 10 * 365 * 86400) ?? fallbackSeconds;
  return s === undefined ? undefined : s * 1000;
}

function readCode(c: ActionCall): number | undefined {
  return parsePositiveInt(param(c.params, 'code'), 64);
}

export const getLastSms: Action = async (c) => {
  const n = parseNumberList(param(c.params, 'number'))[0];
  if (n === undefined) return token('EMPTY_NUMBER');
  const card = (await c.deps.pools.views.readCards(c.pool.id, [n])).get(n);
  if (!card) return token('NOT_FOUND');
  const period = readPeriodMs(c, undefined);
  const code = readCode(c);
  const sender = param(c.params, 'sender')?.trim();
  const unreadOnly = parseFlag(param(c.params, 'new'));
  const now = c.deps.clock.now();
  // Newest first; with code=N the newest one that holds a code.
  for (let offset = 0; offset < 5000; offset += 200) {
    const rows = await listSms(c.deps.store.db, {
      cardIds: [card.cardId], unreadOnly, limit: 200, offset,
      ...(period !== undefined ? { since: now - period } : {}), ...(sender ? { sender } : {}),
    });
    for (const m of rows) {
      const answer = messageAnswer(m.text, code);
      if (answer === null) continue;
      if (Number(m.read) === 0) await markSmsRead(c.deps.store.db, [m.id]);
      return text(answer);
    }
    if (rows.length < 200 || sender) break;
  }
  return token('NOT_FOUND');
};

export const getSms: Action = async (c) => {
  const numbers = parseNumberList(param(c.params, 'number'));
  if (numbers.length === 0) return token('NO_NUMBER');
  const found = await c.deps.pools.views.readCards(c.pool.id, numbers);
  const view = await c.deps.pools.ctx.fleet.get();
  const since = c.deps.clock.now() - readPeriodMs(c, 60)!;
  const code = readCode(c);
  const sender = param(c.params, 'sender')?.trim();
  const unreadOnly = parseFlag(param(c.params, 'new'));
  const toMark: number[] = [];
  const items = [];
  for (const n of numbers) {
    const card = found.get(n);
    if (!card) { items.push({ number: n, status: 'NOT_FOUND', sms_counter: 0, sms: [] }); continue; }
    const rows = await listSms(c.deps.store.db, { cardIds: [card.cardId], since, unreadOnly, limit: MAX_PER_NUMBER, ...(sender ? { sender } : {}) });
    const sms = [];
    for (const m of rows) {
      const body = messageAnswer(m.text, code);
      if (body === null) continue;
      const isNew = Number(m.read) === 0;
      if (isNew) toMark.push(m.id);
      const at = m.sent_at ?? m.received_at;
      sms.push({ id: String(m.id), sender: m.sender, text: body, time: c.deps.formatTime(at), timestamp: unixSeconds(at), status: isNew ? 'NEW' : 'READED' });
    }
    const status = sms.some((s) => s.status === 'NEW') ? 'NEW_SMS' : c.deps.pools.views.statusOf(card, view);
    items.push({ number: card.number, status, sms_counter: sms.length, sms });
  }
  if (toMark.length > 0) await markSmsRead(c.deps.store.db, toMark);
  return json(items);
};

function readId(c: ActionCall, name: string): number | undefined {
  const v = param(c.params, name)?.trim();
  return v !== undefined && /^\d{1,12}$/.test(v) && Number(v) >= 1 ? Number(v) : undefined;
}

export const deleteSms: Action = async (c) => {
  const id = readId(c, 'sms_id');
  if (id === undefined) return token('BAD_ID');
  const n = await deleteSmsRows(c.deps.store.db, [id], c.pool.id);
  return n > 0 ? text('DONE') : token('BAD_ID');
};

export const deleteCall: Action = async (c) => {
  const id = readId(c, 'call_id');
  if (id === undefined) return token('BAD_ID');
  const n = await deleteCalls(c.deps.store.db, [id], c.pool.id);
  return n > 0 ? text('DONE') : token('BAD_ID');
};

export const getCall: Action = async (c) => {
  const numbers = parseNumberList(param(c.params, 'number'));
  if (numbers.length === 0) return token('NO_NUMBER');
  const found = await c.deps.pools.views.readCards(c.pool.id, numbers);
  const view = await c.deps.pools.ctx.fleet.get();
  const since = c.deps.clock.now() - readPeriodMs(c, 60)!;
  const toMark: number[] = [];
  const items = [];
  for (const n of numbers) {
    const card = found.get(n);
    if (!card) { items.push({ number: n, status: 'NOT_FOUND', call_counter: 0, call: [] }); continue; }
    const rows = await listCalls(c.deps.store.db, { cardIds: [card.cardId], since, limit: MAX_PER_NUMBER });
    const call = rows.map((r) => {
      const isNew = Number(r.read) === 0;
      if (isNew) toMark.push(r.id);
      return { id: String(r.id), incoming_number: r.caller.replace(/\D/g, ''), time: c.deps.formatTime(r.at), timestamp: unixSeconds(r.at), status: isNew ? 'NEW' : 'READED' };
    });
    items.push({ number: card.number, status: c.deps.pools.views.statusOf(card, view), call_counter: call.length, call });
  }
  if (toMark.length > 0) await markCallsRead(c.deps.store.db, toMark);
  return json(items);
};

/** sendSms: queues the SMS and waits (up to the configured limit) for the modem's verdict. */
export const sendSms: Action = async (c) => {
  const n = parseNumberList(param(c.params, 'number'))[0];
  if (n === undefined) return token('NO_NUMBER');
  const card: PoolCard | undefined = (await resolvePoolNumbers(c.deps.store.db, c.deps.store.dialect, c.pool.id, [n])).get(n);
  if (!card) return token('BAD_NUMBER');
  const rawRecipient = param(c.params, 'recipient')?.trim() ?? '';
  const digits = normalizeNumber(rawRecipient);
  if (digits.length < 3 || digits.length > 20) return token('BAD_RECIPIENT');
  const recipient = (rawRecipient.startsWith('+') ? '+' : '') + digits;
  const body = param(c.params, 'text');
  if (body === undefined || body.trim() === '') return token('EMPTY_TEXT');
  const answer = (status: string) => json({ number: card.number, status });
  if (body.length > MAX_SMS_TEXT) return answer('ERROR');
  const view = await c.deps.pools.ctx.fleet.get();
  const status = c.deps.pools.views.statusOf(card, view);
  if (status === 'INACTIVE') return answer('INACTIVE');
  if (status === 'CONNECTING') return answer('CONNECTING');
  if (!canSend(status)) return answer('ERROR');
  const outbox = c.deps.pools.outbox;
  const id = await outbox.enqueue({ cardId: card.cardId, aggregatorId: card.aggregatorId, recipient, text: body, origin: `pool:${c.pool.id}` });
  const verdict = await outbox.waitForVerdict(id, c.deps.sendSmsTimeoutMs);
  return answer(verdict === 'sent' ? 'SENT' : 'ERROR');
};
