import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditRows, seedCard, startPanel, type Panel } from './support.ts';
import { testDialects } from '../../src/store/testing.ts';
import { hashSecret } from '../../src/domain/auth/secrets.ts';

for (const dialect of testDialects()) describe(`${dialect}: admin api: aggregators`, () => {
  let p: Panel;
  before(async () => { p = await startPanel(dialect); });
  after(async () => { await p.close(); });

  test('create → 201 with a long random token, its link URL, stored only as a hash; audited', async () => {
    const r = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'sr-box-bank', title: 'Bank 1', settings: { bankMap: '11000000' } } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.aggregator.model, 'SR-Box-Bank');
    assert.match(r.body.token, /^[\w-]{32}$/);
    assert.equal(r.body.linkUrl, `${p.origin}/link.php?token=${r.body.token}`);
    assert.equal(r.body.aggregator.tokenHint, r.body.token.slice(-3));
    const row = await p.store.db.selectFrom('aggregators').selectAll().where('id', '=', r.body.aggregator.id).executeTakeFirstOrThrow();
    assert.equal(row.link_token_hash, hashSecret(r.body.token));
    assert.ok(!JSON.stringify(row).includes(r.body.token), 'the token itself is not stored');
    const [last] = await auditRows(p);
    assert.deepEqual(last, { actor: 'token:1', action: 'aggregator.create', target: String(r.body.aggregator.id) });
  });

  test('create with a legacy 10-digit token keeps it (migrated boxes need no reconfiguration); a reused token → 409', async () => {
    const r = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'SR-Train', title: 'Old train', legacyToken: '1234554321' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.token, '1234554321');
    assert.ok(r.body.linkUrl.endsWith('/link.php?token=1234554321'));
    const again = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'SR-Train', title: 'Dup', legacyToken: '1234554321' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'SIMNAV_ERR_CONFLICT');
    const bad = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'SR-Train', title: 'x', legacyToken: '0123456789' } });
    assert.equal(bad.status, 400);
  });

  test('unknown model → SIMNAV_ERR_UNKNOWN_MODEL; bad settings → SIMNAV_ERR_VALIDATION', async () => {
    const r = await p.call('POST', '/aggregators', { token: p.admin, json: { model: "SR-X'; drop table cards;--", title: 't' } });
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(r.body).sort(), ['code', 'error', 'message', 'statusCode']);
    assert.equal(r.body.code, 'SIMNAV_ERR_UNKNOWN_MODEL');
    const s = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'SR-Train', title: 't', settings: { rowBegin: 5, rowEnd: 2 } } });
    assert.equal(s.body.code, 'SIMNAV_ERR_VALIDATION');
  });

  test('list shows last heard and online (heard within 60 s), card counts', async () => {
    const c = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'SR-Organizer', title: 'Org' } });
    const id = c.body.aggregator.id as number;
    await seedCard(p, id, '1-1');
    await p.store.db.updateTable('aggregators').set({ last_heard_at: Date.now() - 5_000 }).where('id', '=', id).execute();
    const list = await p.call('GET', '/aggregators', { token: p.admin });
    const a = list.body.items.find((x: { id: number }) => x.id === id);
    assert.equal(a.online, true);
    assert.equal(a.cards, 1);
    assert.equal(a.modemChannels, 2);
    await p.store.db.updateTable('aggregators').set({ last_heard_at: Date.now() - 120_000 }).where('id', '=', id).execute();
    const one = await p.call('GET', `/aggregators/${id}`, { token: p.admin });
    assert.equal(one.body.online, false);
    assert.ok(one.body.lastHeardAt > 0);
    assert.equal(one.body.link_token_hash, undefined);
  });

  test('edit, rotate the link token (old hash gone), delete removes its cards', async () => {
    const c = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'SR-Box-8', title: 'Box' } });
    const id = c.body.aggregator.id as number;
    const e = await p.call('PATCH', `/aggregators/${id}`, { token: p.admin, json: { title: 'Box renamed', enabled: false } });
    assert.equal(e.status, 200, e.text);
    assert.equal(e.body.title, 'Box renamed');
    assert.equal(e.body.enabled, false);
    const rot = await p.call('POST', `/aggregators/${id}/link-token`, { token: p.admin });
    assert.equal(rot.status, 200);
    assert.notEqual(rot.body.token, c.body.token);
    const row = await p.store.db.selectFrom('aggregators').select('link_token_hash').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.link_token_hash, hashSecret(rot.body.token));
    await seedCard(p, id, 'A', { number: '79990000001' });
    const d = await p.call('DELETE', `/aggregators/${id}`, { token: p.admin });
    assert.equal(d.status, 200);
    assert.equal(d.body.cards, 1);
    const left = await p.store.db.selectFrom('cards').select('id').where('aggregator_id', '=', id).execute();
    assert.equal(left.length, 0);
    assert.equal((await p.call('GET', `/aggregators/${id}`, { token: p.admin })).status, 404);
    assert.equal((await p.call('DELETE', `/aggregators/${id}`, { token: p.admin })).body.code, 'SIMNAV_ERR_NOT_FOUND');
  });

  test('server mode: address and local token are kept; the answer says a token is set, never the token', async () => {
    const c = await p.call('POST', '/aggregators', { token: p.admin, json: { model: 'SR-Box-8', title: 'LAN box', linkMode: 'server', serverIp: '10.0.0.7:8080', serverToken: 'ab12' } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.aggregator.linkMode, 'server');
    assert.equal(c.body.aggregator.serverIp, '10.0.0.7:8080');
    assert.equal(c.body.aggregator.serverTokenSet, true);
    const id = c.body.aggregator.id as number;
    const one = await p.call('GET', `/aggregators/${id}`, { token: p.admin });
    assert.equal(one.body.serverTokenSet, true);
    assert.ok(!one.text.includes('ab12'), 'the local token is not answered');
    const bad = await p.call('PATCH', `/aggregators/${id}`, { token: p.admin, json: { serverIp: 'http://x/ y' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /serverIp/);
    const cleared = await p.call('PATCH', `/aggregators/${id}`, { token: p.admin, json: { linkMode: 'client', serverToken: null } });
    assert.equal(cleared.body.linkMode, 'client');
    assert.equal(cleared.body.serverTokenSet, false);
  });

  test('hostile ids and bodies → 400 in the one error shape, never 500', async () => {
    for (const [m, path, json] of [
      ['GET', '/aggregators/abc', undefined], ['GET', '/aggregators/-1', undefined], ['GET', '/aggregators/99999999999999', undefined],
      ['PATCH', '/aggregators/1', {}], ['PATCH', '/aggregators/1', { title: 'x'.repeat(101) }], ['PATCH', '/aggregators/1', { settings: { bankMap: '2' } }], ['POST', '/aggregators', { title: { a: 1 }, model: 'SR-Train' }],
    ] as const) {
      const r = await p.call(m, path, { token: p.admin, ...(json !== undefined ? { json } : {}) });
      assert.equal(r.status, 400, `${m} ${path} ${r.text}`);
      assert.equal(r.body.code, 'SIMNAV_ERR_VALIDATION');
    }
    const broken = await p.call('POST', '/aggregators', { token: p.admin, raw: '{"model":', contentType: 'application/json' });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.code, 'SIMNAV_ERR_BAD_JSON');
    const unknown = await p.call('GET', '/nope', { token: p.admin });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'SIMNAV_ERR_ROUTE_NOT_FOUND');
  });
});
