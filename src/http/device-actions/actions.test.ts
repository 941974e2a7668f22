import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { DeviceChannel } from '../../devices/channel/channel.ts';
import { createEventBus, type Stamped } from '../../domain/events/bus.ts';
import { TERMINAL_FOLLOW_MS, TerminalFollower, auditableCommand, checkTerminalCommand, parseDialNumber } from './actions.ts';

const flush = async () => { for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r)); };

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

test('dial number / only digits, an optional leading +, * and #', () => {
  assert.deepEqual(parseDialNumber('+7 (999) 000-11-22'), { ok: true, value: '+79990001122' });
  for (const bad of ['1;ATH', '+', '12345678901234567890123', 'A1']) assert.equal(parseDialNumber(bad).ok, false, bad);
});
