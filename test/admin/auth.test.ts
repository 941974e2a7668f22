import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditRows, startPanel, type Panel } from './support.ts';
import { hashSecret } from '../../src/domain/auth/secrets.ts';

function cookiesOf(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of h.getSetCookie()) out[c.split('=')[0]!] = c;
  return out;
}

function valueOf(setCookie: string): string {
  return setCookie.split(';')[0]!.split('=').slice(1).join('=');
}

describe('admin api: sessions, tokens, CSRF, rate limiting', () => {
  let p: Panel;
  before(async () => { p = await startPanel(); });
  after(async () => { await p.close(); });

  test('sign in → HttpOnly SameSite=Strict session cookie, CSRF token; whoami; the store keeps only hashes', async () => {
    const u = await p.userWithToken('alice', 'operator');
    const r = await p.call('POST', '/session', { json: { login: 'alice', password: u.password } });
    assert.equal(r.status, 200, r.text);
    const c = cookiesOf(r.headers);
    assert.match(c.simnav_session!, /HttpOnly/);
    assert.match(c.simnav_session!, /SameSite=Strict/);
    assert.doesNotMatch(c.simnav_session!, /Secure/, 'plain http on loopback: no Secure flag');
    assert.doesNotMatch(c.simnav_csrf!, /HttpOnly/, 'the CSRF cookie is readable by the console');
    const sid = valueOf(c.simnav_session!);
    assert.equal(valueOf(c.simnav_csrf!), r.body.csrfToken);
    const rows = await p.store.db.selectFrom('sessions').selectAll().execute();
    assert.ok(rows.some((s) => s.id_hash === hashSecret(sid)));
    assert.ok(!JSON.stringify(rows).includes(sid));
    const me = await p.call('GET', '/session', { cookie: `simnav_session=${sid}` });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.login, 'alice');
    assert.equal(me.body.user.role, 'operator');
    assert.equal(me.body.csrfToken, r.body.csrfToken);
    assert.equal(me.headers.get('cache-control'), 'no-store');
    const userRow = await p.store.db.selectFrom('users').select('password_hash').where('login', '=', 'alice').executeTakeFirstOrThrow();
    assert.match(userRow.password_hash, /^scrypt\$15\$8\$1\$/);
  });

  test('Secure cookie when the request came over https (x-forwarded-proto is not trusted; protocol decides)', async () => {
    // buildApp does not trust proxies, so a forged header must not change anything.
    const u = await p.userWithToken('bob', 'viewer');
    const r = await p.call('POST', '/session', { json: { login: 'bob', password: u.password }, headers: { 'x-forwarded-proto': 'https' } });
    assert.doesNotMatch(cookiesOf(r.headers).simnav_session!, /Secure/);
  });

  test('state-changing requests with a session cookie need the x-csrf-token header', async () => {
    const u = await p.userWithToken('carol', 'admin');
    const r = await p.call('POST', '/session', { json: { login: 'carol', password: u.password } });
    const cookie = `simnav_session=${valueOf(cookiesOf(r.headers).simnav_session!)}`;
    const json = { title: 'CSRF pool' };
    const none = await p.call('POST', '/pools', { cookie, json });
    assert.equal(none.status, 403);
    assert.equal(none.body.code, 'SIMNAV_ERR_CSRF');
    const wrong = await p.call('POST', '/pools', { cookie, json, csrf: r.body.csrfToken.slice(0, -1) + 'x' });
    assert.equal(wrong.body.code, 'SIMNAV_ERR_CSRF');
    assert.equal(await p.store.db.selectFrom('pools').select('id').where('title', '=', 'CSRF pool').executeTakeFirst(), undefined);
    const ok = await p.call('POST', '/pools', { cookie, json, csrf: r.body.csrfToken });
    assert.equal(ok.status, 201, ok.text);
    const read = await p.call('GET', '/pools', { cookie });
    assert.equal(read.status, 200, 'reads need no CSRF header');
    const logoutNoCsrf = await p.call('DELETE', '/session', { cookie });
    assert.equal(logoutNoCsrf.body.code, 'SIMNAV_ERR_CSRF');
    const logout = await p.call('DELETE', '/session', { cookie, csrf: r.body.csrfToken });
    assert.equal(logout.status, 204);
    assert.match(cookiesOf(logout.headers).simnav_session!, /Max-Age=0/);
    assert.equal((await p.call('GET', '/session', { cookie })).status, 401, 'the session ends server-side');
  });

  test('wrong password and unknown login answer the same; garbage cookies and tokens → 401', async () => {
    await p.userWithToken('dave', 'viewer');
    const a = await p.call('POST', '/session', { json: { login: 'dave', password: 'nope' } });
    const b = await p.call('POST', '/session', { json: { login: 'nobody', password: 'nope' } });
    assert.equal(a.status, 401);
    assert.deepEqual(a.body, b.body);
    assert.equal(a.body.code, 'SIMNAV_ERR_BAD_CREDENTIALS');
    for (const o of [{ cookie: 'simnav_session=sns_forged' }, { cookie: "simnav_session=' OR 1=1 --" }, { token: 'snt_forged' }, { headers: { authorization: 'Basic YTpi' } }]) {
      const r = await p.call('GET', '/cards', o);
      assert.equal(r.status, 401, JSON.stringify(o));
      assert.equal(r.body.code, 'SIMNAV_ERR_UNAUTHENTICATED');
    }
    assert.equal((await p.call('GET', '/cards')).status, 401);
  });

  test('sign-in rate limit: 10 failures per login → 429 with Retry-After, even with the right password', async () => {
    const u = await p.userWithToken('erin', 'viewer');
    // from two other addresses, 5 failures each: the address limit (10) is not reached, the login's is
    for (let i = 0; i < 10; i++) {
      const r = await p.call('POST', '/session', { json: { login: 'erin', password: `wrong-${i}` }, from: i < 5 ? '127.0.0.2' : '127.0.0.3' });
      assert.equal(r.status, 401);
    }
    const limited = await p.call('POST', '/session', { json: { login: 'erin', password: u.password }, from: '127.0.0.4' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'SIMNAV_ERR_RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  test('sign-in rate limit: per address — 10 failures over many logins → the address is refused, others are not', async () => {
    const u = await p.userWithToken('frank', 'viewer');
    for (let i = 0; i < 10; i++) {
      const r = await p.call('POST', '/session', { json: { login: `guess-${i}`, password: 'x' }, from: '127.0.0.5' });
      assert.equal(r.status, 401);
    }
    const refused = await p.call('POST', '/session', { json: { login: 'frank', password: u.password }, from: '127.0.0.5' });
    assert.equal(refused.status, 429);
    const elsewhere = await p.call('POST', '/session', { json: { login: 'frank', password: u.password }, from: '127.0.0.6' });
    assert.equal(elsewhere.status, 200);
  });

  test('API tokens: created once by an admin, revoked → 401; expired → 401', async () => {
    const t = await p.call('POST', '/tokens', { token: p.admin, json: { name: 'script', role: 'viewer' } });
    assert.equal(t.status, 201, t.text);
    assert.match(t.body.token, /^snt_[\w-]{43}$/);
    const list = await p.call('GET', '/tokens', { token: p.admin });
    assert.ok(!list.text.includes(t.body.token), 'tokens are never listed');
    assert.equal((await p.call('GET', '/cards', { token: t.body.token })).status, 200);
    assert.equal((await p.call('DELETE', `/tokens/${t.body.info.id}`, { token: p.admin })).status, 200);
    assert.equal((await p.call('GET', '/cards', { token: t.body.token })).status, 401);
    const exp = await p.call('POST', '/tokens', { token: p.admin, json: { name: 'old', role: 'admin', expiresAt: Date.now() - 1 } });
    assert.equal((await p.call('GET', '/cards', { token: exp.body.token })).status, 401);
    const actions = (await auditRows(p)).map((r) => r.action);
    assert.ok(actions.includes('token.create') && actions.includes('token.revoke'));
  });

  test('users: operator cannot manage users or tokens; admin creates with a generated password shown once', async () => {
    const op = await p.userWithToken('gina', 'operator');
    for (const [m, path, json] of [['GET', '/users', undefined], ['POST', '/users', { login: 'x', role: 'admin' }], ['POST', '/tokens', { name: 'x', role: 'admin' }], ['GET', '/audit', undefined]] as const) {
      const r = await p.call(m, path, { token: op.token, ...(json ? { json } : {}) });
      assert.equal(r.status, 403, `${m} ${path}`);
      assert.equal(r.body.code, 'SIMNAV_ERR_FORBIDDEN');
    }
    const c = await p.call('POST', '/users', { token: p.admin, json: { login: 'henry', role: 'viewer' } });
    assert.equal(c.status, 201, c.text);
    assert.equal(typeof c.body.password, 'string');
    assert.ok(c.body.password.length >= 20);
    assert.equal(c.body.user.password_hash, undefined);
    const dup = await p.call('POST', '/users', { token: p.admin, json: { login: 'henry', role: 'viewer' } });
    assert.equal(dup.body.code, 'SIMNAV_ERR_CONFLICT');
    const short = await p.call('POST', '/users', { token: p.admin, json: { login: 'ivan', role: 'viewer', password: 'short' } });
    assert.equal(short.body.code, 'SIMNAV_ERR_VALIDATION');
    const patched = await p.call('PATCH', `/users/${c.body.user.id}`, { token: p.admin, json: { role: 'operator', poolScope: [1, 2] } });
    assert.deepEqual([patched.body.role, patched.body.poolScope], ['operator', [1, 2]]);
    assert.equal((await p.call('DELETE', `/users/${c.body.user.id}`, { token: p.admin })).status, 200);
    assert.equal((await p.call('GET', `/users/${c.body.user.id}`, { token: p.admin })).status, 404);
  });

  test('the last active admin cannot be demoted, disabled or deleted', async () => {
    const users = await p.call('GET', '/users', { token: p.admin });
    const admins = users.body.items.filter((u: { role: string; disabled: boolean }) => u.role === 'admin' && !u.disabled);
    // demote every admin but root, then try root
    for (const a of admins) if (a.login !== 'root') await p.call('PATCH', `/users/${a.id}`, { token: p.admin, json: { role: 'viewer' } });
    const root = admins.find((a: { login: string }) => a.login === 'root');
    for (const json of [{ role: 'viewer' }, { disabled: true }]) {
      const r = await p.call('PATCH', `/users/${root.id}`, { token: p.admin, json });
      assert.equal(r.status, 409);
      assert.equal(r.body.code, 'SIMNAV_ERR_LAST_ADMIN');
    }
    assert.equal((await p.call('DELETE', `/users/${root.id}`, { token: p.admin })).body.code, 'SIMNAV_ERR_LAST_ADMIN');
  });

  test('a user-bound token never exceeds its user’s current role', async () => {
    const u = await p.userWithToken('kate', 'operator');
    const t = await p.call('POST', '/tokens', { token: p.admin, json: { name: 'kate-admin', role: 'admin', userId: u.userId } });
    assert.equal((await p.call('GET', '/users', { token: t.body.token })).status, 403, 'capped at operator');
    assert.equal((await p.call('POST', '/pools', { token: t.body.token, json: { title: 'kate pool' } })).status, 201);
    await p.call('PATCH', `/users/${u.userId}`, { token: p.admin, json: { role: 'viewer' } });
    assert.equal((await p.call('POST', '/pools', { token: t.body.token, json: { title: 'kate pool 2' } })).status, 403, 'demotion applies at once');
  });

  test('disabling a user ends their sessions and user-bound tokens stop working', async () => {
    const u = await p.userWithToken('jack', 'operator');
    assert.equal((await p.call('GET', '/cards', { token: u.token })).status, 200);
    await p.call('PATCH', `/users/${u.userId}`, { token: p.admin, json: { disabled: true } });
    assert.equal((await p.call('GET', '/cards', { token: u.token })).status, 401);
  });
});
