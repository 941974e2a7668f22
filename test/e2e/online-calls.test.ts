import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type World } from './support/harness.ts';

/**
 * `+CLIP` attribution on classic boxes with several cards online: the call record goes to the card
 * whose modem rang — a card on a non-first channel, opened before the others (so neither "the only
 * card" nor "the newest card" would pick it). SR-Box-2 names the modem in its `1:`/`2:` output
 * prefix; boxes without prefixes are asked which modem holds the call.
 */
async function ringsTheRightCard(w: World, numbers: readonly string[], ringing: string): Promise<void> {
  for (const n of numbers) { assert.ok(await w.open(n), `open ${n}`); await w.drive(2000); } // the ringing card is the oldest
  const ready = (s: string) => s === 'WAIT_SMS' || s === 'WAIT_SMS_CALL';
  assert.ok(await w.until(async () => (await Promise.all(numbers.map((n) => w.status(n)))).every(ready), 300_000),
    JSON.stringify(await Promise.all(numbers.map((n) => w.status(n)))));
  assert.ok(w.sim.call(ringing, '+79031234567', 30).ok); // a ring of 30 s, as a caller waits
  assert.ok(await w.until(async () => (await w.callsOf(ringing)).length > 0, 60_000), `a call record for ${ringing}`);
  await w.drive(40_000);
  assert.deepEqual((await w.callsOf(ringing)).map((c) => c.caller), ['79031234567']);
  for (const n of numbers) if (n !== ringing) assert.deepEqual(await w.callsOf(n), [], `no call recorded for ${n}`);
}

test('e2e / calls on SR-Box-2: a ring on the second modem (channel F) is recorded for the card there', async () => {
  const w = await createWorld([{ id: 'box2', model: 'SR-Box-2', simModel: 'sr-box-2', token: '3200000001', sims: [{ place: 'F3', number: '79263000001' }, { place: 'B1', number: '79263000002' }] }]);
  try {
    await ringsTheRightCard(w, ['79263000001', '79263000002'], '79263000001');
  } finally { await w.stop(); }
});

test('e2e / calls on SR-Board: a ring on channel D, with a newer card on channel A, is recorded for the card on D', async () => {
  const w = await createWorld([{ id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '3200000002', sims: [{ place: 'D12', number: '79263000003' }, { place: 'A1', number: '79263000004' }] }]);
  try {
    await ringsTheRightCard(w, ['79263000003', '79263000004'], '79263000003');
  } finally { await w.stop(); }
});
