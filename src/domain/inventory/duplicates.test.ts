import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore, testDialects } from '../../store/testing.ts';
import type { AdminCtx } from '../auth/outcome.ts';
import type { Principal } from '../auth/principal.ts';
import { createAggregator } from '../aggregators/aggregators.ts';
import { createCard } from './cards.ts';
import { listCards } from './card-query.ts';

const admin: Principal = { kind: 'user', id: 1, userId: 1, name: 'admin', role: 'admin', poolScope: null, actor: 'user:1' };

for (const dialect of testDialects()) {
  test(`${dialect}: inventory / a number another card shares by its last 10 digits is a duplicate on every page, and "duplicates only" finds exactly those`, async () => {
    const store = await createTestStore(dialect);
    try {
      const ctx: AdminCtx = { db: store.db, clock: new FakeClock(1_000_000) };
      const a = await createAggregator(ctx, { model: 'SR-Box-Bank', title: 'bank' });
      assert.ok(a.ok);
      const id = a.value.aggregator.id;
      // A1 and H8 are the same subscriber (7… and 8… prefixes); B2 is 10 digits of the same; C3 and D4 are unique.
      const cards: Array<[string, string | null]> = [['A1', '79011234567'], ['B2', '9011234567'], ['C3', '79019999999'], ['D4', null], ['E5', '123'], ['H8', '89011234567']];
      const ids = new Map<string, number>();
      for (const [place, number] of cards) {
        const c = await createCard(ctx, { aggregatorId: id, place, number });
        assert.ok(c.ok, place);
        ids.set(place, c.value.id);
      }
      const flags = new Map<string, boolean>();
      // One card per page: the other copies are never on the same page.
      for (let offset = 0; offset < cards.length; offset++) {
        const r = await listCards(ctx, admin, {}, { sort: 'place', desc: false, limit: 1, offset });
        assert.ok(r.ok);
        for (const c of r.value.items) flags.set(c.place, c.duplicate);
      }
      assert.deepEqual(Object.fromEntries(flags), { A1: true, B2: true, C3: false, D4: false, E5: false, H8: true });
      const only = await listCards(ctx, admin, { duplicates: true }, { sort: 'place', desc: false, limit: 100, offset: 0 });
      assert.ok(only.ok);
      assert.equal(only.value.total, 3);
      assert.deepEqual(only.value.items.map((c) => c.place), ['A1', 'B2', 'H8']);

      // A user limited to a pool holding A1 and C3 learns nothing of the copies outside it.
      const pool = await store.db.insertInto('pools').values({ title: 'p', key_hash: 'k'.repeat(64), created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow();
      for (const place of ['A1', 'C3']) {
        await store.db.insertInto('pool_cards').values({ pool_id: pool.id, card_id: ids.get(place)!, aggregator_id: id, used_at: null, added_at: 0 }).execute();
      }
      const scoped: Principal = { ...admin, role: 'operator', poolScope: [pool.id] };
      const seen = await listCards(ctx, scoped, {}, { sort: 'place', desc: false, limit: 100, offset: 0 });
      assert.ok(seen.ok);
      assert.deepEqual(seen.value.items.map((c) => [c.place, c.duplicate]), [['A1', false], ['C3', false]]);
      const none = await listCards(ctx, scoped, { duplicates: true }, { sort: 'place', desc: false, limit: 100, offset: 0 });
      assert.ok(none.ok);
      assert.equal(none.value.total, 0);
    } finally {
      await store.close();
    }
  });
}
