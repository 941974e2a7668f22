import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_STEP, nextStep, normaliseStep, StepCounter } from './steps.ts';

test('steps / allocates from the persisted counter and reports the next value to persist', () => {
  const persisted: number[] = [];
  const c = new StepCounter({ next: 1000, persist: (n) => persisted.push(n) });
  assert.deepEqual([c.allocate(), c.allocate(), c.allocate()], [1000, 1001, 1002]);
  assert.deepEqual(persisted, [1001, 1002, 1003]);
  assert.equal(c.persisted, 1003);
});

test('steps / wraps from 4294967295 to 1, never 0', () => {
  const c = new StepCounter({ next: MAX_STEP });
  assert.deepEqual([c.allocate(), c.allocate()], [MAX_STEP, 1]);
  assert.equal(nextStep(MAX_STEP), 1);
  assert.equal(nextStep(0), 1);
});

test('steps / a persisted 0, negative, fractional or too large counter starts at 1', () => {
  for (const bad of [0, -5, 1.5, MAX_STEP + 1, Number.NaN]) assert.equal(normaliseStep(bad), 1);
  assert.equal(new StepCounter({ next: 0 }).allocate(), 1);
});

test('steps / never repeats the previous step, even when the counter was edited back to it', () => {
  const c = new StepCounter({ next: 500, previous: 500 });
  assert.equal(c.allocate(), 501);
});

test('steps / skips steps still in use', () => {
  const c = new StepCounter({ next: 10 });
  const busy = new Set([10, 11, 13]);
  assert.equal(c.allocate((s) => busy.has(s)), 12);
  assert.equal(c.allocate((s) => busy.has(s)), 14);
});

test('steps / property: steps stay in 1…4294967295 and consecutive steps differ', () => {
  fc.assert(fc.property(
    fc.oneof(fc.integer({ min: -10, max: 100 }), fc.integer({ min: MAX_STEP - 20, max: MAX_STEP + 5 })),
    fc.option(fc.integer({ min: 0, max: MAX_STEP })),
    fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }), { minLength: 1, maxLength: 40 }),
    (next, previous, busyOffsets) => {
      const c = new StepCounter(previous === null ? { next } : { next, previous });
      let last = previous ?? 0;
      for (const offsets of busyOffsets) {
        const busy = new Set(offsets.map((o) => nextStep(last) + o - 1));
        const s = c.allocate((x) => busy.has(x));
        assert.ok(Number.isInteger(s) && s >= 1 && s <= MAX_STEP, `step ${s}`);
        assert.notEqual(s, last);
        assert.ok(!busy.has(s));
        last = s;
      }
    },
  ));
});
