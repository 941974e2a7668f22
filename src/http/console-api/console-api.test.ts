import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { realClock } from '../../lib/clock.ts';
import { createTestStore, type TestStore } from '../../store/testing.ts';
import { createUser } from '../../domain/users/users.ts';
import { createSession } from '../../domain/auth/sessions.ts';
import { createAggregator } from '../../domain/aggregators/aggregators.ts';
import { createCard } from '../../domain/inventory/cards.ts';
import { DEFAULT_TERMINAL_COMMANDS } from './settings.ts';
import type { AdminCtx } from '../../domain/auth/outcome.ts';

describe('console-api / layout, online, settings, me', () => {
  let store: TestStore;
  let app: FastifyInstance;
  const as: Record<string, { cookie: string; csrf: string }> = {};
  let boxBank = 0;
  const cards: Record<string, number> = {};

  const req = (who: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
    app.inject({ method, url: `/api/v1${url}`, headers: { cookie: as[who]!.cookie, 'x-csrf-token': as[who]!.csrf }, ...(payload !== undefined ? { payload: payload as object } : {}) });

  before(async () => {
    store = await createTestStore('sqlite');
    const ctx: AdminCtx = { db: store.db, clock: realClock() };
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const u = await createUser(ctx, { login: role, role, password: 'long enough password' });
      assert.ok(u.ok);
      const s = await createSession(ctx, u.value.user.id);
      as[role] = { cookie: `simnav_session=${s.token}`, csrf: s.csrfToken };
    }
    const a = await createAggregator(ctx, { model: 'SR-Box-Bank', title: 'bank' });
    assert.ok(a.ok);
    boxBank = a.value.aggregator.id;
    for (const place of ['A1', 'A2', 'B1']) {
      const c = await createCard(ctx, { aggregatorId: boxBank, place, number: `7999000000${place === 'A1' ? 1 : place === 'A2' ? 2 : 3}` });
      assert.ok(c.ok);
      cards[place] = c.value.id;
    }
    app = await buildApp({ store, logLevel: false, timeZone: 'Europe/Moscow' });
    await app.ready();
  });
  after(async () => { await app.close(); await store.close(); });

  test('layout / a bank aggregator is 8 lettered columns of its bank rows, cards on their slots', async () => {
    const r = await req('viewer', 'GET', `/aggregators/${boxBank}/layout`);
    assert.equal(r.statusCode, 200);
    const l = r.json() as { kind: string; channels: number; lines: Array<{ label: string; slots: Array<{ place: string; card: { id: number } | null }> }> };
    assert.equal(l.kind, 'grid');
    assert.equal(l.channels, 8);
    assert.deepEqual(l.lines.map((x) => x.label), ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    assert.equal(l.lines[0]!.slots.length, 8);
    assert.equal(l.lines[0]!.slots.find((s) => s.place === 'A1')?.card?.id, cards.A1);
    assert.equal(l.lines[2]!.slots[0]!.card, null);
    assert.equal((await req('viewer', 'GET', '/aggregators/999/layout')).statusCode, 404);
  });

  test('online / A1 and A2 share a column: only one goes online, the other is refused; stop takes it offline', async () => {
    const r = await req('operator', 'POST', '/online', { cardIds: [cards.A1, cards.A2, cards.B1] });
    assert.equal(r.statusCode, 200);
    const body = r.json() as { online: string[]; refused: string[] };
    assert.equal(body.online.length, 2);
    assert.ok(body.online.includes('B1'));
    assert.equal(body.refused.length, 1);
    const list = (await req('viewer', 'GET', `/online?aggregatorId=${boxBank}`)).json() as { items: Array<{ place: string; desired: string; statusCode: number }> };
    assert.deepEqual(list.items.map((x) => x.place).sort(), body.online.sort());
    assert.ok(list.items.every((x) => x.desired === 'online' && x.statusCode === -3));
    const stop = await req('operator', 'POST', '/online/stop', { aggregatorId: boxBank });
    assert.equal((stop.json() as { count: number }).count, 2);
    assert.equal(((await req('viewer', 'GET', '/online')).json() as { items: unknown[] }).items.length, 0);
  });

  test('online / SMS from a card that is not online → 409; from an online card → queued in the outbox, audited without its text', async () => {
    const off = await req('operator', 'POST', `/online/${cards.B1}/sms`, { to: '+79001234567', text: 'hello' });
    assert.equal(off.statusCode, 409);
    await req('operator', 'POST', '/online', { cardIds: [cards.B1] });
    const on = await req('operator', 'POST', `/online/${cards.B1}/sms`, { to: '+79001234567', text: 'secret hello' });
    assert.equal(on.statusCode, 202);
    const row = await store.db.selectFrom('sms_outbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.recipient, '79001234567');
    assert.equal(row.status, 'queued');
    const audit = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'sms.send').executeTakeFirstOrThrow();
    assert.doesNotMatch(audit.details, /secret/);
  });

  test('roles / a viewer cannot put cards online, stop them or change settings', async () => {
    assert.equal((await req('viewer', 'POST', '/online', { cardIds: [cards.A1] })).statusCode, 403);
    assert.equal((await req('viewer', 'POST', '/online/stop', { aggregatorId: boxBank })).statusCode, 403);
    assert.equal((await req('operator', 'PUT', '/settings', { retentionDays: 3 })).statusCode, 403);
  });

  test('csrf / a state change without the header → 403 SIMNAV_ERR_CSRF', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/online', headers: { cookie: as.admin!.cookie }, payload: { cardIds: [cards.A1] } });
    assert.equal(r.statusCode, 403);
    assert.equal((r.json() as { code: string }).code, 'SIMNAV_ERR_CSRF');
  });

  test('settings / default time zone from the server; admin sets it; an unknown zone → 400', async () => {
    assert.equal(((await req('viewer', 'GET', '/settings')).json() as { timeZone: string }).timeZone, 'Europe/Moscow');
    const bad = await req('admin', 'PUT', '/settings', { timeZone: 'Mars/Olympus' });
    assert.equal(bad.statusCode, 400);
    const ok = await req('admin', 'PUT', '/settings', { timeZone: 'Asia/Tbilisi', retentionDays: 30 });
    assert.deepEqual(ok.json(), { timeZone: 'Asia/Tbilisi', retentionDays: 30, smsStorage: 'delete', terminalCommands: [...DEFAULT_TERMINAL_COMMANDS] });
  });

  test('settings / terminal quick commands: the old defaults until an admin sets a list; a multi-line or over-long command → 400; an operator → 403', async () => {
    const get = async () => ((await req('viewer', 'GET', '/settings')).json() as { terminalCommands: string[] }).terminalCommands;
    assert.ok((await get()).includes('modem>send:AT+CREG?'));
    const set = await req('admin', 'PUT', '/settings', { terminalCommands: ['modem>send:AT+CSQ', 'version'] });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(await get(), ['modem>send:AT+CSQ', 'version']);
    for (const bad of [['a\nrestart'], [''], ['x'.repeat(501)], Array.from({ length: 41 }, () => 'version')]) {
      assert.equal((await req('admin', 'PUT', '/settings', { terminalCommands: bad })).statusCode, 400, JSON.stringify(bad).slice(0, 40));
    }
    assert.equal((await req('operator', 'PUT', '/settings', { terminalCommands: ['restart'] })).statusCode, 403);
    assert.deepEqual(await get(), ['modem>send:AT+CSQ', 'version']);
    assert.equal((await req('admin', 'PUT', '/settings', { terminalCommands: [] })).statusCode, 200);
    assert.deepEqual(await get(), []);
  });

  test('me / any role sets its own language; anything but ru/en → 400', async () => {
    assert.deepEqual((await req('viewer', 'PATCH', '/me', { lang: 'en' })).json(), { lang: 'en' });
    assert.equal((await req('viewer', 'PATCH', '/me', { lang: 'de' })).statusCode, 400);
    const s = (await req('viewer', 'GET', '/session')).json() as { user: { lang: string } };
    assert.equal(s.user.lang, 'en');
  });

  test('sms parts / the raw PDUs of a message in order; unknown id → 404', async () => {
    const sms = await store.db.insertInto('sms').values({ card_id: cards.A1!, number: '79990000001', sender: 'x', text: 'ab', sent_at: null, received_at: 1 }).returning('id').executeTakeFirstOrThrow();
    for (const seq of [2, 1]) {
      await store.db.insertInto('sms_parts').values({ card_id: cards.A1!, sender: 'x', pdu: `PDU${seq}`, ref: 9, total: 2, seq, dedup_key: `k${seq}`, received_at: seq, sms_id: sms.id }).execute();
    }
    const r = await req('viewer', 'GET', `/sms/${sms.id}/parts`);
    assert.deepEqual((r.json() as { items: Array<{ pdu: string }> }).items.map((x) => x.pdu), ['PDU1', 'PDU2']);
    assert.equal((await req('viewer', 'GET', '/sms/99999/parts')).statusCode, 404);
  });

  test('online / SR-Train: a card online on channel 9 pins the carriage at row 2, so 8-1 is refused and 2-1 fits', async () => {
    const ctx: AdminCtx = { db: store.db, clock: realClock() };
    const a = await createAggregator(ctx, { model: 'SR-Train', title: 'train' });
    assert.ok(a.ok);
    const train = a.value.aggregator.id;
    const ids: Record<string, number> = {};
    for (const [place, n] of [['5-1', '1'], ['8-1', '2'], ['2-1', '3']] as const) {
      const c = await createCard(ctx, { aggregatorId: train, place, number: `7999100000${n}` });
      assert.ok(c.ok);
      ids[place] = c.value.id;
    }
    // 5-1 seated on channel 9: the carriage stands at row 2 (modems 9–16 touch row 2 + 3 = 5).
    await store.db.insertInto('card_online').values({
      card_id: ids['5-1']!, aggregator_id: train, desired: 'online', opened_at: 0, channel: 9, status_code: 1, status_at: 0, generation: 1, updated_at: 0,
    }).execute();
    const far = await req('operator', 'POST', '/online', { cardIds: [ids['8-1']], replace: false });
    assert.equal(far.statusCode, 200);
    assert.deepEqual((far.json() as { online: string[]; refused: string[] }).refused, ['8-1'], 'row 8 would move the carriage to row 5');
    const near = await req('operator', 'POST', '/online', { cardIds: [ids['2-1']], replace: false });
    assert.deepEqual((near.json() as { online: string[] }).online.includes('2-1'), true);
  });
});
