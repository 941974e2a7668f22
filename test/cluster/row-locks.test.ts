/**
 * Issue #7 item 1: on PostgreSQL, allocation is atomic through row locks on the aggregator it
 * allocates on (SKIP LOCKED first), not a global lock — so nodes allocating on different
 * aggregators never wait for each other. Proven from outside: another connection holds one
 * aggregator's row lock, as a transaction of another node would.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestStore } from '../../src/store/testing.ts';
import { createPoolService } from '../../src/domain/pools/service.ts';
import { NO_FILTERS } from '../../src/domain/pools/filters.ts';
import { realClock } from '../../src/lib/clock.ts';
import { addAggregator, addCard } from '../e2e/support/world.ts';

/** Fails instead of hanging when a call waits for a lock it should not wait for. */
function bounded<T>(p: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms); });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

describe('postgres: allocation takes row locks, not a global lock', () => {
  it('a held aggregator row is skipped (SKIP LOCKED), a number on it waits for that row only, and gets it once released', async () => {
    const store = await createTestStore('postgres');
    const holder = new pg.Client({ connectionString: store.url });
    await holder.connect();
    try {
      const a1 = await addAggregator(store, 'SR-Nano-500', '7100000001');
      const a2 = await addAggregator(store, 'SR-Nano-500', '7100000002');
      const c1 = await addCard(store, a1, 'sr-nano-500', 'A0', { number: '79250000001', operator: 'MTS RUS' });
      const c2 = await addCard(store, a2, 'sr-nano-500', 'A0', { number: '79250000002', operator: 'MTS RUS' });
      const pools = createPoolService({ store, clock: realClock() });
      const pool = await pools.create({ title: 'locks', cardIds: [c1, c2] });
      assert.ok(pool.ok);
      const poolId = pool.value.pool.id;

      // Another node's transaction is allocating on aggregator 1.
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM aggregators WHERE id = $1 FOR UPDATE', [a1]);

      // Any number: aggregator 1 comes first in order but is held, so the call takes aggregator 2
      // at once (a global lock would either wait here or hand out aggregator 1's number).
      const any = await bounded(pools.openNumber(poolId, { numbers: [], filters: NO_FILTERS, repeat: false }), 'openNumber with aggregator 1 held');
      assert.deepEqual(any, { ok: true, number: '79250000002' });

      // The number on aggregator 1: waits for that row's lock …
      let settled = false;
      const mine = pools.openNumber(poolId, { numbers: ['79250000001'], filters: NO_FILTERS, repeat: false }).finally(() => { settled = true; });
      let waiting: Array<{ wait_event: string }> = [];
      for (let i = 0; i < 200 && waiting.length === 0; i++) {
        waiting = (await holder.query<{ wait_event: string }>(
          "SELECT wait_event FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).rows;
        if (waiting.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(waiting.length, 1, 'the second open waits on a lock');
      assert.ok(['transactionid', 'tuple'].includes(waiting[0]!.wait_event), `a row lock, not ${waiting[0]!.wait_event}`);
      assert.equal(settled, false);

      // … and gets it once the other transaction ends.
      await holder.query('COMMIT');
      assert.deepEqual(await bounded(mine, 'openNumber after the release'), { ok: true, number: '79250000001' });
      const online = await store.db.selectFrom('card_online').select(['card_id', 'desired']).where('desired', '=', 'online').orderBy('card_id').execute();
      assert.deepEqual(online.map((r) => r.card_id), [c1, c2]);
    } finally {
      await holder.end().catch(() => undefined);
      await store.close();
    }
  });
});
