import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { DeviceChannel, findEquipmentError } from './channel.ts';
import type { Command, ParseResult } from './types.ts';

const text = (answer: string): ParseResult<string> => ({ ok: true, value: answer });
const digits = (answer: string): ParseResult<number> =>
  (/^\d+$/.test(answer.trim()) ? { ok: true, value: Number(answer.trim()) } : { ok: false, error: { code: 'NOT_A_NUMBER', reason: answer.slice(0, 20) } });
const cmd = <T = string>(t: string, timeoutMs = 30_000, parse: Command<T>['parse'] = text as unknown as Command<T>['parse']): Command<T> => ({ text: t, timeoutMs, parse });

function setup(opts: { carrierLimitMs?: number; next?: number; mode?: 'classic' | 'smart' } = {}) {
  const clock = new FakeClock();
  const persisted: number[] = [];
  const ch = new DeviceChannel({
    clock, steps: { next: opts.next ?? 1000, persist: (n) => persisted.push(n) },
    ...(opts.carrierLimitMs ? { carrierLimitMs: opts.carrierLimitMs } : {}),
    ...(opts.mode ? { mode: opts.mode } : {}),
  });
  const idle = () => ch.handlePoll({ step: 0, data: 'REQUEST' }).body;
  const answer = (step: number, data: string) => ch.handlePoll({ step, data }).body;
  return { clock, ch, persisted, idle, answer };
}

test('channel / send → released on the next poll → the answer resolves it with the parsed value', async () => {
  const { clock, ch, persisted, idle, answer } = setup();
  const p = ch.send(cmd('row:now', 30_000, digits));
  await clock.advance(0);
  assert.equal(idle(), '{data}1000#!#row:now');
  assert.deepEqual(persisted, [1001]);
  await clock.advance(3000);
  assert.equal(answer(1000, '7'), '{data}0#!#REQUEST');
  assert.deepEqual(await p, { ok: true, value: 7, step: 1000, answer: '7' });
  assert.equal(ch.lastHeardAt, clock.now());
});

test('channel / timeout, +CME ERROR and a parse failure are three different outcomes', async () => {
  const { clock, ch, idle, answer } = setup();
  const t = ch.send(cmd('dev:serial', 10_000, digits), { exclusive: false });
  const e = ch.send(cmd('modem>send:AT+CUSD=1', 10_000, digits), { exclusive: false });
  const f = ch.send(cmd('row:max', 10_000, digits), { exclusive: false });
  idle(); idle(); idle();
  answer(1001, '+CME ERROR: 10');
  answer(1002, 'NULL');
  await clock.advance(10_000);
  const [rt, re, rf] = await Promise.all([t, e, f]);
  assert.deepEqual(rt, { ok: false, error: { code: 'TIMEOUT', step: 1000, timeoutMs: 10_000, released: true } });
  assert.deepEqual(re, { ok: false, error: { code: 'CME_ERROR', step: 1001, errorCode: 10, answer: '+CME ERROR: 10' } });
  assert.deepEqual(rf, { ok: false, error: { code: 'PARSE_FAILED', step: 1002, answer: 'NULL', cause: { code: 'NOT_A_NUMBER', reason: 'NULL' } } });
});

test('channel / a command still queued at its deadline is withdrawn and never sent', async () => {
  const { clock, ch, idle } = setup();
  const r = ch.send(cmd('card:A5', 5000), { exclusive: false });
  await clock.advance(5000);
  assert.deepEqual(await r, { ok: false, error: { code: 'TIMEOUT', step: 1000, timeoutMs: 5000, released: false } });
  assert.equal(idle(), '{data}0#!#REQUEST');
});

test('channel / hold after carrier_limit without an answer; any payload releases the next command', async () => {
  const { clock, ch, idle, answer } = setup({ carrierLimitMs: 120_000 });
  ch.enqueue('modem>sms:0');
  ch.enqueue('answer>clear');
  assert.equal(idle(), '{data}1000#!#modem>sms:0');
  await clock.advance(120_000);
  assert.equal(idle(), '', 'holding: empty body');
  assert.equal(ch.stats().holds, 1);
  await clock.advance(3000);
  assert.equal(answer(0, 'Call Ready'), '{data}1001#!#answer>clear', 'even an unsolicited line ends the hold');
});

test('channel / the first answer resolves; the rest of a chain stays readable', async () => {
  const { clock, ch, idle, answer } = setup();
  const p = ch.send(cmd('modem>select:5&&modem>send:AT+CUSD=1,"*111*0887#",15'));
  await clock.advance(0);
  idle();
  answer(1000, '5');
  const r = await p;
  assert.ok(r.ok && r.value === '5');
  answer(1000, '1');
  assert.deepEqual(ch.answersOf(1000).answers, ['5', '1']);
  const q = ch.enqueue('modem>on&&modem>pack:AT+CFUN=1,1##2;3;##1');
  assert.ok(q.ok);
  const both = ch.waitAnswers(q.step, { count: 2, timeoutMs: 60_000 });
  idle();
  answer(q.step, '1');
  await clock.advance(8000);
  answer(q.step, '2##AT+CFUN=1,1\r\n\r\nOK#1#3##AT+CFUN=1,1\r\n\r\nOK#1#');
  assert.equal((await both)?.length, 2);
});

test('channel / AT dialogue: ack 1, then the modem output from the unsolicited stream; a +CUSD in between survives', async () => {
  const { clock, ch, idle, answer } = setup();
  const iccid = (body: string): ParseResult<string> => {
    const m = /\+ICCID: (\d+)/.exec(body);
    return m ? { ok: true, value: m[1]! } : { ok: false, error: { code: 'NO_ICCID' } };
  };
  const other = ch.unsolicited.waitFor({ includes: '+CUSD' }, { since: ch.unsolicited.mark(), timeoutMs: 60_000 });
  const p = ch.at({ text: 'modem>send:AT+ICCID', timeoutMs: 50_000, parse: iccid, match: { includes: 'AT+ICCID' } });
  await clock.advance(0);
  assert.equal(idle(), '{data}1000#!#modem>send:AT+ICCID');
  answer(1000, '1');
  answer(0, '+CUSD: 0, "0417", 72');
  answer(0, 'AT+ICCID\r\n+ICCID: 89701010068650504170\r\n\r\nOK');
  assert.deepEqual(await p, { ok: true, value: '89701010068650504170', step: 1000, answer: 'AT+ICCID\r\n+ICCID: 89701010068650504170\r\n\r\nOK' });
  assert.equal((await other)?.text, '+CUSD: 0, "0417", 72');
  assert.equal(ch.unsolicited.list().length, 2, 'nothing consumed');
});

test('channel / AT dialogue: +CME ERROR in the modem output, and a missing output → TIMEOUT', async () => {
  const { clock, ch, idle, answer } = setup();
  const p = ch.at({ text: 'modem>send:AT+CPIN?', timeoutMs: 20_000, parse: text, match: { includes: 'AT+CPIN?' } });
  await clock.advance(0);
  idle(); answer(1000, '1'); answer(0, 'AT+CPIN?\r\n+CME ERROR: SIM not inserted');
  assert.deepEqual(await p, { ok: false, error: { code: 'CME_ERROR', step: 1000, errorCode: 'SIM not inserted', answer: 'AT+CPIN?\r\n+CME ERROR: SIM not inserted' } });
  const q = ch.at({ text: 'modem>send:AT+CSPN?', timeoutMs: 20_000, parse: text, match: { includes: 'AT+CSPN?' } });
  await clock.advance(0);
  idle(); answer(1001, '1');
  await clock.advance(20_000);
  assert.deepEqual(await q, { ok: false, error: { code: 'TIMEOUT', step: 1001, timeoutMs: 20_000, released: true } });
  const refused = ch.at({ text: 'modem>send:AT', timeoutMs: 20_000, parse: text, match: { includes: 'AT' } });
  await clock.advance(0);
  idle(); answer(1002, 'NULL');
  const r = await refused;
  assert.ok(!r.ok && r.error.code === 'PARSE_FAILED' && r.error.cause.code === 'DEVICE_REFUSED');
});

test('channel / an SMS transaction keeps other commands out until it ends', async () => {
  const { clock, ch, idle, answer } = setup();
  const order: string[] = [];
  const sms = ch.transaction('SMS', async (tx) => {
    const a = await tx.send(cmd('modem>select:3'));
    order.push(`select:${a.ok}`);
    const b = await tx.send(cmd('sms>send:+79161234567;hello'));
    order.push(`send:${b.ok}`);
    return 'sent';
  }, { windowMs: 60_000 });
  const plain = ch.send(cmd('modem>sms:0')).then((r) => { order.push(`sms0:${r.ok}`); return r; });
  await clock.advance(0);
  assert.equal(idle(), '{data}1000#!#modem>select:3');
  answer(1000, '3');
  await clock.advance(0);
  assert.equal(idle(), '{data}1001#!#sms>send:+79161234567;hello', 'the plain command waits for the transaction');
  answer(1001, '1');
  assert.deepEqual(await sms, { ok: true, value: 'sent' });
  await clock.advance(0);
  assert.equal(idle(), '{data}1002#!#modem>sms:0');
  answer(1002, '1##E#3#');
  await plain;
  assert.deepEqual(order, ['select:true', 'send:true', 'sms0:true']);
});

test('channel / a transaction past its window gets TX_EXPIRED and the device goes to the next holder', async () => {
  const { clock, ch, idle } = setup();
  let late: unknown;
  const slow = ch.transaction('USSD', async (tx) => {
    await clock.sleep(25_000);
    late = await tx.send(cmd('modem>send:AT+CUSD=1,"*100#",15'));
    return tx.expired;
  }, { windowMs: 20_000 });
  const next = ch.send(cmd('answer>clear'));
  await clock.advance(20_000);
  assert.equal(idle(), '{data}1000#!#answer>clear', 'the next holder runs after 20 s');
  await clock.advance(5000);
  assert.deepEqual(await slow, { ok: true, value: true });
  assert.deepEqual(late, { ok: false, error: { code: 'TX_EXPIRED', transaction: 'USSD' } });
  ch.handlePoll({ step: 1000, data: '1' });
  assert.ok((await next).ok);
});

test('channel / a +CMTI subscriber queues the read at once: it leaves in the reply to the poll that brought the +CMTI', () => {
  const { ch, idle } = setup();
  const reads: Promise<unknown>[] = [];
  ch.unsolicited.subscribe({ regex: /^\+CMTI: "SM",(\d+)/ }, (m) => {
    const index = /,(\d+)/.exec(m.body)![1];
    reads.push(ch.send(cmd(`modem>send:AT+CMGR=${index}`), { exclusive: false }));
  });
  assert.equal(ch.handlePoll({ step: 0, data: '+CMTI: "SM",3' }).body, '{data}1000#!#modem>send:AT+CMGR=3');
  assert.equal(reads.length, 1);
  assert.equal(idle(), '{data}0#!#REQUEST');
});

test('channel / clearQueue and close cancel what waits, with CANCELLED', async () => {
  const { clock, ch, idle } = setup();
  const a = ch.send(cmd('card:A1'), { exclusive: false });
  const b = ch.send(cmd('card:A2'), { exclusive: false });
  idle();
  assert.equal(ch.clearQueue('device silent'), 1);
  assert.deepEqual(await b, { ok: false, error: { code: 'CANCELLED', step: 1001, reason: 'device silent' } });
  const c = ch.send(cmd('card:A3'));
  const t = ch.transaction('SMS', async () => 1);
  ch.close();
  assert.deepEqual(await a, { ok: false, error: { code: 'CANCELLED', step: 1000, reason: 'channel closed' } });
  const rc = await c;
  assert.ok(!rc.ok && rc.error.code === 'CANCELLED');
  const rt = await t;
  assert.ok(!rt.ok);
  assert.deepEqual(ch.enqueue('x'), { ok: false, error: { code: 'CANCELLED', step: 0, reason: 'channel closed' } });
  await clock.advance(60_000);
  assert.equal(clock.timers, 0, 'no timer left behind');
});

test('channel / abort by the caller', async () => {
  const { ch } = setup();
  const ac = new AbortController();
  const p = ch.send(cmd('card:A1'), { signal: ac.signal, exclusive: false });
  ac.abort();
  assert.deepEqual(await p, { ok: false, error: { code: 'CANCELLED', step: 1000, reason: 'aborted by the caller' } });
  assert.equal(ch.stats().queued, 0);
});

test('channel / hostile traffic: unknown steps, huge payloads, REQUEST with a step, empty and oversized commands', async () => {
  const { clock, ch, idle, answer } = setup();
  assert.equal(answer(424242, 'x'.repeat(2_000_000)), '{data}0#!#REQUEST');
  assert.equal(ch.handlePoll({ step: 77, data: 'REQUEST' }).stored, 'none');
  assert.equal(answer(0, ''), '{data}0#!#REQUEST');
  assert.deepEqual(await ch.send(cmd('  '), { exclusive: false }), { ok: false, error: { code: 'BAD_COMMAND', reason: 'empty command' } });
  const big = await ch.send(cmd('x'.repeat(9000)), { exclusive: false });
  assert.ok(!big.ok && big.error.code === 'BAD_COMMAND');
  const throwing = ch.send({ text: 'row:now', timeoutMs: 1000, parse: () => { throw new Error('bug'); } }, { exclusive: false });
  idle(); answer(1000, '3');
  const r = await throwing;
  assert.ok(!r.ok && r.error.code === 'PARSE_FAILED' && r.error.cause.code === 'PARSER_THREW');
  await clock.advance(0);
});

test('channel / an old answer retained for a step is never handed to a new command with that step', async () => {
  const { clock, ch, idle, answer } = setup({ next: 5 });
  answer(5, 'stale');
  const p = ch.send(cmd('row:now'), { exclusive: false });
  assert.equal(idle(), '{data}6#!#row:now', 'step 5 is skipped while its old answer is retained');
  answer(6, 'fresh');
  const r = await p;
  assert.ok(r.ok && r.answer === 'fresh');
  await clock.advance(0);
});

test('channel / SMART mode: no steps on the wire, replies matched by sign, everything else is unsolicited', async () => {
  const { ch } = setup({ mode: 'smart' });
  const p = ch.send(cmd('.answer.clear'), { exclusive: false });
  assert.equal(ch.handleSmartPoll({ data: 'REQUEST', sign: null }).body, '{data}.answer.clear:sign=n1000');
  const states: string[] = [];
  ch.unsolicited.subscribe({ includes: '"type":"state"' }, (m) => states.push(m.text));
  ch.handleSmartPoll({ data: '{"result":"1","type":"state","dev":"modem1","card":"1"}', sign: null });
  ch.handleSmartPoll({ data: '{"result":"1","sign":"n1000"}', sign: 'n1000', result: '1' });
  const r = await p;
  assert.ok(r.ok && r.value === '1');
  assert.equal(states.length, 1);
  assert.equal(ch.handleSmartPoll({ data: 'REQUEST', sign: null }).body, '{data}REQUEST');
  const noReply = await ch.send(cmd('set.dev.mode:smart'), { exclusive: false });
  assert.ok(noReply.ok, 'commands without a leading dot expect no reply');
  assert.equal(ch.handleSmartPoll({ data: 'REQUEST', sign: null }).body, '{data}set.dev.mode:smart');
});

test('equipment errors / +CME and +CMS codes, numeric or text', () => {
  assert.deepEqual(findEquipmentError('AT+CMGS\r\n+CMS ERROR: 500'), { code: 'CMS_ERROR', errorCode: 500 });
  assert.deepEqual(findEquipmentError('+CME ERROR: 10'), { code: 'CME_ERROR', errorCode: 10 });
  assert.equal(findEquipmentError('OK'), null);
  assert.equal(findEquipmentError('ERROR'), null);
});

test('channel / withdraw takes back a queued command before any poll releases it, never one already released', () => {
  const { ch, idle } = setup();
  const a = ch.enqueue('modem>send:AT+CMGD=1,1');
  const b = ch.enqueue('modem>send:AT+CMGD=2,1');
  assert.ok(a.ok && b.ok);
  assert.equal(idle(), `{data}${a.step}#!#modem>send:AT+CMGD=1,1`);
  assert.equal(ch.withdraw(a.step), false, 'already on the device');
  assert.equal(ch.withdraw(b.step), true);
  const c = ch.enqueue('modem>sms:4');
  assert.ok(c.ok);
  assert.equal(idle(), `{data}${c.step}#!#modem>sms:4`, 'the later command is not behind the withdrawn one');
  assert.equal(ch.stats().queued, 0);
});

test('channel / postpone lets later commands go first, keeping the postponed command\'s step and waiter', async () => {
  const { clock, ch, idle, answer } = setup();
  const reg = ch.send(cmd('modem>activation'), { exclusive: false });
  const list = ch.enqueue('modem>sms:4');
  assert.ok(list.ok);
  assert.equal(ch.postpone('modem>activation'), 1);
  assert.equal(idle(), `{data}${list.step}#!#modem>sms:4`);
  const body = answer(list.step, '1');
  assert.match(body, /#!#modem>activation$/);
  const step = Number(/^\{data\}(\d+)#!#/.exec(body)![1]);
  answer(step, '1;21;MTS RUS');
  await clock.advance(0);
  const r = await reg;
  assert.ok(r.ok && r.value === '1;21;MTS RUS');
});
