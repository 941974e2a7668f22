import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore } from './testing.ts';
import { pgStorable } from './pg-text.ts';

test('pg text / NUL becomes U+FFFD, nothing else changes', () => {
  assert.equal(pgStorable('a\u0000b\u0000'), 'a\ufffdb\ufffd');
  assert.equal(pgStorable('ёж 😀'), 'ёж 😀');
  assert.equal(pgStorable(5), 5);
  assert.equal(pgStorable(null), null);
});

test('postgres: pg text / a value holding NUL is stored (as U+FFFD) instead of failing the statement', async () => {
  const store = await createTestStore('postgres');
  try {
    const now = Date.now();
    const r = await store.db.insertInto('pools').values({ title: 'a\u0000b', key_hash: 'k\u0000', created_at: now, updated_at: now })
      .returning(['title']).executeTakeFirstOrThrow();
    assert.equal(r.title, 'a\ufffdb');
    const found = await store.db.selectFrom('pools').select('id').where('key_hash', '=', 'k\u0000').execute();
    assert.equal(found.length, 1, 'a lookup by the same value finds it');
  } finally { await store.close(); }
});
