import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { AnswerBook } from './answers.ts';

test('answers / a waiter gets the first answer of its step; other steps do not wake it', async () => {
  const clock = new FakeClock();
  const b = new AnswerBook(clock);
  const w = b.wait(1012, { timeoutMs: 30_000 });
  b.deliver(1011, 'other');
  b.deliver(1012, '5');
  b.deliver(1012, '1');
  assert.deepEqual(await w, ['5']);
  assert.deepEqual(b.get(1012).answers, ['5', '1'], 'the chain answer is kept');
});

test('answers / waiting for all answers of a chain', async () => {
  const clock = new FakeClock();
  const b = new AnswerBook(clock);
  const all = b.wait(7, { count: 2, timeoutMs: 30_000 });
  b.deliver(7, '1');
  await clock.advance(6000);
  b.deliver(7, '1##AT+CFUN=1,1\r\nOK#1#');
  assert.deepEqual(await all, ['1', '1##AT+CFUN=1,1\r\nOK#1#']);
  assert.deepEqual(await b.wait(7, { count: 1, timeoutMs: 0 }), ['1', '1##AT+CFUN=1,1\r\nOK#1#'], 'already there');
});

test('answers / timeout resolves null and leaves no timer', async () => {
  const clock = new FakeClock();
  const b = new AnswerBook(clock);
  const w = b.wait(3, { timeoutMs: 30_000 });
  await clock.advance(29_999);
  b.deliver(4, 'x');
  await clock.advance(1);
  assert.equal(await w, null);
  assert.equal(clock.timers, 0);
});

test('answers / retained for the window, then forgotten; a taken step is reported', async () => {
  const clock = new FakeClock();
  const b = new AnswerBook(clock, 300_000);
  b.deliver(9, 'late');
  assert.equal(b.isTaken(9), true);
  await clock.advance(300_001);
  assert.deepEqual(b.get(9).answers, []);
  assert.equal(b.isTaken(9), false);
});

test('answers / close wakes every waiter with null', async () => {
  const b = new AnswerBook(new FakeClock());
  const w = b.wait(1, { timeoutMs: 1000 });
  b.close();
  assert.equal(await w, null);
});
