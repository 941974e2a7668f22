/** The USSD dialogue on a channel, against a scripted classic device (FakeClock, no HTTP). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { DeviceChannel } from '../channel/channel.ts';
import { driverFor } from './driver.ts';
import { buildCusdLine } from '../../codec/at/cusd.ts';
import { parseUssdCode, runUssd, type UssdStep } from './ussd.ts';

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

test('ussd code / only digits, *, #, + (| between menu replies); no quote can reach the AT line', () => {
  assert.deepEqual(parseUssdCode('*111# | 2'), { ok: true, value: ['*111#', '2'] });
  for (const bad of ['*100#"', '*100#,15;ATD1', '', '*1||2', 'abc']) assert.equal(parseUssdCode(bad).ok, false, bad);
});

test('ussd / the driver keeps anything but digits, *, #, + out of the AT line', () => {
  assert.equal(nano.ussd(1, '*100#",15;ATD1'), 'modem>send:AT+CUSD=1,"*100#151",15');
  assert.equal(driverFor('sr-organizer-smart')!.ussd(2, '*100#'), 'ussd:*100#,2');
});
