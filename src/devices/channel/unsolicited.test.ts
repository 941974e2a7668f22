import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { UnsolicitedStream } from './unsolicited.ts';
import type { UnsolicitedMessage } from './types.ts';

test('unsolicited / every subscriber sees every matching message; reading consumes nothing', () => {
  const s = new UnsolicitedStream(new FakeClock());
  const cmti: string[] = [];
  const cusd: string[] = [];
  s.subscribe({ includes: '+CMTI:' }, (m) => cmti.push(m.text));
  s.subscribe({ regex: /^\+CUSD: \d/ }, (m) => cusd.push(m.text));
  s.push('+CUSD: 0, "0417", 72');
  s.push('+CMTI: "SM",3');
  assert.deepEqual(cmti, ['+CMTI: "SM",3']);
  assert.deepEqual(cusd, ['+CUSD: 0, "0417", 72']);
  // A later search for +CMTI does not destroy the earlier +CUSD (legacy sr_answer did).
  assert.equal(s.list({ includes: '+CMTI' }).length, 1);
  assert.equal(s.list({ includes: '+CUSD' }).length, 1);
  assert.equal(s.list().length, 2);
});

test('unsolicited / waitFor sees only messages after the mark, resolves on arrival, null on timeout', async () => {
  const clock = new FakeClock();
  const s = new UnsolicitedStream(clock);
  s.push('AT+ICCID\r\n+ICCID: 111\r\n\r\nOK');
  const mark = s.mark();
  const early = await s.waitFor({ includes: '+ICCID' }, { since: 0, timeoutMs: 1000 });
  assert.equal(early?.seq, 1, 'since 0 finds the retained one');
  const pending = s.waitFor({ includes: '+ICCID' }, { since: mark, timeoutMs: 10_000 });
  await clock.advance(4000);
  s.push('AT+ICCID\r\n+ICCID: 222\r\n\r\nOK');
  assert.match((await pending)!.text, /222/);
  const none = s.waitFor({ includes: '+CSPN' }, { since: s.mark(), timeoutMs: 10_000 });
  await clock.advance(10_000);
  assert.equal(await none, null);
  assert.equal(clock.timers, 0, 'no timer left behind');
});

test('unsolicited / several waiters with different filters are all served by their own messages', async () => {
  const clock = new FakeClock();
  const s = new UnsolicitedStream(clock);
  const since = s.mark();
  const a = s.waitFor({ includes: '+CUSD' }, { since, timeoutMs: 5000 });
  const b = s.waitFor({ includes: '+CMTI' }, { since, timeoutMs: 5000 });
  const c = s.waitFor({ includes: '+CMTI' }, { since, timeoutMs: 5000 });
  s.push('+CMTI: "SM",1');
  s.push('+CUSD: 2');
  assert.equal((await a)?.text, '+CUSD: 2');
  assert.equal((await b)?.text, '+CMTI: "SM",1');
  assert.equal((await c)?.text, '+CMTI: "SM",1');
});

test('unsolicited / SR-Box-2 prefixes: modem filter and prefix-free body', () => {
  const s = new UnsolicitedStream(new FakeClock());
  const creg = s.push('2:AT+CREG?\r\n2:+CREG: 0,1\r\n2:OK');
  assert.equal(creg.modem, 2);
  assert.equal(creg.body, 'AT+CREG?\r\n+CREG: 0,1\r\nOK');
  assert.equal(creg.text, '2:AT+CREG?\r\n2:+CREG: 0,1\r\n2:OK', 'the raw text is kept');
  const plain = s.push('+CMTI: "SM",1');
  assert.equal(plain.modem, null);
  assert.equal(plain.body, '+CMTI: "SM",1');
  s.push('1:+CLIP: "+79161234567",145');
  s.push('2:+CLIP: "+79990000000",145');
  assert.deepEqual(s.list({ modem: 2, includes: '+CLIP' }).map((m) => m.body), ['+CLIP: "+79990000000",145']);
  assert.equal(s.list({ modem: 2 }).length, 2, 'the CREG reply and the +CLIP');
  assert.equal(s.list({ modem: 1, regex: /^\+CLIP/ }).length, 1);
});

test('unsolicited / a global regex and a predicate filter behave the same on every message', () => {
  const s = new UnsolicitedStream(new FakeClock());
  const seen: number[] = [];
  s.subscribe({ regex: /CMTI/g, predicate: (m: UnsolicitedMessage) => m.seq % 2 === 1 }, (m) => seen.push(m.seq));
  for (let i = 0; i < 4; i++) s.push('+CMTI: "SM",1');
  assert.deepEqual(seen, [1, 3]);
});

test('unsolicited / messages older than the retention window are dropped', async () => {
  const clock = new FakeClock();
  const s = new UnsolicitedStream(clock, 300_000);
  s.push('old');
  await clock.advance(200_000);
  s.push('new');
  await clock.advance(100_001);
  assert.deepEqual(s.list().map((m) => m.text), ['new']);
  assert.equal(await s.waitFor({ includes: 'old' }, { since: 0, timeoutMs: 0 }), null);
});

test('unsolicited / a throwing subscriber does not starve the others; unsubscribe stops delivery', () => {
  const s = new UnsolicitedStream(new FakeClock());
  const got: string[] = [];
  s.subscribe({}, () => { throw new Error('boom'); });
  const off = s.subscribe({}, (m) => got.push(m.text));
  s.push('a');
  off();
  s.push('b');
  assert.deepEqual(got, ['a']);
});

test('unsolicited / abort and close resolve waiters with null', async () => {
  const clock = new FakeClock();
  const s = new UnsolicitedStream(clock);
  const ac = new AbortController();
  const a = s.waitFor({ includes: 'x' }, { since: 0, timeoutMs: 60_000, signal: ac.signal });
  const b = s.waitFor({ includes: 'y' }, { since: 0, timeoutMs: 60_000 });
  ac.abort();
  s.close();
  assert.equal(await a, null);
  assert.equal(await b, null);
  assert.equal(clock.timers, 0);
});
