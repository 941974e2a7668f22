import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditRows, seedAggregator, seedCard, startPanel, type Panel } from './support.ts';
import { testDialects } from '../../src/store/testing.ts';

for (const dialect of testDialects()) describe(`${dialect}: admin api: SMS, calls, operator profiles, audit log`, () => {
  let p: Panel;
  let c1: number;
  let c2: number;
  const sms: number[] = [];
  const calls: number[] = [];
  before(async () => {
    p = await startPanel(dialect);
    const agg = await seedAggregator(p, 'SR-Organizer', 'Org');
    c1 = await seedCard(p, agg, '1-1', { number: '79160000201' });
    c2 = await seedCard(p, agg, '2-1');
    const t0 = Date.UTC(2026, 0, 1);
    for (const [card, sender, text, at] of [[c1, 'Bank', 'Code 1234', t0], [c1, 'Shop', '<img src=x onerror=alert(1)>', t0 + 1000], [c2, 'BANK', "'; DROP TABLE sms; -- 5678", t0 + 2000]] as const) {
      const r = await p.store.db.insertInto('sms').values({ card_id: card, number: null, sender, text, sent_at: at, received_at: at }).returning('id').executeTakeFirstOrThrow();
      sms.push(r.id);
    }
    for (const [card, caller, at] of [[c1, '79000000001', t0], [c2, '79000000002', t0 + 5000]] as const) {
      const r = await p.store.db.insertInto('calls').values({ card_id: card, number: null, caller, at }).returning('id').executeTakeFirstOrThrow();
      calls.push(r.id);
    }
  });
  after(async () => { await p.close(); });

  test('SMS list: newest first, filters sender/text/number/place/read/time; text returned as data, untouched', async () => {
    const all = await p.call('GET', '/sms', { token: p.admin });
    assert.equal(all.body.total, 3);
    assert.deepEqual(all.body.items.map((s: { id: number }) => s.id), [...sms].reverse());
    assert.equal(all.body.items[1].text, '<img src=x onerror=alert(1)>');
    assert.equal(all.headers.get('content-type'), 'application/json; charset=utf-8');
    const q = async (qs: string) => (await p.call('GET', `/sms?${qs}`, { token: p.admin })).body.items.map((s: { id: number }) => s.id).sort();
    assert.deepEqual(await q('sender=bank'), [sms[0], sms[2]].sort());
    assert.deepEqual(await q('text=drop%20table'), [sms[2]]);
    assert.deepEqual(await q('number=0201'), [sms[0], sms[1]].sort());
    assert.deepEqual(await q('place=2-1'), [sms[2]]);
    assert.deepEqual(await q(`since=${Date.UTC(2026, 0, 1) + 500}&until=${Date.UTC(2026, 0, 1) + 1500}`), [sms[1]]);
    assert.equal(all.body.items[0].number, null, 'SMS of a card without a number are listed (legacy hid them)');
  });

  test('mark read / unread and delete SMS; audit rows', async () => {
    const r = await p.call('POST', '/sms/read', { token: p.admin, json: { ids: [sms[0], sms[1], 424242] } });
    assert.deepEqual(r.body, { count: 2 });
    assert.deepEqual((await p.call('GET', '/sms?read=false', { token: p.admin })).body.items.map((s: { id: number }) => s.id), [sms[2]]);
    await p.call('POST', '/sms/read', { token: p.admin, json: { ids: [sms[0]], read: false } });
    assert.equal((await p.call('GET', '/sms?read=true', { token: p.admin })).body.total, 1);
    assert.deepEqual((await p.call('POST', '/sms/delete', { token: p.admin, json: { ids: [sms[1]] } })).body, { count: 1 });
    assert.equal((await p.call('GET', '/sms', { token: p.admin })).body.total, 2);
    const [last, prev] = await auditRows(p);
    assert.equal(last!.action, 'sms.delete');
    assert.equal(prev!.action, 'sms.read');
  });

  test('calls: list with filters, mark read, delete; scoped users see only their pools’ cards', async () => {
    const all = await p.call('GET', '/calls', { token: p.admin });
    assert.deepEqual(all.body.items.map((x: { caller: string }) => x.caller), ['79000000002', '79000000001']);
    assert.equal((await p.call('GET', '/calls?caller=%2B7900000000', { token: p.admin })).body.total, 2);
    assert.deepEqual((await p.call('POST', '/calls/read', { token: p.admin, json: { ids: calls } })).body, { count: 2 });
    const pool = await p.call('POST', '/pools', { token: p.admin, json: { title: 'c1 only', cardIds: [c1] } });
    const u = await p.userWithToken('scoped-inbox', 'operator', [pool.body.pool.id]);
    assert.deepEqual((await p.call('GET', '/calls', { token: u.token })).body.items.map((x: { id: number }) => x.id), [calls[0]]);
    assert.deepEqual((await p.call('GET', '/sms', { token: u.token })).body.items.map((x: { cardId: number }) => x.cardId), [c1]);
    assert.deepEqual((await p.call('POST', '/calls/delete', { token: u.token, json: { ids: [calls[1]] } })).body, { count: 0 }, 'out of scope: untouched');
    assert.deepEqual((await p.call('POST', '/calls/delete', { token: p.admin, json: { ids: [calls[1]] } })).body, { count: 1 });
  });

  test('operator profiles: seeded list, create / edit / delete by admin only, validation', async () => {
    const list = await p.call('GET', '/operators', { token: p.admin });
    assert.ok(list.body.items.length >= 20);
    const op = await p.userWithToken('op-prof', 'operator');
    assert.equal((await p.call('POST', '/operators', { token: op.token, json: { title: 'X' } })).status, 403);
    const c = await p.call('POST', '/operators', { token: p.admin, json: { title: 'Test Mobile', names: ['test mob', ' TEST MOB '], countryPrefix: '7', numberMethod: 'ussd', numberCode: '*111*6#|1', color: '#ABCDEF' } });
    assert.equal(c.status, 201, c.text);
    assert.deepEqual([c.body.names, c.body.color], [['TEST MOB'], '#abcdef']);
    assert.equal((await p.call('PATCH', `/operators/${c.body.id}`, { token: p.admin, json: { color: 'red' } })).body.code, 'SIMNAV_ERR_VALIDATION');
    assert.equal((await p.call('PATCH', `/operators/${c.body.id}`, { token: p.admin, json: { numberCode: '*100#; rm -rf' } })).body.code, 'SIMNAV_ERR_VALIDATION');
    assert.equal((await p.call('PATCH', `/operators/${c.body.id}`, { token: p.admin, json: { balanceMethod: 'sms', balanceCode: 'BALANCE' } })).body.balanceMethod, 'sms');
    assert.equal((await p.call('DELETE', `/operators/${c.body.id}`, { token: p.admin })).status, 200);
    assert.equal((await p.call('GET', `/operators/${c.body.id}`, { token: p.admin })).status, 404);
    assert.equal((await p.call('GET', '/network-names', { token: p.admin })).status, 200);
  });

  test('audit log: admin reads it, newest first, filtered by action; details hold no secrets', async () => {
    const r = await p.call('GET', '/audit?action=operator.create', { token: p.admin });
    assert.equal(r.status, 200);
    assert.equal(r.body.items[0].action, 'operator.create');
    assert.equal(r.body.items[0].details.title, 'Test Mobile');
    assert.equal(r.body.items[0].ip, '127.0.0.1');
    const all = await p.call('GET', '/audit?limit=1000', { token: p.admin });
    assert.ok(all.body.total >= 10);
    const t = await p.call('POST', '/tokens', { token: p.admin, json: { name: 'secret-check', role: 'viewer' } });
    const after = await p.call('GET', '/audit?action=token.create', { token: p.admin });
    assert.ok(!after.text.includes(t.body.token));
  });
});
