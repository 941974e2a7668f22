import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedAggregator, seedCard, startPanel, type Panel } from './support.ts';
import { testDialects } from '../../src/store/testing.ts';

for (const dialect of testDialects()) describe(`${dialect}: admin api: cards`, () => {
  let p: Panel;
  let bank: number;
  let train: number;
  const ids = { a1: 0, b12: 0, a2: 0, t: 0 };

  before(async () => {
    p = await startPanel(dialect);
    bank = await seedAggregator(p, 'SR-Box-Bank', 'Bank', { bankMap: '11000000' });
    train = await seedAggregator(p, 'SR-Train', 'Train');
    ids.a1 = await seedCard(p, bank, 'a1', { number: '+79160000001', operator: 'MTS RUS', balance: 10.5, title: 'alpha', comment: 'vip client', iccid: '8970101000000000001' });
    ids.b12 = await seedCard(p, bank, 'B12', { number: '79160000002', operator: 'MEGAFON', balance: -3, title: 'beta', comment: 'spare' });
    ids.a2 = await seedCard(p, bank, 'A2', { number: '380501234567', operator: 'KYIVSTAR', balance: 0, title: '100%_sure' });
    ids.t = await seedCard(p, train, '2-8', { operator: 'mts', comment: 'no number yet' });
  });
  after(async () => { await p.close(); });

  const list = async (q: string) => {
    const r = await p.call('GET', `/cards?${q}`, { token: p.admin });
    assert.equal(r.status, 200, r.text);
    return r.body as { total: number; items: { id: number; place: string }[] };
  };
  const idsOf = async (q: string) => (await list(q)).items.map((c) => c.id).sort((a, b) => a - b);

  test('places are parsed by the model and stored canonical; a place outside the model → SIMNAV_ERR_BAD_PLACE', async () => {
    const a1 = await p.call('GET', `/cards/${ids.a1}`, { token: p.admin });
    assert.equal(a1.body.place, 'A1');
    assert.equal(a1.body.number, '79160000001');
    assert.equal(a1.body.operatorTitle, 'MTS');
    assert.equal(a1.body.operatorColor, '#e30611');
    const bad = await p.call('POST', '/cards', { token: p.admin, json: { aggregatorId: bank, place: 'A17' } });
    assert.equal(bad.body.code, 'SIMNAV_ERR_BAD_PLACE', 'bank map 11000000 has rows 1–16');
    const dup = await p.call('POST', '/cards', { token: p.admin, json: { aggregatorId: bank, place: 'C3', number: '79160000001' } });
    assert.equal(dup.body.code, 'SIMNAV_ERR_CONFLICT');
  });

  test('filters: number, ICCID, title, operator title or network name, aggregator, place prefix', async () => {
    assert.deepEqual(await idsOf('number=%2B7916'), [ids.a1, ids.b12].sort((a, b) => a - b));
    assert.deepEqual(await idsOf('iccid=0001'), [ids.a1]);
    assert.deepEqual(await idsOf('title=ALP'), [ids.a1]);
    assert.deepEqual(await idsOf('operator=MTS'), [ids.a1, ids.t].sort((a, b) => a - b), 'profile title MTS covers MTS RUS and mts');
    assert.deepEqual(await idsOf('operator=megafon'), [ids.b12]);
    assert.deepEqual(await idsOf(`aggregatorId=${train}`), [ids.t]);
    assert.deepEqual(await idsOf('placePrefix=a'), [ids.a1, ids.a2].sort((a, b) => a - b));
    assert.deepEqual(await idsOf('placePrefix=2-'), [ids.t]);
  });

  test('filters: balance comparisons and comment contains / ^ does not contain', async () => {
    assert.deepEqual(await idsOf('balance=%3E0'), [ids.a1]);
    assert.deepEqual(await idsOf('balance=%3C0'), [ids.b12]);
    assert.deepEqual(await idsOf('balance=0'), [ids.a2]);
    assert.deepEqual(await idsOf('balance=%3E%3D-3'), [ids.a1, ids.b12, ids.a2].sort((a, b) => a - b));
    assert.deepEqual(await idsOf('balance=10%2C5'), [ids.a1]);
    const bad = await p.call('GET', '/cards?balance=%3E1 OR 1=1', { token: p.admin });
    assert.equal(bad.body.code, 'SIMNAV_ERR_VALIDATION');
    assert.deepEqual(await idsOf('comment=vip'), [ids.a1]);
    assert.deepEqual(await idsOf('comment=%5Evip'), [ids.b12, ids.a2, ids.t].sort((a, b) => a - b));
  });

  test('LIKE wildcards and SQL metacharacters in filters are plain text', async () => {
    assert.deepEqual(await idsOf('title=100%25_'), [ids.a2]);
    assert.deepEqual(await idsOf('title=%25'), [ids.a2], '% only matches a literal %');
    assert.deepEqual(await idsOf('title=_'), [ids.a2], '_ only matches a literal _');
    for (const evil of ["' OR '1'='1", '"; DROP TABLE cards; --', '\\', "%' --"]) {
      const r = await list(`title=${encodeURIComponent(evil)}&comment=${encodeURIComponent(evil)}&placePrefix=${encodeURIComponent(evil.slice(0, 16))}`);
      assert.equal(r.total, 0, evil);
    }
    assert.equal((await list('')).total, 4, 'nothing was dropped');
  });

  test('sort (place within aggregator, balance, number) both ways, and pagination with a total', async () => {
    const byPlace = (await list('sort=place')).items.map((c) => c.place);
    assert.deepEqual(byPlace, ['A1', 'A2', 'B12', '2-8']);
    const byBalance = (await list('sort=balance&desc=true&balance=%3E%3D-100')).items.map((c) => c.id);
    assert.deepEqual(byBalance, [ids.a1, ids.a2, ids.b12]);
    const p1 = await list('sort=number&limit=2&offset=0');
    const p2 = await list('sort=number&limit=2&offset=2');
    assert.equal(p1.total, 4);
    assert.equal(p1.items.length + p2.items.length, 4);
    assert.equal(new Set([...p1.items, ...p2.items].map((c) => c.id)).size, 4);
    assert.equal((await p.call('GET', '/cards?limit=100000', { token: p.admin })).status, 400);
    assert.equal((await p.call('GET', '/cards?sort=password_hash', { token: p.admin })).status, 400);
  });

  test('edit: number, place (re-parsed), balance keeps the previous value; delete one and many', async () => {
    const e = await p.call('PATCH', `/cards/${ids.t}`, { token: p.admin, json: { number: '79169999999', place: '3-1', balance: 5 } });
    assert.equal(e.status, 200, e.text);
    const e2 = await p.call('PATCH', `/cards/${ids.t}`, { token: p.admin, json: { balance: 7 } });
    assert.equal(e2.status, 200);
    const t = await p.call('GET', `/cards/${ids.t}`, { token: p.admin });
    assert.deepEqual([t.body.number, t.body.place, t.body.balance, t.body.lastBalance], ['79169999999', '3-1', 7, 5]);
    const bad = await p.call('PATCH', `/cards/${ids.t}`, { token: p.admin, json: { number: '7916abc' } });
    assert.equal(bad.body.code, 'SIMNAV_ERR_VALIDATION');
    const extra = await seedCard(p, train, '4-1');
    const extra2 = await seedCard(p, train, '4-2');
    assert.deepEqual((await p.call('DELETE', `/cards/${extra}`, { token: p.admin })).body, { count: 1 });
    assert.equal((await p.call('DELETE', `/cards/${extra}`, { token: p.admin })).status, 404);
    assert.deepEqual((await p.call('POST', '/cards/delete', { token: p.admin, json: { ids: [extra2, 999999] } })).body, { count: 1 });
  });

  test('viewer reads but cannot change cards; pool-scoped users see only their pools’ cards', async () => {
    const viewer = await p.userWithToken('viewer', 'viewer');
    assert.equal((await p.call('GET', '/cards', { token: viewer.token })).status, 200);
    const w = await p.call('PATCH', `/cards/${ids.a1}`, { token: viewer.token, json: { title: 'x' } });
    assert.equal(w.status, 403);
    const pool = await p.call('POST', '/pools', { token: p.admin, json: { title: 'scoped', cardIds: [ids.b12] } });
    const scoped = await p.userWithToken('scoped', 'operator', [pool.body.pool.id]);
    const seen = await p.call('GET', '/cards', { token: scoped.token });
    assert.deepEqual(seen.body.items.map((c: { id: number }) => c.id), [ids.b12]);
    assert.equal((await p.call('GET', `/cards/${ids.a1}`, { token: scoped.token })).status, 404);
    assert.equal((await p.call('PATCH', `/cards/${ids.a1}`, { token: scoped.token, json: { title: 'x' } })).status, 404);
    assert.equal((await p.call('PATCH', `/cards/${ids.b12}`, { token: scoped.token, json: { title: 'mine' } })).status, 200);
    assert.equal((await p.call('POST', '/cards/delete', { token: scoped.token, json: { ids: [ids.a1] } })).status, 403);
  });
});
