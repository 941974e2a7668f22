import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditRows, seedAggregator, seedCard, startPanel, type Panel } from './support.ts';
import { testDialects } from '../../src/store/testing.ts';
import { hashSecret } from '../../src/domain/auth/secrets.ts';

for (const dialect of testDialects()) describe(`${dialect}: admin api: pools`, () => {
  let p: Panel;
  let bank: number;
  const c: number[] = [];
  before(async () => {
    p = await startPanel(dialect);
    bank = await seedAggregator(p, 'SR-Box-Bank', 'Bank');
    for (const [place, number, op] of [['A1', '79160000101', 'MTS'], ['B1', '79160000102', 'MTS'], ['C1', '79160000103', 'MEGAFON'], ['D1', '79160000104', 'MEGAFON']] as const) {
      c.push(await seedCard(p, bank, place, { number, operator: op, balance: 10 }));
    }
  });
  after(async () => { await p.close(); });

  const poolApi = async (key: string, action: string) => {
    const r = await p.call('GET', `${p.origin}/api/handler.php?pool_key=${encodeURIComponent(key)}&action=${action}`);
    return r.text;
  };

  test('create from a list of cards → key shown once (stored hashed) and accepted by the pool API', async () => {
    const r = await p.call('POST', '/pools', { token: p.admin, json: { title: 'List pool', cardIds: [c[0], c[1], 999999] } });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.key, /^[0-9a-f]{32}$/);
    assert.deepEqual([r.body.pool.cards, r.body.pool.free, r.body.pool.used, r.body.pool.online, r.body.pool.balance], [2, 2, 0, 0, 20]);
    const row = await p.store.db.selectFrom('pools').selectAll().where('id', '=', r.body.pool.id).executeTakeFirstOrThrow();
    assert.equal(row.key_hash, hashSecret(r.body.key));
    const list = await p.call('GET', '/pools', { token: p.admin });
    assert.ok(!list.text.includes(r.body.key), 'the key is never listed');
    assert.notEqual(await poolApi(r.body.key, 'getPoolStatus'), 'BAD_KEY');
    assert.equal((await p.call('POST', '/pools', { token: p.admin, json: { title: 'List pool' } })).body.code, 'SIMNAV_ERR_CONFLICT');
    assert.equal((await p.call('POST', '/pools', { token: p.admin, json: { title: '  ' } })).body.code, 'SIMNAV_ERR_VALIDATION');
  });

  test('create from a filter; add and remove cards; search pools by number', async () => {
    const r = await p.call('POST', '/pools', { token: p.admin, json: { title: 'Megafon', filter: { operator: 'megafon' } } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.pool.cards, 2);
    const id = r.body.pool.id as number;
    const add = await p.call('POST', `/pools/${id}/cards`, { token: p.admin, json: { cardIds: [c[0]] } });
    assert.deepEqual(add.body, { added: 1 });
    const addF = await p.call('POST', `/pools/${id}/cards`, { token: p.admin, json: { filter: { number: '0102' } } });
    assert.deepEqual(addF.body, { added: 1 });
    const rm = await p.call('POST', `/pools/${id}/cards/remove`, { token: p.admin, json: { cardIds: [c[0], c[1]] } });
    assert.deepEqual(rm.body, { removed: 2 });
    const found = await p.call('GET', '/pools?number=0103', { token: p.admin });
    assert.deepEqual(found.body.items.map((x: { title: string }) => x.title), ['Megafon']);
    const bad = await p.call('POST', `/pools/${id}/cards`, { token: p.admin, json: { filter: { balance: 'DROP' } } });
    assert.equal(bad.body.code, 'SIMNAV_ERR_VALIDATION');
  });

  test('rename, restart (USED → FREE, online cards back to HOLD unless keep), rotate key, delete keeps cards', async () => {
    const r = await p.call('POST', '/pools', { token: p.admin, json: { title: 'Cycle', cardIds: c } });
    const id = r.body.pool.id as number;
    const ren = await p.call('PATCH', `/pools/${id}`, { token: p.admin, json: { title: 'Cycle 2' } });
    assert.equal(ren.body.title, 'Cycle 2');
    // mark two used and one online, as the pool API would
    await p.store.db.updateTable('pool_cards').set({ used: 1, used_at: Date.now() }).where('pool_id', '=', id).where('card_id', 'in', [c[0]!, c[1]!]).execute();
    await p.store.db.insertInto('card_online').values({ card_id: c[0]!, aggregator_id: bank, desired: 'online', updated_at: Date.now() }).execute();
    const mid = await p.call('GET', `/pools/${id}`, { token: p.admin });
    assert.deepEqual([mid.body.used, mid.body.free, mid.body.online], [2, 2, 1]);
    const keep = await p.call('POST', `/pools/${id}/restart`, { token: p.admin, json: { keep: true } });
    assert.deepEqual([keep.body.used, keep.body.online], [0, 1]);
    const restart = await p.call('POST', `/pools/${id}/restart`, { token: p.admin });
    assert.equal(restart.status, 200, restart.text);
    assert.equal(restart.body.online, 0);
    const rot = await p.call('POST', `/pools/${id}/rotate-key`, { token: p.admin });
    assert.match(rot.body.key, /^[0-9a-f]{32}$/);
    assert.equal(await poolApi(r.body.key, 'getPoolStatus'), 'BAD_KEY', 'the old key stops working');
    assert.notEqual(await poolApi(rot.body.key, 'getPoolStatus'), 'BAD_KEY');
    const del = await p.call('DELETE', `/pools/${id}`, { token: p.admin });
    assert.deepEqual(del.body, { deleted: true });
    assert.equal((await p.store.db.selectFrom('cards').select('id').execute()).length, 4, 'cards stay');
    assert.equal((await p.call('GET', `/pools/${id}`, { token: p.admin })).status, 404);
    const actions = (await auditRows(p)).slice(0, 5).map((a) => `${a.action} ${a.target}`).reverse();
    assert.deepEqual(actions, ['pool.rename', 'pool.restart', 'pool.restart', 'pool.rotate-key', 'pool.delete'].map((a) => `${a} ${id}`), 'one audit row per change');
  });

  test('pool scope: a scoped operator sees and changes only their pools, cannot create or delete pools', async () => {
    const a = await p.call('POST', '/pools', { token: p.admin, json: { title: 'Scope A', cardIds: [c[0]] } });
    const b = await p.call('POST', '/pools', { token: p.admin, json: { title: 'Scope B', cardIds: [c[1]] } });
    const u = await p.userWithToken('scoped-op', 'operator', [a.body.pool.id]);
    const seen = await p.call('GET', '/pools', { token: u.token });
    assert.deepEqual(seen.body.items.map((x: { title: string }) => x.title), ['Scope A']);
    assert.equal((await p.call('GET', `/pools/${b.body.pool.id}`, { token: u.token })).status, 404);
    assert.equal((await p.call('POST', `/pools/${b.body.pool.id}/rotate-key`, { token: u.token })).status, 404);
    assert.equal((await p.call('POST', `/pools/${a.body.pool.id}/restart`, { token: u.token })).status, 200);
    assert.equal((await p.call('POST', '/pools', { token: u.token, json: { title: 'mine' } })).status, 403);
    assert.equal((await p.call('DELETE', `/pools/${a.body.pool.id}`, { token: u.token })).status, 403);
    // adding cards outside the scope's visible cards adds nothing
    const add = await p.call('POST', `/pools/${a.body.pool.id}/cards`, { token: u.token, json: { cardIds: [c[2]] } });
    assert.deepEqual(add.body, { added: 0 });
  });
});
