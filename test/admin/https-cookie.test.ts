import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminApi } from '../../src/http/admin/plugin.ts';
import { createPoolService } from '../../src/domain/pools/service.ts';
import { createTestStore, type TestStore } from '../../src/store/testing.ts';
import { realClock } from '../../src/lib/clock.ts';
import { createUser } from '../../src/domain/users/users.ts';

let dir: string;
let store: TestStore;
let app: FastifyInstance | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simnav-tls-'));
  store = await createTestStore('sqlite');
});
after(async () => {
  await app?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('session cookie over https carries Secure (plus HttpOnly, SameSite=Strict)', async (t) => {
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { encoding: 'utf8' });
  if (gen.status !== 0) { t.skip('openssl not available'); return; }
  app = Fastify({ logger: false, https: { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) } });
  await app.register(adminApi, { prefix: '/api/v1', store, pools: createPoolService({ store, clock: realClock() }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const u = await createUser({ db: store.db, clock: realClock() }, { login: 'tls', role: 'viewer', password: 'tls password 123' });
  assert.ok(u.ok);
  const body = JSON.stringify({ login: 'tls', password: 'tls password 123' });
  const cookies = await new Promise<string[]>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/session', method: 'POST', rejectUnauthorized: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['set-cookie'] ?? []));
    });
    req.on('error', reject);
    req.end(body);
  });
  const session = cookies.find((c) => c.startsWith('simnav_session='));
  assert.ok(session, JSON.stringify(cookies));
  for (const attr of ['Secure', 'HttpOnly', 'SameSite=Strict']) assert.match(session, new RegExp(attr));
  assert.match(cookies.find((c) => c.startsWith('simnav_csrf='))!, /Secure/);
});
