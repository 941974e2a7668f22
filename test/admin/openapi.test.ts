import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startPanel, type Panel } from './support.ts';
import { adminApi } from '../../src/http/admin/plugin.ts';
import { createPoolService } from '../../src/domain/pools/service.ts';
import { ERROR_CODES, ERRORS } from '../../src/http/errors.ts';
import { realClock } from '../../src/lib/clock.ts';

interface Op { 'x-simnav-access': string; responses: Record<string, unknown> }
type Doc = { openapi: string; paths: Record<string, Record<string, Op>>; components: { schemas: { Error: { properties: { code: { enum: string[] } } } }; 'x-error-codes': Record<string, unknown> } };

function operations(doc: Doc): { method: string; path: string; access: string }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => ({ method: m.toUpperCase(), path, access: op['x-simnav-access'] })));
}

const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '1');

describe('admin api: OpenAPI document and role matrix', () => {
  let p: Panel;
  let doc: Doc;
  before(async () => {
    p = await startPanel();
    const r = await p.call('GET', '/openapi.json');
    assert.equal(r.status, 200);
    doc = r.body as Doc;
  });
  after(async () => { await p.close(); });

  test('openapi / every route the plugin registers is documented, and nothing else', async () => {
    const app = Fastify({ logger: false });
    const seen: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD' && r.url.startsWith('/api/v1/')) seen.push(`${m} ${r.url.slice('/api/v1'.length).replace(/:(\w+)/g, '{$1}')}`);
    });
    await app.register(adminApi, { prefix: '/api/v1', store: p.store, pools: createPoolService({ store: p.store, clock: realClock() }) });
    await app.ready();
    // The plugin alone documents its own routes; the panel's document adds the other plugins' (src/http/admin/openapi.test.ts).
    const own = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as Doc;
    await app.close();
    const documented = operations(own).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual([...documented].sort(), [...seen].sort());
    assert.ok(seen.length >= 40, `${seen.length} routes`);
    assert.equal(doc.openapi, '3.1.0');
  });

  test('openapi / every error code of the catalogue is in the document (schema enum and code table)', () => {
    assert.deepEqual([...doc.components.schemas.Error.properties.code.enum].sort(), [...ERROR_CODES].sort());
    assert.deepEqual(Object.keys(doc.components['x-error-codes']).sort(), [...ERROR_CODES].sort());
    for (const { method, path } of operations(doc)) {
      const op = doc.paths[path]![method.toLowerCase()]!;
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method} ${path} documents its errors`);
    }
  });

  test('errors / every catalogued code is used by the code (no dead entries)', () => {
    const root = new URL('../../src/', import.meta.url).pathname;
    const files: string[] = [];
    const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(join(d, e.name)); else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) files.push(join(d, e.name)); } };
    walk(join(root, 'http')); walk(join(root, 'domain'));
    const text = files.filter((f) => !f.endsWith('http/errors.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const errorsTs = readFileSync(join(root, 'http/errors.ts'), 'utf8');
    for (const code of ERROR_CODES) {
      const suffix = code.slice('SIMNAV_ERR_'.length);
      const used = text.includes(`'${code}'`) || new RegExp(`failed\\w*(<[^>]*>)?\\('${suffix}'`).test(text)
        || errorsTs.includes(`'${code}'`);
      assert.ok(used, `${code} is never answered`);
      assert.ok(ERRORS[code].statusCode >= 400);
    }
  });

  test('roles / without credentials every non-public route → 401', async () => {
    for (const o of operations(doc).filter((x) => x.access !== 'public')) {
      const r = await p.call(o.method, concrete(o.path));
      assert.equal(r.status, 401, `${o.method} ${o.path}`);
      assert.equal(r.body.code, 'SIMNAV_ERR_UNAUTHENTICATED');
    }
  });

  test('roles / a viewer cannot change anything (every non-GET route → 403, except signing out)', async () => {
    const v = await p.userWithToken('matrix-viewer', 'viewer');
    // `read` routes that change only the caller's own things (PATCH /me: own language) are open to viewers.
    const writes = operations(doc).filter((o) => o.method !== 'GET' && o.access !== 'public' && o.access !== 'read' && !(o.method === 'DELETE' && o.path === '/session'));
    assert.ok(writes.length >= 25);
    const before = await p.store.db.selectFrom('audit_log').select('id').execute();
    for (const o of writes) {
      const r = await p.call(o.method, concrete(o.path), { token: v.token, json: {} });
      assert.equal(r.status, 403, `${o.method} ${o.path}`);
      assert.equal(r.body.code, 'SIMNAV_ERR_FORBIDDEN');
    }
    const afterRows = await p.store.db.selectFrom('audit_log').select('id').execute();
    assert.equal(afterRows.length, before.length, 'refused requests change nothing and write no audit rows');
  });

  test('roles / an operator cannot reach admin routes (users, tokens, audit, aggregators, operator profiles)', async () => {
    const o = await p.userWithToken('matrix-operator', 'operator');
    const adminOnly = operations(doc).filter((x) => x.access === 'admin');
    const tags = new Set(adminOnly.map((x) => x.path.split('/')[1]));
    for (const t of ['users', 'tokens', 'audit', 'aggregators', 'operators']) assert.ok(tags.has(t), t);
    for (const x of adminOnly) {
      const r = await p.call(x.method, concrete(x.path), { token: o.token, json: {} });
      assert.equal(r.status, 403, `${x.method} ${x.path}`);
    }
    const ok = await p.call('GET', '/cards', { token: o.token });
    assert.equal(ok.status, 200);
  });
});
