/**
 * Tasks on every model over real HTTP (`POST /api/v1/tasks` on the full app, bearer token), with
 * the simulator as hardware: a number scan fills numbers, ICCIDs and operators on every model
 * but the SR-Nano-500 (tasks-scan.test.ts) — classic multi-modem boxes seated several cards at a
 * time, the SR-Train with rows r and r+3 together, the SR-Box-2 family, the SR-Organizer, the
 * SR-Nano-1000 and both SMART models; a balance check stores balances and their
 * change; pull_sms commits stored SMS once and empties the SIM; a bulk send rotates SIMs and the
 * simulated network receives each SMS once; test calls are placed and reported.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type World, type WorldDevice } from './support/harness.ts';
import { adminApi } from './support/admin-api.ts';
import { createUser } from '../../src/domain/users/users.ts';
import { createApiToken } from '../../src/domain/auth/api-tokens.ts';
import type { Stamped } from '../../src/domain/events/bus.ts';

const n = (i: number): string => `7916200${String(i).padStart(4, '0')}`;
const DEVICES: WorldDevice[] = [
  { id: 'box8', model: 'SR-Box-8', simModel: 'sr-box-8', token: '4000000001', sims: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((place, i) => ({ place, number: n(i) })) },
  // Row 4 by modems 1–8 and row 7 by modems 9–16: one carriage position for all eleven.
  { id: 'train', model: 'SR-Train', simModel: 'sr-train', token: '4000000002', sims: [...[1, 2, 3, 4, 5, 6, 7, 8].map((p) => `4-${p}`), '7-1', '7-2', '7-5'].map((place, i) => ({ place, number: n(100 + i) })) },
  // H2: a SIM the network refuses (registration denied) — reported in words, the others go on.
  { id: 'bank', model: 'SR-Box-Bank', simModel: 'sr-box-bank', token: '4000000003', sims: [...['A1', 'C2', 'D5', 'A3'].map((place, i) => ({ place, number: n(200 + i) })), { place: 'H2', number: n(210), registration: 'denied' as const }] },
  { id: 'box2', model: 'SR-Box-2', simModel: 'sr-box-2', token: '4000000004', sims: ['B1', 'F3', 'C2'].map((place, i) => ({ place, number: n(300 + i) })) },
  { id: 'org', model: 'SR-Organizer', simModel: 'sr-organizer', token: '4000000005', sims: ['1-1', '2-5', '1-2'].map((place, i) => ({ place, number: n(400 + i) })) },
  { id: 'orgsmart', model: 'SR-Organizer-Smart', simModel: 'sr-organizer-smart', token: '4000000006', sims: ['A1', 'B3', 'C2'].map((place, i) => ({ place, number: n(500 + i) })) },
  { id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '4000000007', sims: ['D12', 'A40'].map((place, i) => ({ place, number: n(600 + i) })) },
  { id: 'box2bank', model: 'SR-Box-2-Bank', simModel: 'sr-box-2-bank', token: '4000000008', sims: ['B4', 'G2'].map((place, i) => ({ place, number: n(700 + i) })) },
  { id: 'box8smart', model: 'SR-Box-8-Smart', simModel: 'sr-box-8-smart', token: '4000000009', sims: ['E6', 'A2'].map((place, i) => ({ place, number: n(800 + i) })) },
  { id: 'nano1000', model: 'SR-Nano-1000', simModel: 'sr-nano-1000', token: '4000000010', sims: ['C7', 'L3'].map((place, i) => ({ place, number: n(900 + i) })) },
];

describe('e2e / tasks on every model over HTTP', () => {
  let w: World;
  let token = '';
  const events: Stamped[] = [];

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    return adminApi(w, method, path, token, body);
  }

  const cardsOf = (device: string): number[] => [...w.cards.entries()].filter(([k]) => k.startsWith(`${device}:`)).map(([, id]) => id);

  /** Creates `kind` over the cards of `devices`, waits until every task is done; returns the tasks. */
  async function run(kind: string, devices: readonly string[], params?: Record<string, unknown>, maxMs = 1_800_000): Promise<Array<Record<string, any>>> {
    const r = await call('POST', '/tasks', { kind, cardIds: devices.flatMap(cardsOf), ...(params ? { params } : {}) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const ids = (r.body.items as Array<{ id: number }>).map((t) => t.id);
    const view = async () => Promise.all(ids.map((id) => w.runtime.tasks.view(id)));
    assert.ok(await w.until(async () => (await view()).every((t) => t?.status === 'done'), maxMs), JSON.stringify(await view()));
    return (await Promise.all(ids.map((id) => call('GET', `/tasks/${id}`)))).map((x) => x.body as Record<string, any>);
  }

  before(async () => {
    w = await createWorld(DEVICES, { api: true });
    const ctx = { db: w.store.db, clock: w.clock };
    const u = await createUser(ctx, { login: 'tasks-op', role: 'operator', password: 'password-operator-123', poolScope: null });
    assert.ok(u.ok);
    const t = await createApiToken(ctx, { name: 'tasks-op', role: 'operator', userId: u.value.user.id });
    assert.ok(t.ok);
    token = t.value.token;
    w.app.events.subscribe((e) => { if (e.type === 'task.progress') events.push(e); });
    await w.store.db.updateTable('cards').set({ number: null, iccid: null, operator: null }).execute();
    // Other operators' ways to tell the number: Beeline's USSD text, MegaFon's national 10 digits (the
    // rule's prefix 7 added), Tele2 through a two-step menu (`*111#|2`, the rule's `a|b`).
    for (const [place, operator, msisdn] of [['C2', 'beeline', '79031234501'], ['D5', 'megafon', '79261234502'], ['A3', 'tele2', '79521234503']] as const) {
      assert.ok(w.sim.removeSim('bank', place).ok);
      const inserted = w.sim.insertSim('bank', place, { operator, msisdn });
      assert.ok(inserted.ok, JSON.stringify(inserted));
    }
    await w.store.db.updateTable('operators').set({ number_code: '*111#|2' }).where('title', '=', 'Tele2').execute();
  });
  after(async () => { await w?.stop(); });

  test('scan_number / every model: numbers, ICCIDs and operators filled; several cards seated per batch; progress published per card', async () => {
    const started = w.clock.now();
    const tasks = await run('scan_number', DEVICES.map((d) => d.id));
    const minutes = ((w.clock.now() - started) / 60_000).toFixed(1);
    const failed = tasks.flatMap((t) => t.report.filter((r: { code: string }) => r.code !== 'ok'));
    assert.deepEqual(failed, [{ place: 'H2', code: 'denied', text: 'registration denied by the network (3)', detail: 'stat 3' }]);
    const sims = new Map(w.sim.sims().map((s) => [`${String(s.device)}:${String(s.place)}`, s]));
    const cards = await w.store.db.selectFrom('cards as c').innerJoin('aggregators as a', 'a.id', 'c.aggregator_id').select(['c.id', 'c.place', 'c.number', 'c.iccid', 'c.operator']).execute();
    for (const [key, id] of w.cards) {
      if (key === 'bank:H2') continue;
      const c = cards.find((x) => x.id === id)!;
      const s = sims.get(key)!;
      assert.equal(c.number, s.number, `number of ${key}`);
      assert.equal(c.iccid, String(s.iccid).toUpperCase(), `ICCID of ${key}`);
      // SMART states name the operator in short (`MTS`); classic SIMs give their provider name (CSPN).
      if (key.startsWith('orgsmart:') || key.startsWith('box8smart:')) assert.ok(c.operator, `operator of ${key}`); else assert.equal(c.operator, s.cspn, `operator of ${key}`);
    }
    // Published by the runner as each unit finishes (the store watcher would only see it at its next look, up to 1 s later).
    for (const t of tasks) {
      const mine = events.filter((e) => e.type === 'task.progress' && e.taskId === t.id) as Array<Stamped & { progress: number; status: string }>;
      const units = await w.store.db.selectFrom('task_units').select('finished_at').where('task_id', '=', t.id).orderBy('finished_at').execute();
      for (let i = 1; i <= t.total; i++) {
        const finished = Number(units[i - 1]!.finished_at);
        assert.ok(mine.some((e) => e.progress === i && e.at - finished <= 250), `task ${t.id}: task.progress ${i}/${t.total} within one step of the unit's end`);
      }
      assert.equal(mine.at(-1)!.status, 'done');
    }
    // Batches: units claimed together share their start time — one seat for all of the SR-Box-8 and for the
    // eleven Train cards (rows 4 and 7 on one carriage position), two on 2-modem models (3 cards).
    const batches = async (device: string) => {
      const t = tasks.find((x) => x.aggregatorId === w.aggregators.get(device))!;
      const units = await w.store.db.selectFrom('task_units').select('started_at').where('task_id', '=', t.id).execute();
      return new Set(units.map((u) => u.started_at)).size;
    };
    assert.deepEqual(Object.fromEntries(await Promise.all(['box8', 'train', 'bank', 'box2', 'org', 'orgsmart', 'board', 'box2bank', 'box8smart', 'nano1000'].map(async (d) => [d, await batches(d)]))),
      { box8: 1, train: 1, bank: 2, box2: 2, org: 2, orgsmart: 1, board: 1, box2bank: 1, box8smart: 1, nano1000: 2 });
    console.log(`# scan of ${w.cards.size} SIMs on ${DEVICES.length} aggregators in parallel: ${minutes} simulated minutes`);
  });

  test('check_balance / balances stored; a second check keeps the previous one as last_balance (the change)', async () => {
    const devices = ['box8', 'orgsmart'];
    const first = await run('check_balance', devices);
    for (const t of first) assert.equal(t.success, t.total, JSON.stringify(t.report));
    const ids = devices.flatMap(cardsOf);
    const rows = async () => w.store.db.selectFrom('cards').select(['id', 'number', 'balance', 'last_balance']).where('id', 'in', ids).execute();
    const sims = new Map(w.sim.sims().map((s) => [String(s.number), s]));
    for (const c of await rows()) assert.equal(c.balance, Number((sims.get(c.number!)!.balance as number).toFixed(2)), `balance of ${c.number}`);
    await run('check_balance', ['box8']);
    for (const c of (await rows()).filter((x) => cardsOf('box8').includes(x.id))) {
      assert.equal(c.last_balance, c.balance, 'the previous balance kept (unchanged on the network)');
    }
    assert.match(first[0]!.report[0].detail, /^\d+\.\d\d$/);
  });

  test('pull_sms / SMS waiting on the SIMs are committed once and deleted from the SIM; a second pull finds none', async () => {
    const numbers = DEVICES.find((d) => d.id === 'box8')!.sims.map((s) => s.number);
    for (const num of numbers) {
      assert.ok(w.sim.sendSms({ to: num, from: '+79990001122', text: `stored one ${num}` }).ok);
      assert.ok(w.sim.sendSms({ to: num, from: 'Bank', text: `stored two ${num}` }).ok);
    }
    const stored = () => w.sim.sims().filter((s) => numbers.includes(String(s.number))).every((s) => s.stored === 2);
    assert.ok(await w.until(stored, 120_000), JSON.stringify(w.sim.sims().filter((s) => numbers.includes(String(s.number))).map((s) => s.stored)));
    const [t] = await run('pull_sms', ['box8']);
    assert.equal(t!.success, 8, JSON.stringify(t!.report));
    for (const num of numbers) assert.deepEqual((await w.smsOf(num)).map((s) => s.text).filter((x) => x.startsWith('stored')).sort(), [`stored one ${num}`, `stored two ${num}`]);
    assert.ok(w.sim.sims().filter((s) => numbers.includes(String(s.number))).every((s) => s.stored === 0), 'deleted after the commit');
    const [again] = await run('pull_sms', ['box8']);
    assert.ok(again!.report.every((r: { detail: string }) => /^0 stored/.test(r.detail)), JSON.stringify(again!.report));
    for (const num of numbers) assert.equal((await w.smsOf(num)).filter((s) => s.text.startsWith('stored')).length, 2, 'once');
  });

  test('send_sms / bulk send rotates SIMs (perSim recipients each); the network receives every SMS once', async () => {
    const recipients = Array.from({ length: 7 }, (_, i) => `+7999555000${i}`);
    const before = w.sim.network.sent.length;
    const [t] = await run('send_sms', ['box8'], { recipients, text: 'Bulk hello', perSim: 2 });
    assert.equal(t!.total, 4);
    assert.equal(t!.success, 4, JSON.stringify(t!.report));
    const sent = w.sim.network.sent.slice(before);
    assert.deepEqual(sent.map((s) => `+${s.to.replace(/^\+/, '')}`).sort(), [...recipients].sort());
    assert.ok(sent.every((s) => s.text === 'Bulk hello'));
    const bySim = new Map<string, number>();
    for (const s of sent) bySim.set(s.from, (bySim.get(s.from) ?? 0) + 1);
    assert.deepEqual([...bySim.values()].sort(), [1, 2, 2, 2], 'two per SIM, the last one');
  });

  test('test_call / a call from each SIM reaches the network and is reported', async () => {
    const before = w.sim.network.calls.length;
    const [t] = await run('test_call', ['box2'], { number: '+79995550123', seconds: 20 });
    assert.equal(t!.success, t!.total, JSON.stringify(t!.report));
    assert.ok(t!.report.every((r: { detail: string }) => /connected/.test(r.detail)), JSON.stringify(t!.report));
    const calls = w.sim.network.calls.slice(before).filter((c) => c.direction === 'out');
    assert.equal(calls.length, t!.total);
    assert.ok(calls.every((c) => c.to.replace(/^\+/, '') === '79995550123'));
  });

  test('send_sms and test_call on SMART firmware: sms.send JSON and call:<n>,<m> with its calling / no_carrier alerts', async () => {
    const before = w.sim.network.sent.length;
    const [t] = await run('send_sms', ['orgsmart'], { recipients: ['+79995551001', '+79995551002'], text: 'Smart hello', perSim: 1 });
    assert.equal(t!.success, 2, JSON.stringify(t!.report));
    const sent = w.sim.network.sent.slice(before);
    assert.deepEqual(sent.map((s) => s.to.replace(/^\+/, '')).sort(), ['79995551001', '79995551002']);
    assert.equal(new Set(sent.map((s) => s.from)).size, 2, 'one SIM each');
    const calls = w.sim.network.calls.length;
    const [c] = await run('test_call', ['orgsmart'], { number: '+79995550124', seconds: 30 });
    assert.equal(c!.success, 3, JSON.stringify(c!.report));
    assert.ok(c!.report.every((r: { detail: string }) => /connected, ended by the network/.test(r.detail)), JSON.stringify(c!.report));
    assert.equal(w.sim.network.calls.slice(calls).filter((x) => x.direction === 'out').length, 3);
  });

  test('suspend / resume / cancel over HTTP while a multi-modem batch runs: the batch stops between cards, resumes with the claimed ones, a cancel ends it', async () => {
    const r = await call('POST', '/tasks', { kind: 'check_balance', cardIds: cardsOf('box8') });
    assert.equal(r.status, 201);
    const id = (r.body.items as Array<{ id: number }>)[0]!.id;
    const progress = async () => (await w.runtime.tasks.view(id))!.progress;
    assert.ok(await w.until(async () => (await progress()) >= 2, 600_000));
    assert.equal((await call('POST', `/tasks/${id}/suspend`, {})).body.status, 'suspended');
    await w.drive(60_000); // the card in hand finishes
    const held = await progress();
    assert.ok(held < 8, `suspended at ${held}/8`);
    await w.drive(240_000);
    assert.equal(await progress(), held, 'no card while suspended');
    assert.equal((await call('POST', `/tasks/${id}/resume`, {})).body.status, 'running');
    assert.ok(await w.until(async () => (await w.runtime.tasks.view(id))!.status === 'done', 900_000));
    const done = (await w.runtime.tasks.view(id))!;
    assert.deepEqual([done.progress, done.success], [8, 8], JSON.stringify(done.report));
    assert.equal(new Set(done.report.map((x) => x.place)).size, 8, 'each card once');

    const c = await call('POST', '/tasks', { kind: 'read_iccid', cardIds: cardsOf('train') });
    const cid = (c.body.items as Array<{ id: number }>)[0]!.id;
    assert.ok(await w.until(async () => (await w.runtime.tasks.view(cid))!.status === 'running', 120_000));
    assert.equal((await call('POST', `/tasks/${cid}/cancel`, {})).body.status, 'cancelled');
    await w.drive(300_000);
    const v = (await w.runtime.tasks.view(cid))!;
    assert.equal(v.status, 'cancelled');
    assert.ok(v.progress < 11, `cancelled at ${v.progress}/11`);
  });
});
