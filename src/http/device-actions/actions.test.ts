import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { DeviceChannel } from '../../devices/channel/channel.ts';
import { driverFor } from '../../devices/drivers/driver.ts';
import { buildCusdLine } from '../../codec/at/cusd.ts';
import { createEventBus, type Stamped } from '../../domain/events/bus.ts';
import {
  TERMINAL_FOLLOW_MS, TerminalFollower, auditableCommand, checkTerminalCommand, parseDialNumber, parseUssdCode, runUssd, type UssdStep,
} from './actions.ts';

const flush = async () => { for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r)); };

/** A classic device on the channel: answers `1` to every command, then prints what `react` says as step-0 output. */
function device(react: (cmd: string) => string[]) {
  const clock = new FakeClock();
  const ch = new DeviceChannel({ clock, steps: { next: 1000, persist: () => {} } });
  const sent: string[] = [];
  let stop = false;
  const run = (async () => {
    for (let i = 0; i < 200 && !stop; i++) {
      await flush();
      const m = /^\{data\}(\d+)#!#(.*)$/s.exec(ch.handlePoll({ step: 0, data: 'REQUEST' }).body);
      if (!m || m[1] === '0') continue;
      sent.push(m[2]!);
      ch.handlePoll({ step: Number(m[1]), data: '1' });
      await flush();
      for (const out of react(m[2]!)) ch.handlePoll({ step: 0, data: out });
    }
  })();
  return { clock, ch, sent, done: async () => { stop = true; await run; } };
}

const nano = driverFor('sr-nano-500')!;

test('ussd / menu *111#|2: each step is AT+CUSD=1,"<step>",15 in one transaction; both replies decoded, only the last final', async () => {
  const d = device((cmd) => cmd.includes('"*111#"') ? [`AT+CUSD=1,"*111#",15\r\nOK\r\n${buildCusdLine(1, '1.Баланс\n2.Мой номер')}`]
    : cmd.includes('"2"') ? [`AT+CUSD=1,"2",15\r\nOK\r\n${buildCusdLine(0, 'Ваш номер +79161110001')}`] : []);
  const replies: UssdStep[] = [];
  const r = await runUssd(d.ch, nano, 1, ['*111#', '2'], (s) => replies.push(s));
  await d.done();
  assert.deepEqual(r, { ok: true, value: { text: 'Ваш номер +79161110001', final: true } });
  assert.deepEqual(replies, [{ text: '1.Баланс\n2.Мой номер', final: false }, { text: 'Ваш номер +79161110001', final: true }]);
  assert.deepEqual(d.sent, ['modem>send:AT+CUSD=1,"*111#",15', 'modem>send:AT+CUSD=1,"2",15']);
});

test('ussd / +CUSD: 4 (not supported by the network) → DEVICE_ERROR', async () => {
  const d = device(() => ['+CUSD: 4']);
  const r = await runUssd(d.ch, nano, 1, ['*100#'], () => {});
  await d.done();
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'DEVICE_ERROR');
});

test('ussd / the network ends the session before the last menu reply → DEVICE_ERROR, the reply still published', async () => {
  const d = device(() => [buildCusdLine(0, 'Неверный запрос')]);
  const replies: UssdStep[] = [];
  const r = await runUssd(d.ch, nano, 1, ['*111#', '2'], (s) => replies.push(s));
  await d.done();
  assert.equal(!r.ok && r.code, 'DEVICE_ERROR');
  assert.equal(replies.length, 1);
  assert.equal(d.sent.length, 1, 'the second step is never sent');
});

test('ussd / no +CUSD within the wait → DEVICE_TIMEOUT', async () => {
  const d = device(() => ['AT+CUSD=1,"*100#",15\r\nOK']);
  const p = runUssd(d.ch, nano, 1, ['*100#'], () => {});
  await d.done();
  await flush();
  await d.clock.advance(61_000);
  const r = await p;
  assert.equal(!r.ok && r.code, 'DEVICE_TIMEOUT');
});

test('terminal / answers of the step (every answer of a chain) and the step-0 output are published; following stops after the quiet window', async () => {
  const clock = new FakeClock();
  const ch = new DeviceChannel({ clock, steps: { next: 1000, persist: () => {} } });
  const bus = createEventBus({ clock });
  const seen: Stamped[] = [];
  bus.subscribe((e) => seen.push(e));
  const f = new TerminalFollower(clock, () => bus);
  const q = ch.enqueue('modem>on&&modem>pack:AT+CFUN=1,1##2;3;##1');
  assert.ok(q.ok);
  f.follow(7, ch, q.step);
  ch.handlePoll({ step: 0, data: 'REQUEST' });
  ch.handlePoll({ step: q.step, data: '1' });
  await flush();
  ch.handlePoll({ step: 0, data: 'Call Ready' });
  ch.handlePoll({ step: q.step, data: '2:OK\n3:OK' });
  await flush();
  const texts = () => seen.map((e) => (e.type === 'terminal.answer' ? `${e.aggregatorId}/${e.step}:${e.text}` : e.type));
  assert.deepEqual(texts(), ['7/1000:1', '7/0:Call Ready', '7/1000:2:OK\n3:OK']);
  await clock.advance(TERMINAL_FOLLOW_MS + 1);
  await flush();
  ch.handlePoll({ step: 0, data: '+CMTI: "SM",1' });
  assert.equal(texts().length, 3, 'nothing published after the quiet window');
  f.close();
  ch.close();
});

test('terminal command / control characters, empty and over-long text refused; chains allowed', () => {
  assert.deepEqual(checkTerminalCommand(' row:now&&modem>on '), { ok: true, value: 'row:now&&modem>on' });
  for (const bad of ['', '  ', 'a\nb', 'a\u0007', 'a\u2028b', 'x'.repeat(2001)]) assert.equal(checkTerminalCommand(bad).ok, false, JSON.stringify(bad));
});

test('audit / an sms>send text in a terminal chain is replaced by its length', () => {
  assert.equal(auditableCommand('modem>select:3&&sms>send:+79990001122;my code 1234&&answer>clear'), 'modem>select:3&&sms>send:+79990001122;<12 chars>&&answer>clear');
  assert.equal(auditableCommand('row:now'), 'row:now');
});

test('ussd code and dial number / only digits, *, #, + (| between menu replies); no quote can reach the AT line', () => {
  assert.deepEqual(parseUssdCode('*111# | 2'), { ok: true, value: ['*111#', '2'] });
  for (const bad of ['*100#"', '*100#,15;ATD1', '', '*1||2', 'abc']) assert.equal(parseUssdCode(bad).ok, false, bad);
  assert.deepEqual(parseDialNumber('+7 (999) 000-11-22'), { ok: true, value: '+79990001122' });
  for (const bad of ['1;ATH', '+', '12345678901234567890123', 'A1']) assert.equal(parseDialNumber(bad).ok, false, bad);
});
