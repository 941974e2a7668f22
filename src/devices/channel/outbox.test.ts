import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox } from './outbox.ts';

const L = 120_000;
const cmd = (step: number) => ({ step, text: `c${step}` });

test('outbox / one command per poll, in queue order, then idle', () => {
  const o = new Outbox(L);
  o.push(cmd(1)); o.push(cmd(2));
  assert.deepEqual(o.poll(0, false), { kind: 'command', command: cmd(1) });
  assert.deepEqual(o.poll(3000, false), { kind: 'command', command: cmd(2) });
  assert.deepEqual(o.poll(6000, false), { kind: 'idle' });
});

test('outbox / carrier_limit: keeps releasing for L, then holds until any payload arrives', () => {
  const o = new Outbox(L);
  o.push(cmd(1)); o.push(cmd(2)); o.push(cmd(3));
  assert.equal(o.poll(0, false).kind, 'command');
  assert.equal(o.poll(L - 1, false).kind, 'command', 'still within L: flows on');
  assert.deepEqual(o.poll(L, false), { kind: 'hold', since: 0 });
  assert.equal(o.poll(L + 50_000, false).kind, 'hold');
  const d = o.poll(L + 60_000, true);
  assert.deepEqual(d, { kind: 'command', command: cmd(3) }, 'an answer clears the hold and the same poll is served');
});

test('outbox / a command released with an answer arms the hold (legacy left it unarmed)', () => {
  const o = new Outbox(L);
  o.push(cmd(1));
  assert.equal(o.poll(0, false).kind, 'command');
  o.push(cmd(2)); o.push(cmd(3));
  assert.equal(o.poll(5000, true).kind, 'command', 'answer to 1 arrives, 2 goes out');
  assert.ok(o.awaitingDevice);
  assert.equal(o.poll(5000 + L, false).kind, 'hold', '2 unanswered for L');
});

test('outbox / holding with an empty queue answers idle, and the hold stays armed', () => {
  const o = new Outbox(L);
  o.push(cmd(1));
  o.poll(0, false);
  assert.deepEqual(o.poll(L, false), { kind: 'idle' });
  o.push(cmd(2));
  assert.equal(o.poll(L + 1, false).kind, 'hold');
});

test('outbox / after 2.3 × L the hold is given up and the poll is served at once', () => {
  const o = new Outbox(L);
  o.push(cmd(1)); o.push(cmd(2));
  o.poll(0, false);
  assert.equal(o.poll(2.3 * L - 1, false).kind, 'hold');
  assert.deepEqual(o.poll(2.3 * L, false), { kind: 'command', command: cmd(2) });
});

test('outbox / an idle poll with nothing queued does not arm anything', () => {
  const o = new Outbox(L);
  assert.equal(o.poll(0, false).kind, 'idle');
  assert.equal(o.awaitingDevice, false);
  o.push(cmd(1));
  assert.equal(o.poll(10 * L, false).kind, 'command');
});

test('outbox / remove and clear withdraw queued commands', () => {
  const o = new Outbox(L);
  o.push(cmd(1)); o.push(cmd(2)); o.push(cmd(3));
  assert.equal(o.remove(2), true);
  assert.equal(o.remove(2), false);
  assert.deepEqual(o.steps, [1, 3]);
  assert.deepEqual(o.clear(), [cmd(1), cmd(3)]);
  assert.equal(o.length, 0);
});
