import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createEventBus, type Stamped } from './bus.ts';

const pool = (poolId: number) => ({ type: 'pool.changed' as const, poolId });

test('bus / publish stamps seq, time and origin and reaches every subscriber', async () => {
  const clock = new FakeClock(1_000);
  const bus = createEventBus({ clock, nodeId: 'n1' });
  const a: Stamped[] = [];
  const b: Stamped[] = [];
  bus.subscribe((e) => a.push(e));
  bus.subscribe((e) => b.push(e));
  const e1 = bus.publish(pool(1));
  await clock.advance(5);
  bus.publish(pool(2));
  assert.deepEqual(e1, { type: 'pool.changed', poolId: 1, seq: 1, at: 1_000, origin: 'n1' });
  assert.deepEqual(a.map((e) => [e.seq, e.at]), [[1, 1_000], [2, 1_005]]);
  assert.deepEqual(b, a);
  assert.equal(bus.lastSeq, 2);
});

test('bus / a throwing subscriber is reported and does not stop the others', () => {
  const errors: unknown[] = [];
  const bus = createEventBus({ clock: new FakeClock(), onError: (err) => errors.push(err) });
  const got: number[] = [];
  bus.subscribe(() => { throw new Error('boom'); });
  bus.subscribe((e) => got.push(e.seq));
  assert.doesNotThrow(() => bus.publish(pool(1)));
  assert.deepEqual(got, [1]);
  assert.equal(errors.length, 1);
});

test('bus / unsubscribe stops delivery', () => {
  const bus = createEventBus({ clock: new FakeClock() });
  const got: number[] = [];
  const off = bus.subscribe((e) => got.push(e.seq));
  bus.publish(pool(1));
  off();
  bus.publish(pool(2));
  assert.deepEqual(got, [1]);
  assert.equal(bus.subscribers, 0);
});

test('bus / since replays held history and says null when the gap is older than it', () => {
  const bus = createEventBus({ clock: new FakeClock(), historySize: 3 });
  for (let i = 1; i <= 5; i++) bus.publish(pool(i));
  assert.deepEqual(bus.since(3)?.map((e) => e.seq), [4, 5]);
  assert.deepEqual(bus.since(2)?.map((e) => e.seq), [3, 4, 5]);
  assert.equal(bus.since(1), null);
  assert.deepEqual(bus.since(5), []);
});

test('bus / inject keeps the remote origin and time, with a local seq', () => {
  const bus = createEventBus({ clock: new FakeClock(9), nodeId: 'here' });
  bus.publish(pool(1));
  const e = bus.inject({ type: 'pool.changed', poolId: 7, seq: 99, at: 5, origin: 'there' });
  assert.deepEqual(e, { type: 'pool.changed', poolId: 7, seq: 2, at: 5, origin: 'there' });
});
