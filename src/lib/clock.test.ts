import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';

test('clock / fake clock fires timers in time order and only when advanced', async () => {
  const clock = new FakeClock(0);
  const seen: string[] = [];
  clock.setTimeout(() => seen.push('b'), 200);
  clock.setTimeout(() => seen.push('a'), 100);
  const slept = clock.sleep(150).then(() => seen.push('slept'));
  await clock.advance(120);
  assert.deepEqual(seen, ['a']);
  await clock.advance(100);
  await slept;
  assert.deepEqual(seen, ['a', 'slept', 'b']);
  assert.equal(clock.now(), 220);
  assert.equal(clock.timers, 0);
});

test('clock / an aborted sleep rejects and leaves no timer behind', async () => {
  const clock = new FakeClock(0);
  const ac = new AbortController();
  const p = clock.sleep(1000, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.equal(clock.timers, 0);
});
