import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestStore, testDialects } from './testing.ts';
import { openStore } from './open-store.ts';
import { createWriteBatcher } from './write-batch.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: write batcher`, () => {
    it(`${dialect}: concurrent pieces are each answered after their commit; on SQLite they run in turn, each seeing the ones before`, async () => {
      const store = await createTestStore(dialect);
      const other = await openStore(store.url); // another connection: sees committed rows only
      try {
        const batch = createWriteBatcher(store);
        const seen: number[] = [];
        await Promise.all(Array.from({ length: 20 }, (_, i) => batch.run(async (tx) => {
          const before = Number((await sql<{ n: number }>`select count(*) as n from settings where key like 'b-%'`.execute(tx)).rows[0]!.n);
          await sql`insert into settings (key, value, updated_at) values (${`b-${i}`}, ${String(before)}, 0)`.execute(tx);
          return before;
        }).then(async (before) => {
          seen.push(before);
          const row = await other.db.selectFrom('settings').select('key').where('key', '=', `b-${i}`).executeTakeFirst();
          assert.ok(row, `piece ${i} was answered before its row was committed`);
        })));
        // SQLite runs them in one transaction, in turn; PostgreSQL in parallel transactions.
        if (dialect === 'sqlite') assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i), 'pieces never interleave');
      } finally {
        await other.close();
        await store.close();
      }
    });

    it(`${dialect}: a piece that throws is rejected alone; the pieces rolled back with it run again, once`, async () => {
      const store = await createTestStore(dialect);
      try {
        const batch = createWriteBatcher(store);
        const runs = new Map<number, number>();
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => batch.run(async (tx) => {
          runs.set(i, (runs.get(i) ?? 0) + 1);
          await sql`insert into settings (key, value, updated_at) values (${`f-${i}`}, '1', 0)`.execute(tx);
          if (i === 3) throw new Error('piece 3 fails');
          return i;
        })));
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        const keys = (await store.db.selectFrom('settings').select('key').where('key', 'like', 'f-%').orderBy('key').execute()).map((r) => r.key);
        assert.deepEqual(keys, ['f-0', 'f-1', 'f-2', 'f-4', 'f-5']);
        assert.equal(runs.get(3), 1);
      } finally {
        await store.close();
      }
    });
  });
}
