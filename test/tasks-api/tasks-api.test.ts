/**
 * The tasks routes over real HTTP on loopback (buildApp + listen on port 0, fresh SQLite): create
 * from cards or a pool (one task per aggregator), list, get, suspend / resume / cancel with their
 * state rules, roles, bad input, audit rows and `task.progress` events.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditRows, seedAggregator, seedCard, startPanel, type Panel } from '../admin/support.ts';
import type { Stamped } from '../../src/domain/events/bus.ts';

describe('tasks api', () => {
  let p: Panel;
  let nanoA: number;
  let nanoB: number;
  let train: number;
  const cardsA: number[] = [];
  const cardsB: number[] = [];
  let trainCard: number;
  let viewer: string;
  let operator: string;
  const events: Stamped[] = [];

  before(async () => {
    p = await startPanel();
    p.app.events.subscribe((e) => { if (e.type === 'task.progress') events.push(e); });
    nanoA = await seedAggregator(p, 'SR-Nano-500', 'Nano A');
    nanoB = await seedAggregator(p, 'SR-Nano-500', 'Nano B');
    train = await seedAggregator(p, 'SR-Train', 'Train');
    // Seeded out of slot order: tasks list places in slot order.
    for (const place of ['B3', 'A5', 'A1']) cardsA.push(await seedCard(p, nanoA, place));
    for (const place of ['C7']) cardsB.push(await seedCard(p, nanoB, place));
    trainCard = await seedCard(p, train, '1-1');
    viewer = (await p.userWithToken('v', 'viewer')).token;
    operator = (await p.userWithToken('o', 'operator')).token;
  });
  after(async () => { await p.close(); });

  test('create / scan_number over cards of two aggregators → 201, one queued task each, places in slot order', async () => {
    const before = events.length;
    const r = await p.call('POST', '/tasks', { token: operator, json: { kind: 'scan_number', cardIds: [...cardsA, ...cardsB] } });
    assert.equal(r.status, 201, r.text);
    const items = r.body.items as Array<Record<string, unknown>>;
    assert.deepEqual(items.map((t) => [t.aggregatorId, t.kind, t.status, t.total, t.progress]), [[nanoA, 'scan_number', 'queued', 3, 0], [nanoB, 'scan_number', 'queued', 1, 0]]);
    assert.equal(typeof items[0]!.createdAt, 'number');
    assert.equal(items[0]!.startedAt, null);
    const units = await p.store.db.selectFrom('task_units').select('unit').where('task_id', '=', items[0]!.id as number).orderBy('id').execute();
    assert.deepEqual(units.map((u) => JSON.parse(u.unit).place), ['A1', 'A5', 'B3']);
    const evs = events.slice(before);
    assert.deepEqual(evs.map((e) => e.type === 'task.progress' && [e.taskId, e.status, e.total]), [[items[0]!.id, 'queued', 3], [items[1]!.id, 'queued', 1]]);
    const audit = (await auditRows(p))[0]!;
    assert.equal(audit.action, 'task.create');
    assert.match(audit.target, new RegExp(`task:${String(items[0]!.id)}`));
  });

  test('create / from a pool → one task for the pool\'s cards', async () => {
    const pool = await p.call('POST', '/pools', { token: p.admin, json: { title: 'scan pool', cardIds: [cardsA[1], cardsB[0]] } });
    assert.equal(pool.status, 201, pool.text);
    const r = await p.call('POST', '/tasks', { token: p.admin, json: { kind: 'scan_number', poolId: pool.body.pool.id } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual((r.body.items as Array<{ aggregatorId: number; total: number }>).map((t) => [t.aggregatorId, t.total]), [[nanoA, 1], [nanoB, 1]]);
  });

  test('create / every kind on every model: check_balance on a Nano, a scan over a Nano and a Train card → one task each', async () => {
    const balance = await p.call('POST', '/tasks', { token: operator, json: { kind: 'check_balance', cardIds: cardsA } });
    assert.equal(balance.status, 201, balance.text);
    assert.deepEqual((balance.body.items as Array<{ kind: string; total: number }>).map((t) => [t.kind, t.total]), [['check_balance', 3]]);
    const mixed = await p.call('POST', '/tasks', { token: operator, json: { kind: 'scan_number', cardIds: [cardsA[0], trainCard] } });
    assert.equal(mixed.status, 201, mixed.text);
    assert.deepEqual((mixed.body.items as Array<{ aggregatorId: number }>).map((t) => t.aggregatorId), [nanoA, train]);
    for (const kind of ['read_iccid', 'pull_sms']) assert.equal((await p.call('POST', '/tasks', { token: operator, json: { kind, cardIds: [trainCard] } })).status, 201, kind);
  });

  test('create / a model without a device driver → 422 SIMNAV_ERR_TASK_UNSUPPORTED, nothing queued', async () => {
    const count = async () => (await p.store.db.selectFrom('tasks').select('id').execute()).length;
    const n = await count();
    const odd = await seedAggregator(p, 'SR-Nano-500', 'Odd');
    const card = await seedCard(p, odd, 'A1');
    await p.store.db.updateTable('aggregators').set({ model: 'SR-Teleporter' }).where('id', '=', odd).execute();
    const r = await p.call('POST', '/tasks', { token: operator, json: { kind: 'scan_number', cardIds: [cardsA[0], card] } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.code, 'SIMNAV_ERR_TASK_UNSUPPORTED');
    assert.match(r.body.message, /Odd/);
    assert.equal(await count(), n, 'a refused request queues nothing (not even for the Nano)');
  });

  test('create / send_sms rotates SIMs: each unit takes the next perSim recipients; only as many SIMs as needed', async () => {
    const r = await p.call('POST', '/tasks', { token: operator, json: { kind: 'send_sms', cardIds: cardsA, params: { recipients: ['+7 900 000-00-01', '79000000002', '+79000000003'], text: 'hello', perSim: 2 } } });
    assert.equal(r.status, 201, r.text);
    const task = (r.body.items as Array<{ id: number; total: number }>)[0]!;
    assert.equal(task.total, 2);
    const units = await p.store.db.selectFrom('task_units').select('unit').where('task_id', '=', task.id).orderBy('id').execute();
    assert.deepEqual(units.map((u) => JSON.parse(u.unit)), [{ place: 'A1', recipients: ['+79000000001', '+79000000002'] }, { place: 'A5', recipients: ['+79000000003'] }]);
    const row = await p.store.db.selectFrom('tasks').select('params').where('id', '=', task.id).executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(row.params), { recipients: ['+79000000001', '+79000000002', '+79000000003'], text: 'hello', perSim: 2 });
  });

  test('create / hostile or wrong params → 400 SIMNAV_ERR_VALIDATION with the reason, nothing queued', async () => {
    const count = async () => (await p.store.db.selectFrom('tasks').select('id').execute()).length;
    const n = await count();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ kind: 'send_sms', params: { text: 'x' } }, /recipients/],
      [{ kind: 'send_sms', params: { recipients: ['+79000000001;AT+CFUN=0'], text: 'x' } }, /recipients\[0\]/],
      [{ kind: 'send_sms', params: { recipients: ['+79000000001'], text: '' } }, /text/],
      [{ kind: 'send_sms', params: { recipients: ['+79000000001'], text: 'a\u0000b' } }, /control/],
      [{ kind: 'send_sms', params: { recipients: ['+79000000001'], text: 'x', perSim: 0 } }, /perSim/],
      [{ kind: 'send_sms', params: { recipients: Array.from({ length: 7 }, (_, i) => `+7900000000${i}`), text: 'x', perSim: 2 } }, /need 4 SIMs; 3 chosen/],
      [{ kind: 'test_call', params: {} }, /number/],
      [{ kind: 'test_call', params: { number: '+79000000001', seconds: 3600 } }, /seconds/],
      [{ kind: 'scan_number', params: { deep: true } }, /no parameter "deep"/],
      [{ kind: 'pull_sms', params: [1] }, /params|object/],
    ];
    for (const [json, why] of cases) {
      const body = { ...json, cardIds: cardsA };
      const r = await p.call('POST', '/tasks', { token: operator, json: body });
      assert.equal(r.status, 400, `${JSON.stringify(json)} → ${r.text}`);
      assert.equal(r.body.code, 'SIMNAV_ERR_VALIDATION');
      assert.match(r.body.message, why, JSON.stringify(json));
    }
    assert.equal(await count(), n);
  });

  test('create / bad input → typed 400/404 errors', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ kind: 'scan_number' }, 400, 'SIMNAV_ERR_VALIDATION'],
      [{ kind: 'scan_number', cardIds: [] }, 400, 'SIMNAV_ERR_VALIDATION'],
      [{ kind: 'scan_number', cardIds: [cardsA[0]], poolId: 1 }, 400, 'SIMNAV_ERR_VALIDATION'],
      [{ kind: 'scan_number', cardIds: ['x'] }, 400, 'SIMNAV_ERR_VALIDATION'],
      [{ kind: 'format_disk', cardIds: [cardsA[0]] }, 400, 'SIMNAV_ERR_VALIDATION'],
      [{ kind: 'scan_number', cardIds: [cardsA[0], 999999] }, 404, 'SIMNAV_ERR_NOT_FOUND'],
      [{ kind: 'scan_number', poolId: 999999 }, 404, 'SIMNAV_ERR_NOT_FOUND'],
      [[1, 2], 400, 'SIMNAV_ERR_VALIDATION'],
    ];
    for (const [json, status, code] of cases) {
      const r = await p.call('POST', '/tasks', { token: operator, json });
      assert.equal(r.status, status, `${JSON.stringify(json)} → ${r.text}`);
      assert.equal(r.body.code, code, JSON.stringify(json));
    }
    const broken = await p.call('POST', '/tasks', { token: operator, raw: '{"kind":', contentType: 'application/json' });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.code, 'SIMNAV_ERR_BAD_JSON');
    assert.equal((await p.call('GET', '/tasks/0', { token: viewer })).body.code, 'SIMNAV_ERR_VALIDATION');
    assert.equal((await p.call('GET', '/tasks?limit=0', { token: viewer })).body.code, 'SIMNAV_ERR_VALIDATION');
  });

  test('list and get / newest first with total and limit; unknown id → 404', async () => {
    const all = await p.call('GET', '/tasks', { token: viewer });
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('cache-control'), 'no-store');
    const ids = (all.body.items as Array<{ id: number }>).map((t) => t.id);
    assert.ok(ids.length >= 4);
    assert.equal(all.body.total, ids.length);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const one = await p.call('GET', '/tasks?limit=1', { token: viewer });
    assert.deepEqual([one.body.total, one.body.items.length, one.body.items[0].id], [ids.length, 1, ids[0]]);
    const byAgg = await p.call('GET', `/tasks?aggregatorId=${nanoB}`, { token: viewer });
    assert.ok((byAgg.body.items as Array<{ aggregatorId: number }>).every((t) => t.aggregatorId === nanoB));
    const got = await p.call('GET', `/tasks/${ids[0]!}`, { token: viewer });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, all.body.items[0]);
    const missing = await p.call('GET', '/tasks/999999', { token: viewer });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'SIMNAV_ERR_NOT_FOUND');
  });

  test('suspend / resume / cancel / each allowed once from the right state, else 409; audited and published', async () => {
    const r = await p.call('POST', '/tasks', { token: operator, json: { kind: 'scan_number', cardIds: cardsB } });
    const id = r.body.items[0].id as number;
    const act = (what: string) => p.call('POST', `/tasks/${id}/${what}`, { token: operator, json: {} });
    const before = events.length;

    const resumeQueued = await act('resume');
    assert.equal(resumeQueued.status, 409);
    assert.equal(resumeQueued.body.code, 'SIMNAV_ERR_CONFLICT');

    const s = await act('suspend');
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.status, 'suspended');
    assert.equal((await act('suspend')).status, 409);

    const u = await act('resume');
    assert.equal(u.body.status, 'running');

    const c = await act('cancel');
    assert.equal(c.body.status, 'cancelled');
    assert.equal(typeof c.body.finishedAt, 'number');
    assert.equal((await act('cancel')).status, 409);
    assert.equal((await act('resume')).status, 409);
    const units = await p.store.db.selectFrom('task_units').select('status').where('task_id', '=', id).execute();
    assert.ok(units.every((x) => x.status === 'cancelled'), 'cancel stops every unit');

    assert.deepEqual(events.slice(before).map((e) => e.type === 'task.progress' && [e.taskId, e.status]), [[id, 'suspended'], [id, 'running'], [id, 'cancelled']]);
    const audit = (await auditRows(p)).slice(0, 3).map((a) => [a.action, a.target]);
    assert.deepEqual(audit, [['task.cancel', `task:${id}`], ['task.resume', `task:${id}`], ['task.suspend', `task:${id}`]]);
    assert.equal((await p.call('POST', '/tasks/999999/cancel', { token: operator, json: {} })).body.code, 'SIMNAV_ERR_NOT_FOUND');
  });

  test('roles / no credentials → 401; a viewer reads but cannot create or change (403, nothing audited)', async () => {
    for (const [m, path] of [['GET', '/tasks'], ['GET', '/tasks/1'], ['POST', '/tasks'], ['POST', '/tasks/1/cancel']] as const) {
      const r = await p.call(m, path, m === 'POST' ? { json: {} } : {});
      assert.equal(r.status, 401, `${m} ${path}`);
      assert.equal(r.body.code, 'SIMNAV_ERR_UNAUTHENTICATED');
    }
    const list = await p.call('GET', '/tasks', { token: viewer });
    assert.equal(list.status, 200);
    const id = list.body.items.find((t: { status: string }) => t.status === 'queued').id as number;
    const auditBefore = (await auditRows(p)).length;
    for (const path of ['/tasks', `/tasks/${id}/suspend`, `/tasks/${id}/resume`, `/tasks/${id}/cancel`]) {
      const r = await p.call('POST', path, { token: viewer, json: { kind: 'scan_number', cardIds: cardsA } });
      assert.equal(r.status, 403, path);
      assert.equal(r.body.code, 'SIMNAV_ERR_FORBIDDEN');
    }
    assert.equal((await auditRows(p)).length, auditBefore);
    assert.equal((await p.call('GET', `/tasks/${id}`, { token: viewer })).body.status, 'queued');
  });

  test('scope / a pool-scoped operator reaches only cards of its pools', async () => {
    const pool = await p.call('POST', '/pools', { token: p.admin, json: { title: 'scoped', cardIds: [cardsA[0]] } });
    const scoped = (await p.userWithToken('scoped-op', 'operator', [pool.body.pool.id as number])).token;
    const outside = await p.call('POST', '/tasks', { token: scoped, json: { kind: 'scan_number', cardIds: [cardsA[0], cardsA[1]] } });
    assert.equal(outside.status, 404);
    const otherPool = await p.call('POST', '/tasks', { token: scoped, json: { kind: 'scan_number', poolId: 1 } });
    assert.equal(otherPool.status, 404);
    const inside = await p.call('POST', '/tasks', { token: scoped, json: { kind: 'scan_number', cardIds: [cardsA[0]] } });
    assert.equal(inside.status, 201, inside.text);
    assert.equal(inside.body.items[0].total, 1);
  });
});
