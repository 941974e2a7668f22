import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestStore, testDialects } from './testing.ts';
import { compiledShapes } from './compiled-shapes.ts';
import type { Db } from './schema.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: compiled shapes`, () => {
    it(`${dialect}: a shape compiled once reruns with each call's own parameters, and a parameter count that does not match the shape is refused`, async () => {
      const store = await createTestStore(dialect);
      try {
        for (const k of ['a', 'b', 'c']) await sql`insert into settings (key, value, updated_at) values (${k}, ${k.toUpperCase()}, 0)`.execute(store.db);
        const run = compiledShapes<Db>();
        let builds = 0;
        const read = (key: string) => run<{ value: string }>(store.db, 'by-key', () => { builds++; return sql<{ value: string }>`select value from settings where key = ${key}`; }, [key]);
        assert.deepEqual((await read('a')).map((r) => r.value), ['A']);
        assert.deepEqual((await read('c')).map((r) => r.value), ['C']);
        assert.deepEqual(await read('zz'), []);
        assert.equal(builds, 1);
        await assert.rejects(run(store.db, 'two', () => sql`select value from settings where key = ${'a'} or key = ${'b'}`, ['a']), /binds 2 parameters, caller passed 1/);
      } finally {
        await store.close();
      }
    });
  });
}
