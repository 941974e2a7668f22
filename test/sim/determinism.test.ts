/**
 * A seed makes a run repeatable: the same fleet and seed in simulated time give the same traffic
 * poll for poll (numbers, ICCIDs, jitter, multipart order); another seed gives other numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import type { LinkQuery, LinkResponse } from '../../src/sim/link-transport.ts';
import { Simulator } from '../../src/sim/simulator.ts';

async function trace(seed: number): Promise<{ polls: string[]; numbers: string[] }> {
  const clock = new FakeClock();
  const polls: string[] = [];
  let n = 0;
  const transport = {
    async poll(_u: string, q: LinkQuery): Promise<LinkResponse> {
      polls.push(`${clock.now()} ${q.token} ${q.step} ${q.data}`);
      n++;
      const body = n === 3 ? '{data}500#!#modem>on' : n === 20 ? '{data}501#!#modem>select:1&&modem>card:1&&modem>sms:0' : '{data}0#!#REQUEST';
      return { ok: true, status: 200, body };
    },
  };
  const fleet = parseFleet({ seed, devices: [{ id: 'b', model: 'sr-board', token: '1111111111', fill: { count: 16 } }] });
  assert.ok(fleet.ok);
  const sim = new Simulator({ fleet: fleet.value, panelUrl: 'http://127.0.0.1:1/', clock, transport });
  sim.start();
  await clock.advance(30_000);
  const numbers = sim.sims().map((s) => s.number as string);
  sim.sendSms({ to: numbers[0]!, from: 'MTC', text: 'Длинный текст '.repeat(30), shuffle: true });
  await clock.advance(90_000);
  await sim.stop();
  return { polls, numbers };
}

test('determinism / the same seed replays the same traffic; another seed differs', async () => {
  const a = await trace(77);
  const b = await trace(77);
  const c = await trace(78);
  assert.ok(a.polls.length > 30);
  assert.deepEqual(a.polls, b.polls);
  assert.deepEqual(a.numbers, b.numbers);
  assert.notDeepEqual(a.numbers, c.numbers);
  assert.ok(a.polls.some((p) => p.includes(' 501 ')), 'the SMS listing is part of the trace');
});
