import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { DeviceMutex } from './exclusive.ts';

test('exclusive / holders are served one at a time, in order', async () => {
  const clock = new FakeClock();
  const m = new DeviceMutex(clock);
  const order: string[] = [];
  const a = await m.acquire('SMS', { windowMs: 60_000 });
  assert.equal(m.holder, 'SMS');
  const b = m.acquire('USSD').then((l) => { order.push('USSD'); return l; });
  const c = m.acquire('COMMAND').then((l) => { order.push('COMMAND'); return l; });
  await clock.advance(10_000);
  assert.deepEqual(order, []);
  a!.release();
  const lb = await b;
  assert.deepEqual(order, ['USSD']);
  lb!.release();
  (await c)!.release();
  assert.deepEqual(order, ['USSD', 'COMMAND']);
  assert.equal(m.holder, null);
});

test('exclusive / a holder that overstays its window loses the device to the next waiter', async () => {
  const clock = new FakeClock();
  const m = new DeviceMutex(clock);
  const a = (await m.acquire('CALL', { windowMs: 20_000 }))!;
  assert.equal(a.expiresAt, clock.now() + 20_000);
  let next = null as Awaited<ReturnType<DeviceMutex['acquire']>>;
  void m.acquire('COMMAND').then((l) => { next = l; });
  await clock.advance(19_999);
  assert.equal(next, null);
  assert.equal(a.expired, false);
  await clock.advance(1);
  assert.equal(a.expired, true);
  assert.equal(next!.name, 'COMMAND');
  a.release(); // late release of a stale lease must not free the new holder
  assert.equal(m.holder, 'COMMAND');
});

test('exclusive / default window is 30 s', async () => {
  const clock = new FakeClock();
  const m = new DeviceMutex(clock);
  const a = (await m.acquire('COMMAND'))!;
  await clock.advance(30_000);
  assert.equal(a.expired, true);
});

test('exclusive / abort while waiting and close refuse with null', async () => {
  const clock = new FakeClock();
  const m = new DeviceMutex(clock);
  await m.acquire('SMS');
  const ac = new AbortController();
  const waiting = m.acquire('USSD', { signal: ac.signal });
  const other = m.acquire('CALL');
  ac.abort();
  assert.equal(await waiting, null);
  assert.equal(m.waiting, 1);
  m.close();
  assert.equal(await other, null);
  assert.equal(await m.acquire('X'), null);
  assert.equal(clock.timers, 0);
});
