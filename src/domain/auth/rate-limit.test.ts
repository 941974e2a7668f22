import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createRateLimiter } from './rate-limit.ts';

test('rate limit / under the limit → may try', () => {
  const rl = createRateLimiter(new FakeClock(), { limit: 3, windowMs: 60_000 });
  rl.fail('a'); rl.fail('a');
  assert.equal(rl.check('a'), 0);
});

test('rate limit / at the limit → wait until the oldest failure leaves the window', async () => {
  const clock = new FakeClock();
  const rl = createRateLimiter(clock, { limit: 3, windowMs: 60_000 });
  rl.fail('a'); await clock.advance(10_000); rl.fail('a'); rl.fail('a');
  assert.equal(rl.check('a'), 50_000);
  assert.equal(rl.check('b'), 0, 'other keys are independent');
  await clock.advance(50_000);
  assert.equal(rl.check('a'), 0);
});

test('rate limit / reset forgets failures', () => {
  const rl = createRateLimiter(new FakeClock(), { limit: 1, windowMs: 60_000 });
  rl.fail('a');
  assert.ok(rl.check('a') > 0);
  rl.reset('a');
  assert.equal(rl.check('a'), 0);
});

test('rate limit / memory bounded by maxKeys, oldest dropped', () => {
  const rl = createRateLimiter(new FakeClock(), { limit: 1, windowMs: 60_000, maxKeys: 2 });
  rl.fail('a'); rl.fail('b'); rl.fail('c');
  assert.equal(rl.check('a'), 0);
  assert.ok(rl.check('c') > 0);
});
