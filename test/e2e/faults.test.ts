import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './support/harness.ts';
import { smsLedger } from './support/sms-ledger.ts';

const SIMS = [{ place: 'A2', number: '79265000001' }, { place: 'B4', number: '79265000002' }, { place: 'F1', number: '79265000003' }];
const ready = (s: string) => s === 'WAIT_SMS' || s === 'WAIT_SMS_CALL';

test('e2e / faults on SR-Board: lost and duplicated answers, garbage, 2 minutes of silence, a reboot mid-session → every SMS stored exactly once; stuck registration and a denied SIM get the right status', async () => {
  const w = await createWorld([{ id: 'b', model: 'SR-Board', simModel: 'sr-board', token: '5000000001', sims: SIMS }]);
  const { sent, send, count, allStored, exactlyOnce } = smsLedger(w, SIMS.map((s) => s.number), 'msg', '+7999000');
  try {
    for (const s of SIMS) assert.ok(await w.open(s.number));
    assert.ok(await w.until(async () => (await Promise.all(SIMS.map((s) => w.status(s.number)))).every(ready), 300_000));

    // 1. lost answers, duplicated answers and garbage payloads while SMS arrive
    for (const kind of ['drop-answer', 'answer-twice', 'garbage', 'drop-answer', 'answer-twice', 'garbage'] as const) {
      assert.ok(w.sim.fault('b', { kind }).ok);
      send(SIMS[count() % 3]!.number);
      await w.drive(4000);
    }
    assert.ok(await w.until(allStored, 240_000), 'batch 1 stored');
    await w.drive(60_000);
    await exactlyOnce('lost/duplicate/garbage');

    // 2. the device goes silent for 2 minutes while SMS keep arriving at the modems
    assert.ok(w.sim.fault('b', { kind: 'silent', seconds: 120 }).ok);
    await w.drive(3000);
    for (const s of SIMS) send(s.number);
    await w.drive(70_000);
    assert.equal(await w.status(SIMS[0]!.number), 'OFFLINE', 'silent > 60 s → OFFLINE');
    assert.ok(await w.until(allStored, 300_000), 'batch 2 stored after the silence');
    assert.ok(ready(await w.status(SIMS[0]!.number)));

    // 3. reboot mid-session: the cards are seated again, SMS keep flowing
    assert.ok(w.sim.fault('b', { kind: 'reboot' }).ok);
    await w.drive(2000);
    send(SIMS[1]!.number);
    assert.ok(await w.until(async () => (await Promise.all(SIMS.map((s) => w.status(s.number)))).every(ready) && (await allStored()), 300_000), 'recovered after reboot');
    send(SIMS[2]!.number);
    assert.ok(await w.until(allStored, 120_000));
    await w.drive(60_000);
    await exactlyOnce('after silence and reboot');
    assert.equal(count(), 11);

    // 4. a modem stuck searching: CONNECTING (restarts are tried), back to WAIT_SMS when the network lets it in
    assert.ok(w.sim.setRegistration(SIMS[0]!.number, 'searching').ok);
    assert.ok(await w.until(async () => (await w.status(SIMS[0]!.number)) === 'CONNECTING', 120_000));
    await w.drive(120_000);
    assert.ok(w.session().stats.restarts > 0, 'a restart was tried');
    assert.ok(w.sim.setRegistration(SIMS[0]!.number, 'ok').ok);
    assert.ok(await w.until(async () => ready(await w.status(SIMS[0]!.number)), 300_000));

    // 5. a SIM the network denies: ERROR
    assert.ok(w.sim.setRegistration(SIMS[1]!.number, 'denied').ok);
    assert.ok(await w.until(async () => (await w.status(SIMS[1]!.number)) === 'ERROR', 180_000));
    await exactlyOnce('at the end');
  } finally { await w.stop(); }
});
