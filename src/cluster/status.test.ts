import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, testDialects } from '../store/testing.ts';
import { addAggregator } from '../../test/e2e/support/world.ts';
import { clusterStatus, formatClusterStatus } from './status.ts';
import { unheldAggregators } from './lease-table.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: cluster / status`, () => {
    it('lists nodes alive or dead with the aggregators and jobs whose live lease they hold, and expired leases', async () => {
      const store = await createTestStore(dialect);
      try {
        const now = 1_800_000_000_000;
        const a1 = await addAggregator(store, 'SR-Box-8', '1111111111');
        const a2 = await addAggregator(store, 'SR-Train', '2222222222');
        const a3 = await addAggregator(store, 'SR-Board', '3333333333');
        await store.db.insertInto('nodes').values([
          { id: 'n1', address: 'http://10.0.0.1:8080', started_at: now - 60_000, heartbeat_at: now - 1000 },
          { id: 'n2', address: 'http://10.0.0.2:8080', started_at: now - 60_000, heartbeat_at: now - 30_000 },
        ]).execute();
        await store.db.insertInto('leases').values([
          { name: `aggregator:${a1}`, holder: 'n1', expires_at: now + 5000, acquired_at: now - 1000 },
          { name: `aggregator:${a2}`, holder: 'n2', expires_at: now - 20_000, acquired_at: now - 40_000 },
          { name: 'job:store-watch', holder: 'n1', expires_at: now + 5000, acquired_at: now - 1000 },
        ]).execute();
        const s = await clusterStatus(store, now);
        assert.deepEqual(s.nodes.map((n) => [n.id, n.alive, n.aggregators.map((a) => a.id), n.jobs]), [['n1', true, [a1], ['store-watch']], ['n2', false, [], []]]);
        assert.deepEqual(s.expired.map((e) => [e.name, e.lastHolder]), [[`aggregator:${a2}`, 'n2']]);
        const text = formatClusterStatus(s, now);
        assert.match(text, /n1 {2}alive .*\n {2}aggregators \(1\): #\d+ SR-Box-8/);
        assert.match(text, /n2 {2}DEAD/);
        assert.match(text, /expired, waiting for takeover: aggregator:\d+ \(was n2, 20 s ago\)/);
        // the takeover scan sees the expired and the never-held aggregators, not the live one
        assert.deepEqual((await unheldAggregators(store, now)).map((u) => [u.id, u.lastHolder]), [[a2, 'n2'], [a3, null]]);
      } finally {
        await store.close();
      }
    });
  });
}
