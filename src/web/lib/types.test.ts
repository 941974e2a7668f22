import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../http/app.ts';
import { createTestStore, type TestStore } from '../../store/testing.ts';
import { VIEW_KEYS } from './types.ts';

type Json = Record<string, unknown>;
let store: TestStore;
let app: FastifyInstance;
let doc: { paths: Record<string, Record<string, Json>> };

before(async () => {
  store = await createTestStore('sqlite');
  app = await buildApp({ store, logLevel: false });
  doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as typeof doc;
});
after(async () => { await app.close(); await store.close(); });

/** Property names of the 200/201 JSON answer of an operation, following `at` (e.g. items → items). */
function answerKeys(path: string, method: string, at: string[]): string[] {
  const op = doc.paths[path]?.[method] as { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> } | undefined;
  assert.ok(op, `${method.toUpperCase()} ${path} is in the OpenAPI document`);
  let s = (op.responses?.['200'] ?? op.responses?.['201'])?.content?.['application/json']?.schema;
  for (const step of at) s = step === '[]' ? (s?.items as Json) : ((s?.properties as Record<string, Json> | undefined)?.[step]);
  assert.ok(s?.properties, `${path}: schema at ${at.join('.')}`);
  return Object.keys(s.properties as Json).sort();
}

const cases: Array<[keyof typeof VIEW_KEYS, string, string, string[]]> = [
  ['aggregator', '/aggregators', 'get', ['items', '[]']],
  ['card', '/cards', 'get', ['items', '[]']],
  ['pool', '/pools', 'get', ['items', '[]']],
  ['sms', '/sms', 'get', ['items', '[]']],
  ['call', '/calls', 'get', ['items', '[]']],
  ['operator', '/operators/{id}', 'get', []],
  ['user', '/users/{id}', 'get', []],
  ['task', '/tasks', 'get', ['items', '[]']],
];

for (const [view, path, method, at] of cases) {
  test(`web types / ${view} has exactly the fields of ${method.toUpperCase()} ${path} in the OpenAPI document`, () => {
    assert.deepEqual([...VIEW_KEYS[view]].sort(), answerKeys(path, method, at));
  });
}
