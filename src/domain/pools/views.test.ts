/** The pool snapshot behind getPoolStatus: patched narrowly after the service's own changes, explicit about others'. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, testDialects } from '../../store/testing.ts';
import type { TestStore } from '../../store/testing.ts';
import { FakeClock } from '../../lib/clock.ts';
import { getModel, placeKey, resolveSettings } from '../../models/index.ts';
import { createPoolService } from './service.ts';
import { NO_FILTERS } from './filters.ts';
import { SNAPSHOT_TTL_MS } from './views.ts';

const T0 = Date.UTC(2026, 10, 27, 12);

/** Two SR-Nano-500 aggregators with three numbered cards each, all in one pool. */
async function seed(store: TestStore) {
  const model = getModel('SR-Nano-500')!;
  const s = resolveSettings({});
  assert.ok(s.ok);
  const cardIds: number[] = [];
  const aggs: number[] = [];
  for (let a = 0; a < 2; a++) {
    const agg = await store.db.insertInto('aggregators').values({
      model: 'SR-Nano-500', title: `v${a}`, link_token_hash: `views-${a}-${Math.random()}`, link_token_hint: '', last_heard_at: T0, created_at: T0, updated_at: T0,
    }).returning('id').executeTakeFirstOrThrow();
    aggs.push(agg.id);
    for (const [i, place] of ['A0', 'A1', 'A2'].entries()) {
      const p = model.parsePlace(place, s.value);
      assert.ok(p.ok);
      const r = await store.db.insertInto('cards').values({
        aggregator_id: agg.id, place, place_sort: placeKey(p.value), number: `7933000${a}${i}00`, operator: 'BEE', created_at: T0, updated_at: T0,
      }).returning('id').executeTakeFirstOrThrow();
      cardIds.push(r.id);
    }
  }
  return { cardIds, aggs };
}

for (const dialect of testDialects()) {
  describe(`${dialect}: pool views snapshot`, () => {
    it(`${dialect}: status / open and close through the service show at once; a write behind its back only after cardsChanged or the TTL`, async () => {
      const store = await createTestStore(dialect);
      try {
        const clock = new FakeClock(T0);
        const pools = createPoolService({ store, clock });
        const { cardIds } = await seed(store);
        const created = await pools.create({ title: 'views', cardIds });
        assert.ok(created.ok);
        const id = created.value.pool.id;
        const req = { numbers: [], filters: NO_FILTERS, repeat: false };
        // A Nano holds one card online: two aggregators → two channels.
        assert.deepEqual(await pools.status(id, NO_FILTERS), { total: 6, used: 0, free: 6, channels: 2 });
        const opened = await pools.openNumber(id, req);
        assert.ok(opened.ok);
        assert.deepEqual(await pools.status(id, NO_FILTERS), { total: 6, used: 1, free: 5, channels: 1 });
        assert.deepEqual(await pools.closeNumbers(id, [opened.number]), { ok: true });
        assert.deepEqual(await pools.status(id, NO_FILTERS), { total: 6, used: 1, free: 5, channels: 2 });

        // Another writer (another node) takes a card of the second aggregator online.
        const other = cardIds[4]!;
        const agg = (await store.db.selectFrom('cards').select('aggregator_id').where('id', '=', other).executeTakeFirstOrThrow()).aggregator_id;
        await store.db.insertInto('card_online').values({ card_id: other, aggregator_id: agg, desired: 'online', generation: 1, updated_at: T0 }).execute();
        assert.deepEqual(await pools.status(id, NO_FILTERS), { total: 6, used: 1, free: 5, channels: 2 }, 'not seen before it is relayed');
        pools.cardsChanged([other]);
        assert.deepEqual(await pools.status(id, NO_FILTERS), { total: 6, used: 1, free: 5, channels: 1 }, 'relayed: patched');

        await store.db.updateTable('card_online').set({ desired: 'offline' }).where('card_id', '=', other).execute();
        await clock.advance(SNAPSHOT_TTL_MS + 1);
        assert.deepEqual(await pools.status(id, NO_FILTERS), { total: 6, used: 1, free: 5, channels: 2 }, 'after the TTL: rebuilt');
      } finally { await store.close(); }
    });

    it(`${dialect}: findByKey / a rotated key stops working at once on this node, a deleted pool too`, async () => {
      const store = await createTestStore(dialect);
      try {
        const pools = createPoolService({ store, clock: new FakeClock(T0) });
        const created = await pools.create({ title: 'keys' });
        assert.ok(created.ok);
        const { key, pool } = created.value;
        assert.equal((await pools.findByKey(key))?.id, pool.id);
        assert.equal((await pools.findByKey(key))?.id, pool.id, 'cached hit');
        const rotated = await pools.rotateKey(pool.id);
        assert.ok(rotated.ok);
        assert.equal(await pools.findByKey(key), null);
        assert.equal((await pools.findByKey(rotated.value.key))?.id, pool.id);
        assert.deepEqual(await pools.remove(pool.id), { ok: true, value: true });
        assert.equal(await pools.findByKey(rotated.value.key), null);
      } finally { await store.close(); }
    });
  });
}
