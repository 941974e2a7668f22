import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { createTestStore, type TestStore } from '../../store/testing.ts';

type Op = { summary?: string; 'x-simnav-access'?: string; responses: Record<string, unknown> };
let store: TestStore;
let app: FastifyInstance;
let doc: { paths: Record<string, Record<string, Op>> };

before(async () => {
  store = await createTestStore('sqlite');
  app = await buildApp({ store, logLevel: false });
  const r = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.equal(r.statusCode, 200);
  doc = r.json() as typeof doc;
});
after(async () => { await app.close(); await store.close(); });

/**
 * Every method + path fastify serves, read from its own route tree (`printRoutes`), which knows
 * nothing of the catalogue the document is built from. Lines look like `│   ├── /read (POST)`:
 * the depth is the indentation in 4-column steps, a path is its ancestors' segments joined.
 */
function servedRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('').replace(/\/+/g, '/');
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) out.push(`${method} ${path}`);
  }
  return out;
}

test('openapi / every route served under /api/v1 by any plugin is in the document, and nothing else', () => {
  const served = servedRoutes(app.printRoutes({ commonPrefix: false }))
    .filter((r) => !r.startsWith('HEAD ') && /^\w+ \/api\/v1\//.test(r))
    .map((r) => r.replace(' /api/v1', ' ').replace(/:(\w+)/g, '{$1}').replace('  ', ' '));
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual([...new Set(documented)].sort(), [...new Set(served)].sort());
  // The plugins that were missing (console API, tasks, device actions) are there, with their access.
  for (const [method, path, access] of [['post', '/tasks', 'write'], ['post', '/tasks/{id}/suspend', 'write'], ['post', '/aggregators/{id}/init', 'admin'],
    ['post', '/online/{cardId}/ussd', 'write'], ['get', '/aggregators/{id}/layout', 'read'], ['put', '/settings', 'admin'], ['get', '/events', 'read']] as const) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
    assert.equal(op['x-simnav-access'], access, `${method.toUpperCase()} ${path} access`);
    assert.ok(op.summary && !op.summary.startsWith(method.toUpperCase()), `${method.toUpperCase()} ${path} has a summary`);
    assert.ok(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method.toUpperCase()} ${path} documents its errors`);
  }
});
