/**
 * The poll loop and step handling of the classic firmware, with a scripted in-memory transport
 * (no HTTP) and simulated time: one command per poll, chains in order with one result per
 * sub-command, a repeated step never executed twice, no polling while executing, and the faults.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/clock.ts';
import { parseFleet } from './fleet.ts';
import type { LinkQuery, LinkResponse, LinkTransport } from './link-transport.ts';
import { Simulator } from './simulator.ts';

interface Seen { at: number; q: LinkQuery }

/** A transport that answers from a script of bodies (then idle) and records every poll. */
function scripted(bodies: string[]): LinkTransport & { seen: Seen[]; clock?: FakeClock } {
  const t: LinkTransport & { seen: Seen[]; clock?: FakeClock } = {
    seen: [],
    async poll(_url, q): Promise<LinkResponse> {
      t.seen.push({ at: t.clock!.now(), q });
      return { ok: true, status: 200, body: bodies.shift() ?? '{data}0#!#REQUEST' };
    },
  };
  return t;
}

function setup(bodies: string[], device: Record<string, unknown> = {}, timings: Record<string, unknown> = { device: { jitterMs: 0 } }) {
  const clock = new FakeClock();
  const transport = scripted(bodies);
  transport.clock = clock;
  const fleet = parseFleet({ seed: 3, timings, devices: [{ id: 'd', model: 'sr-board', token: '1234567890', sims: [{ place: 'A1', operator: 'mts' }], ...device }] });
  assert.ok(fleet.ok, JSON.stringify(!fleet.ok && fleet.error));
  const sim = new Simulator({ fleet: fleet.value, panelUrl: 'http://127.0.0.1:1/', clock, transport });
  return { clock, transport, sim, device: sim.devices.get('d')! };
}

const sent = (t: { seen: Seen[] }): Array<[number | undefined, string]> => t.seen.map((s) => [s.q.step, s.q.data]);

test('device / boot: SR start, then REQUEST every 3 s', async () => {
  const { clock, transport, sim } = setup([]);
  sim.start();
  await clock.advance(9_500);
  assert.deepEqual(sent(transport).slice(0, 4), [[0, 'SR start'], [0, 'REQUEST'], [0, 'REQUEST'], [0, 'REQUEST']]);
  assert.deepEqual(transport.seen.slice(0, 4).map((s) => s.at - transport.seen[0]!.at), [0, 3000, 6000, 9000]);
  await sim.stop();
});

test('device / chain: one result per sub-command, tagged with the chain step, sent one per poll', async () => {
  const { clock, transport, sim } = setup(['{data}0#!#REQUEST', '{data}1012#!#modem>select:5&&modem>send:AT+CSPN?']);
  sim.start();
  await clock.advance(20_000);
  const data = sent(transport);
  const i = data.findIndex(([s]) => s === 1012);
  assert.deepEqual(data.slice(i, i + 2), [[1012, '5'], [1012, '1']]);
  await sim.stop();
});

test('device / a repeated step is not executed again', async () => {
  const { clock, transport, sim } = setup(['{data}1500#!#modem>select:2', '{data}1500#!#modem>select:2', '{data}1501#!#modem>select:3']);
  sim.start();
  await clock.advance(20_000);
  const answers = sent(transport).filter(([s]) => s !== 0);
  assert.deepEqual(answers, [[1500, '2'], [1501, '3']]);
  await sim.stop();
});

test('device / answer>clear discards undelivered results and answers 1 alone', async () => {
  const { clock, transport, sim } = setup(['{data}1004#!#modem>fix:0&&modem>off&&modem>select:1&&modem>card:1&&modem>on&&answer>clear']);
  sim.start();
  await clock.advance(15_000);
  assert.deepEqual(sent(transport).filter(([s]) => s === 1004), [[1004, '1']]);
  await sim.stop();
});

test('device / no poll while a long command executes', async () => {
  const slow = { device: { jitterMs: 0 }, mechanics: { bankSwitchMs: 20_000 } };
  const { clock, transport, sim } = setup(['{data}1100#!#modem>select:1&&modem>card:7'], {}, slow);
  sim.start();
  await clock.advance(40_000);
  const t = transport.seen.map((s) => s.at - transport.seen[0]!.at);
  // boot poll at 0 gets the command; it takes 20 s; the next poll follows 3 s after it ends.
  assert.equal(t[1], 23_000);
  assert.deepEqual(sent(transport)[1], [1100, '1']);
  await sim.stop();
});

test('device / empty body or a body without {data} is ignored (the panel is holding)', async () => {
  const { clock, transport, sim } = setup(['', 'garbage', '{data}abc#!#modem>on', '{data}77#!#modem>select:4']);
  sim.start();
  await clock.advance(15_000);
  assert.deepEqual(sent(transport).filter(([s]) => s !== 0), [[77, '4']]);
  await sim.stop();
});

test('device / faults: drop-answer loses the next answer, answer-twice sends it twice', async () => {
  const { clock, transport, sim, device } = setup(['{data}10#!#modem>select:1', '{data}11#!#modem>select:2', '{data}12#!#modem>select:3']);
  sim.start();
  // t=0: SR start goes out and step 10 comes back; its answer is dropped at the next poll (t=3 s).
  assert.ok(device.applyFault({ kind: 'drop-answer' }).ok);
  await clock.advance(7_000); // t=6 s: the answer to 11 went out and step 12 was executed
  assert.ok(device.applyFault({ kind: 'answer-twice' }).ok);
  await clock.advance(10_000);
  const answers = sent(transport).filter(([s]) => s !== 0);
  assert.deepEqual(answers, [[11, '2'], [12, '3'], [12, '3']]);
  await sim.stop();
});

test('device / faults: silent for N s, slow-poll, reboot sends SR start again and forgets the last step', async () => {
  const { clock, transport, sim, device } = setup([]);
  sim.start();
  await clock.advance(1_000);
  assert.ok(device.applyFault({ kind: 'silent', seconds: 30 }).ok);
  const n = transport.seen.length;
  await clock.advance(29_000);
  assert.equal(transport.seen.length, n, 'no poll while silent');
  await clock.advance(5_000);
  assert.ok(transport.seen.length > n);
  assert.ok(device.applyFault({ kind: 'slow-poll', intervalMs: 10_000 }).ok);
  await clock.advance(10_000);
  const m = transport.seen.length;
  await clock.advance(30_000);
  assert.equal(transport.seen.length - m, 3);
  assert.deepEqual(device.applyFault({ kind: 'silent' }).ok, false, 'silent needs seconds');
  assert.ok(device.applyFault({ kind: 'reboot' }).ok);
  await clock.advance(60_000);
  assert.ok(sent(transport).filter(([, d]) => d === 'SR start').length === 2);
  assert.ok(device.applyFault({ kind: 'garbage' }).ok);
  await clock.advance(20_000);
  assert.ok(transport.seen.some((s) => s.q.data.includes('\u0000')), 'garbage went out');
  await sim.stop();
});

test('device / arbitrary panel bodies and commands never stop the poll loop', async () => {
  const fc = (await import('fast-check')).default;
  const words = ['card:', 'row:', 'modem>card:', 'modem>select:', 'modem>send:', 'modem>pack:', 'modem>sms:', 'sms>send:', 'modem1>card:', 'modem[2]>card:', 'modem>activation:', 'answer>clear', 'modem>on', 'modem>off[1]', 'AT+CMGR=', 'AT+CUSD=1,"', 'ATD', 'restart', '##', ';', '&&', '#!#'];
  const command = fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 99 }).map(String)), { maxLength: 8 }).map((p) => p.join(''));
  const body = fc.oneof(
    fc.string(),
    fc.tuple(fc.integer({ min: 0, max: 5000 }), command).map(([s, c]) => `{data}${s}#!#${c}`),
    command.map((c) => `{data}${c}`),
  );
  await fc.assert(fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 12 }), fc.constantFrom('sr-board', 'sr-nano-500', 'sr-box-2', 'sr-organizer', 'sr-train', 'sr-organizer-smart'), async (bodies, model) => {
    const { clock, transport, sim, device } = setup(bodies, { model, sims: [] });
    sim.start();
    await clock.advance(300_000);
    const polled = transport.seen.length;
    await clock.advance(30_000);
    const alive = transport.seen.length > polled && device.state !== 'stopped';
    await sim.stop();
    return alive;
  }), { numRuns: 60 });
});
