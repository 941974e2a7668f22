import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/clock.ts';
import { createTestStore } from '../store/testing.ts';
import { addAggregator } from '../../test/e2e/support/world.ts';
import { createDeviceRuntime } from './runtime.ts';

describe('device runtime / stop', () => {
  it('returns when the sessions are stopped in the middle of a tick (no wait on a clock that never moves)', async () => {
    const store = await createTestStore('sqlite');
    try {
      for (const [i, model] of ['SR-Box-8', 'SR-Nano-1000', 'SR-Organizer-Smart'].entries()) await addAggregator(store, model, `55500000${i}`);
      const clock = new FakeClock(Date.UTC(2026, 10, 27, 12));
      const runtime = createDeviceRuntime({ store, clock, nodeId: 'n1', backgroundJobs: false });
      await runtime.start();
      // Each session's first tick is awaiting the store now; the abort lands before its sleep.
      const stopped = await Promise.race([
        runtime.stop().then(() => 'stopped'),
        new Promise((r) => setTimeout(() => r('hung'), 5000).unref()),
      ]);
      assert.equal(stopped, 'stopped');
    } finally {
      await store.close();
    }
  });
});
