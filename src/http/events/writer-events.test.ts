import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore } from '../../store/testing.ts';
import { createEventBus, type Stamped } from '../../domain/events/bus.ts';
import { createPoolService } from '../../domain/pools/service.ts';
import { publishWriterEvents } from './writer-events.ts';

test('writer events / pool service changes and invalidations are published at once, a burst coalesced to one per second', async () => {
  const store = await createTestStore('sqlite');
  try {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const bus = createEventBus({ clock });
    const got: Stamped[] = [];
    bus.subscribe((e) => got.push(e));
    const pools = createPoolService({ store, clock });
    const stop = publishWriterEvents({ bus, clock, pools, everyMs: 1_000 });
    const types = () => got.map((e) => e.type);

    const created = await pools.create({ title: 'a' });
    assert.ok(created.ok);
    assert.deepEqual(types(), ['pool.changed'], 'published at once, no polling');
    // A burst within the second: nothing more until the second is over, then exactly one.
    await pools.create({ title: 'b' });
    await pools.rename(created.value.pool.id, 'c');
    await pools.restart(created.value.pool.id, false);
    assert.deepEqual(types(), ['pool.changed']);
    await clock.advance(1_000);
    assert.deepEqual(types(), ['pool.changed', 'pool.changed']);

    got.length = 0;
    pools.invalidate();
    assert.deepEqual(types().sort(), ['aggregators.changed', 'cards.changed']);
    await clock.advance(5_000);
    assert.equal(got.length, 2, 'no trailing event without a further change');

    stop();
    await pools.create({ title: 'd' });
    await clock.advance(5_000);
    assert.equal(got.length, 2, 'nothing after stop');
    assert.equal(clock.timers, 0);
  } finally {
    await store.close();
  }
});
