/**
 * Console device actions over real HTTP, with the simulator as hardware: buildApp with the device
 * runtime (the e2e world, `api: true`), bearer tokens per role, simulated time driven while each
 * request is in flight.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type World } from '../e2e/support/harness.ts';
import { adminApi } from '../e2e/support/admin-api.ts';
import { addAggregator } from '../e2e/support/world.ts';
import { createUser } from '../../src/domain/users/users.ts';
import { createApiToken } from '../../src/domain/auth/api-tokens.ts';
import type { Role } from '../../src/domain/auth/principal.ts';
import type { Stamped } from '../../src/domain/events/bus.ts';

const NUMBER = '79161110001';

describe('device actions: terminal, USSD, dial, init over HTTP against the simulator', () => {
  let w: World;
  const tokens = new Map<Role, string>();
  const events: Stamped[] = [];
  let aggId = 0;
  let cardId = 0;
  let offlineCard = 0;

  /** One request to `/api/v1`, with simulated time running until it answers. */
  async function call(method: string, path: string, role: Role | null, body?: unknown): Promise<{ status: number; body: any }> {
    return adminApi(w, method, path, role ? tokens.get(role)! : null, body);
  }

  before(async () => {
    w = await createWorld([{ id: 'n1', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '2000000011', sims: [{ place: 'A5', number: NUMBER }, { place: 'B3', number: '79161110002' }] }], { api: true });
    const ctx = { db: w.store.db, clock: w.clock };
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const u = await createUser(ctx, { login: `da-${role}`, role, password: `password-${role}-123`, poolScope: null });
      assert.ok(u.ok);
      const t = await createApiToken(ctx, { name: `da-${role}`, role, userId: u.value.user.id });
      assert.ok(t.ok);
      tokens.set(role, t.value.token);
    }
    w.app.events.subscribe((e) => { events.push(e); });
    aggId = w.aggregators.get('n1')!;
    cardId = w.cards.get('n1:A5')!;
    offlineCard = w.cards.get('n1:B3')!;
    assert.ok(await w.open(NUMBER));
    assert.ok(await w.until(async () => (await w.status(NUMBER)) === 'WAIT_SMS_CALL'), `status ${await w.status(NUMBER)}`);
  });
  after(async () => { await w?.stop(); });

  test('terminal / admin command → { step }, its answer and the modem output that follows as terminal.answer events, audited', async () => {
    const r = await call('POST', `/aggregators/${aggId}/terminal`, 'admin', { command: 'modem>send:AT+GMM' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const step = r.body.step as number;
    assert.ok(Number.isInteger(step) && step > 0);
    const mine = () => events.filter((e) => e.type === 'terminal.answer' && e.aggregatorId === aggId) as Array<Stamped & { step: number; text: string }>;
    assert.ok(await w.until(() => mine().some((e) => e.step === step) && mine().some((e) => e.step === 0 && e.text.includes('SIMCOM_SIM800C')), 60_000),
      JSON.stringify(mine()));
    assert.equal(mine().find((e) => e.step === step)!.text.trim(), '1');
    const audit = await w.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'device.terminal').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.target, `aggregator:${aggId}`);
    assert.match(audit[0]!.actor, /^token:\d+$/);
    assert.deepEqual(JSON.parse(audit[0]!.details), { command: 'modem>send:AT+GMM', step });
  });

  test('terminal / the text of an sms>send is never written to the audit log', async () => {
    const r = await call('POST', `/aggregators/${aggId}/terminal`, 'admin', { command: 'modem>select:1&&sms>send:+79990001122;secret code 4321' });
    assert.equal(r.status, 200);
    const rows = await w.store.db.selectFrom('audit_log').select('details').where('action', '=', 'device.terminal').execute();
    assert.ok(rows.every((x) => !x.details.includes('secret')), JSON.stringify(rows));
    assert.ok(rows.some((x) => x.details.includes('sms>send:+79990001122;<16 chars>')));
  });

  test('terminal / control characters, over-long and empty commands → 400 SIMNAV_ERR_VALIDATION, nothing queued', async () => {
    const audited = async () => (await w.store.db.selectFrom('audit_log').select('id').where('action', '=', 'device.terminal').execute()).length;
    const before = await audited();
    for (const command of ['row:now\r\nrestart', 'modem>send:AT\u0000', 'x'.repeat(2001), '   ']) {
      const r = await call('POST', `/aggregators/${aggId}/terminal`, 'admin', { command });
      assert.equal(r.status, 400, JSON.stringify(command));
      assert.equal(r.body.code, 'SIMNAV_ERR_VALIDATION');
    }
    assert.equal(await audited(), before, 'nothing queued, nothing audited');
  });

  test('terminal / roles: operator and viewer → 403, no token → 401; unknown aggregator → 404', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const r = await call('POST', `/aggregators/${aggId}/terminal`, role, { command: 'row:now' });
      assert.equal(r.status, 403, role);
      assert.equal(r.body.code, 'SIMNAV_ERR_FORBIDDEN');
    }
    assert.equal((await call('POST', `/aggregators/${aggId}/terminal`, null, { command: 'row:now' })).status, 401);
    const r = await call('POST', '/aggregators/999999/terminal', 'admin', { command: 'row:now' });
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'SIMNAV_ERR_NOT_FOUND');
  });

  test("ussd / *100# on the online SIM → the operator's balance text, decoded, as the answer and as a final ussd.reply; audited", async () => {
    const balance = (w.sim.sims().find((s) => s.number === NUMBER)!.balance as number).toFixed(2);
    const r = await call('POST', `/online/${cardId}/ussd`, 'operator', { code: '*100#' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.text, `Баланс: ${balance} р.`);
    assert.equal(r.body.final, true);
    const ev = events.filter((e) => e.type === 'ussd.reply') as Array<Stamped & { cardId: number; requestId: number; text: string; final: boolean }>;
    assert.equal(ev.length, 1);
    assert.deepEqual({ cardId: ev[0]!.cardId, requestId: ev[0]!.requestId, text: ev[0]!.text, final: ev[0]!.final }, { cardId, requestId: r.body.requestId, text: r.body.text, final: true });
    const audit = await w.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'card.ussd').execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(JSON.parse(audit[0]!.details), { code: '*100#', result: 'ok' });
  });

  test('ussd / a code the operator does not know → its refusal text; a bad code → 400; a viewer → 403', async () => {
    const r = await call('POST', `/online/${cardId}/ussd`, 'admin', { code: '*999#' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.text, 'Неверный запрос');
    const bad = await call('POST', `/online/${cardId}/ussd`, 'admin', { code: '*100#";AT+CFUN=0' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'SIMNAV_ERR_VALIDATION');
    assert.equal((await call('POST', `/online/${cardId}/ussd`, 'viewer', { code: '*100#' })).status, 403);
  });

  test('ussd, dial / a card that is not seated online → 409 SIMNAV_ERR_CONFLICT; an unknown card → 404', async () => {
    const r = await call('POST', `/online/${offlineCard}/ussd`, 'operator', { code: '*100#' });
    assert.equal(r.status, 409);
    assert.equal(r.body.code, 'SIMNAV_ERR_CONFLICT');
    assert.equal((await call('POST', `/online/${offlineCard}/dial`, 'operator', { number: '+79990001122' })).status, 409);
    assert.equal((await call('POST', '/online/999999/dial', 'operator', { number: '+79990001122' })).body.code, 'SIMNAV_ERR_NOT_FOUND');
  });

  test('dial / ATD<number>; reaches the SIM’s modem → 202, audited; a bad number → 400', async () => {
    const sent: string[] = [];
    const ch = w.runtime.hub.get(aggId)!.channel;
    const off = ch.unsolicited.subscribe({ includes: 'ATD' }, (m) => { sent.push(m.body); });
    const r = await call('POST', `/online/${cardId}/dial`, 'operator', { number: '+7 999 000-11-22' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.ok(await w.until(() => sent.length > 0, 60_000), 'the modem echoed the dial');
    off();
    assert.match(sent[0]!, /ATD\+79990001122;/);
    const audit = await w.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'card.dial').execute();
    assert.equal(audit.length, 1);
    const bad = await call('POST', `/online/${cardId}/dial`, 'operator', { number: '123;AT+CFUN=0' });
    assert.equal(bad.status, 400);
  });

  test('init / the model\'s init sequence is queued (202), every command answered by the simulated device; audited; operator → 403', async () => {
    const r = await call('POST', `/aggregators/${aggId}/init`, 'admin', {});
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.ok(r.body.commands >= 5, JSON.stringify(r.body));
    const audit = await w.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'device.init').execute();
    assert.equal(audit.length, 1);
    const steps = (JSON.parse(audit[0]!.details) as { steps: number[] }).steps;
    assert.equal(steps.length, r.body.commands);
    const ch = w.runtime.hub.get(aggId)!.channel;
    assert.ok(await w.until(() => steps.every((s) => ch.answersOf(s).answers.length > 0), 120_000), 'every init command answered');
    const answers = steps.flatMap((s) => ch.answersOf(s).answers);
    assert.ok(answers.every((a) => a.trim() !== 'NULL' && a.trim() !== ''), JSON.stringify(answers));
    assert.equal((await call('POST', `/aggregators/${aggId}/init`, 'operator', {})).status, 403);
    // The card online before the init is online again afterwards (the session re-seats after the power cycle).
    assert.ok(await w.until(async () => (await w.status(NUMBER)) === 'WAIT_SMS_CALL', 240_000), await w.status(NUMBER));
  });

  test('terminal / an aggregator without a running session on this node → 409 SIMNAV_ERR_DEVICE_NOT_RUNNING', async () => {
    const idle = await addAggregator(w.store, 'SR-Nano-500', '2000000099');
    await w.store.db.updateTable('aggregators').set({ enabled: 0 }).where('id', '=', idle).execute();
    const r = await call('POST', `/aggregators/${idle}/terminal`, 'admin', { command: 'row:now' });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.code, 'SIMNAV_ERR_DEVICE_NOT_RUNNING');
  });
});
