import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore, testDialects } from '../../store/testing.ts';
import { createDeviceStateRepo } from '../../domain/device-state/repo.ts';
import { silentLog } from '../link/link-hub.ts';
import { DesiredStateWatch } from './desired-watch.ts';
import { addAggregator, addCard } from '../../../test/e2e/support/world.ts';

for (const dialect of testDialects()) {
  test(`desired-state watch (${dialect}): wakes on desired-state writes made by others, once, and never on the sessions' own reports`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock(1_700_000_000_000);
      const repo = createDeviceStateRepo(store, clock);
      const a1 = await addAggregator(store, 'SR-Board', '5100000001');
      const a2 = await addAggregator(store, 'SR-Board', '5100000002');
      const c1 = await addCard(store, a1, 'sr-board', 'A1');
      const c2 = await addCard(store, a2, 'sr-board', 'B1');
      const woken: number[] = [];
      const watch = new DesiredStateWatch({ repo, clock, log: silentLog, wake: (id) => woken.push(id) });
      assert.deepEqual(await watch.look(), [], 'the first look only sets the starting point');

      // The pool API / console opens a card (a row written by someone else).
      await clock.advance(1000);
      await store.db.insertInto('card_online').values({
        card_id: c1, aggregator_id: a1, desired: 'online', opened_by_pool: null, opened_at: clock.now(),
        channel: null, status_code: -3, status_at: clock.now(), generation: 1, updated_at: clock.now(),
      }).execute();
      assert.deepEqual(await watch.look(), [a1]);
      await clock.advance(1000);
      assert.deepEqual(await watch.look(), [], 'a change is woken once, though the next read overlaps it');

      // The session reports status: its own write wakes nobody.
      await clock.advance(1000);
      assert.ok(await repo.reportCard(c1, 1, { position: 'ONLINE', channel: 1, statusCode: 1 }));
      assert.deepEqual(await watch.look(), []);

      // A close made elsewhere right after (another generation) does.
      await clock.advance(10);
      await store.db.updateTable('card_online').set({ desired: 'offline', generation: 2, updated_at: clock.now() }).where('card_id', '=', c1).execute();
      await clock.advance(1000);
      assert.deepEqual(await watch.look(), [a1]);

      // A device request (pool API grabCall / clearSimStorage) for the other aggregator.
      await store.db.insertInto('device_requests').values({ aggregator_id: a2, card_id: c2, kind: 'clear_storage', params: '{}', created_at: clock.now() }).execute();
      await clock.advance(1000);
      assert.deepEqual(await watch.look(), [a2]);
      await clock.advance(1000);
      assert.deepEqual(await watch.look(), []);
      assert.deepEqual(woken, [a1, a1, a2]);
    } finally {
      await store.close();
    }
  });
}

for (const dialect of testDialects()) {
  test(`desired-state watch (${dialect}): hands added and edited aggregator rows to 'edited' once each, never the runtime's own liveness and step writes`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock(1_700_000_000_000);
      const repo = createDeviceStateRepo(store, clock);
      const edited: number[] = [];
      const watch = new DesiredStateWatch({ repo, clock, log: silentLog, wake: () => {}, edited: (id) => { edited.push(id); } });
      await watch.look();
      const a1 = await addAggregator(store, 'SR-Board', '5100000011');
      await store.db.updateTable('aggregators').set({ updated_at: clock.now() }).where('id', '=', a1).execute();
      await clock.advance(1000);
      await watch.look();
      await clock.advance(1000);
      await watch.look();
      assert.deepEqual(edited, [a1], 'added: once, though the next read overlaps it');

      // Liveness and the step counter (written by the runtime all the time) are no edit.
      await repo.touch(a1, clock.now());
      await repo.saveStep(a1, 2000);
      await clock.advance(1000);
      await watch.look();
      assert.deepEqual(edited, [a1]);

      // The admin API edits it.
      await store.db.updateTable('aggregators').set({ server_ip: '10.0.0.5', updated_at: clock.now() }).where('id', '=', a1).execute();
      await clock.advance(1000);
      await watch.look();
      assert.deepEqual(edited, [a1, a1]);
      assert.equal(watch.stats.edited, 2);
    } finally {
      await store.close();
    }
  });
}
