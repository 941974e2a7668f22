import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './support/harness.ts';

/**
 * Committed SMS leave the SIM in one "delete read" command when that is safe (the last listing
 * committed all it showed, none is on its way), with lost messages in between (a dropped `+CMTI`,
 * a dropped listing answer): every SMS is stored exactly once and the SIM ends up empty.
 */
test('e2e / SR-Nano SMS deletes: one delete-read command per batch, lost answers in between, every SMS once, the SIM emptied', async () => {
  const number = '79264100001';
  const w = await createWorld([{ id: 'nano', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '3300000001', sims: [{ place: 'B7', number }] }]);
  try {
    assert.ok(await w.open(number));
    assert.ok(await w.until(async () => (await w.status(number)).startsWith('WAIT'), 300_000), await w.status(number));
    const sent: string[] = [];
    for (let i = 0; i < 14; i++) {
      if (i % 4 === 1) assert.ok(w.sim.fault('nano', { kind: 'drop-answer' }).ok);
      const text = `delete batch probe ${i}`;
      assert.ok(w.sim.sendSms({ to: number, from: '+79991234567', text }).ok);
      sent.push(text);
      await w.drive(5000);
    }
    assert.ok(await w.until(async () => (await w.smsOf(number)).length >= sent.length, 300_000), `${(await w.smsOf(number)).length} of ${sent.length} stored`);
    await w.drive(90_000);
    assert.deepEqual((await w.smsOf(number)).map((s) => s.text).sort(), [...sent].sort(), 'every SMS once');
    const stored = () => w.sim.sims().find((s) => String(s['msisdn'] ?? s['number']).endsWith(number.slice(-10)))?.['stored'];
    assert.ok(await w.until(async () => stored() === 0, 120_000), `SIM storage left: ${stored()}`);
    assert.ok(w.session().stats.deleteRead > 0, 'deleted with delete-read commands');
  } finally {
    await w.stop();
  }
});

/**
 * A read by someone else between the listing and the delete (the console terminal's `AT+CMGR`)
 * may have marked a message read that no listing showed: "delete read" would remove it unstored.
 * The session then deletes by index, and the message arriving meanwhile is stored.
 */
test('e2e / SR-Nano SMS deletes: after a read by someone else the session deletes by index, and nothing is lost', async () => {
  const number = '79264100002';
  const w = await createWorld([{ id: 'nano', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '3300000002', sims: [{ place: 'B8', number }] }]);
  try {
    assert.ok(await w.open(number));
    assert.ok(await w.until(async () => (await w.status(number)).startsWith('WAIT'), 300_000), await w.status(number));
    assert.ok(w.sim.sendSms({ to: number, from: '+79991234567', text: 'first' }).ok);
    assert.ok(await w.until(async () => (await w.smsOf(number)).length === 1, 120_000));
    // The committed message waits for its delete; meanwhile an admin reads slot 1 by hand.
    const link = w.runtime.hub.get(w.aggregators.get('nano')!)!;
    assert.ok(link.channel.enqueue('modem>send:AT+CMGR=1').ok);
    await w.drive(90_000);
    assert.equal(w.session().stats.deleteRead, 0, 'no delete-read after a foreign read');
    assert.ok(w.sim.sendSms({ to: number, from: '+79991234567', text: 'second' }).ok);
    assert.ok(await w.until(async () => (await w.smsOf(number)).length === 2, 120_000));
    await w.drive(90_000);
    assert.deepEqual((await w.smsOf(number)).map((s) => s.text).sort(), ['first', 'second']);
    const stored = () => w.sim.sims().find((s) => String(s['msisdn'] ?? s['number']).endsWith(number.slice(-10)))?.['stored'];
    assert.ok(await w.until(async () => stored() === 0, 120_000), `SIM storage left: ${stored()}`);
  } finally {
    await w.stop();
  }
});
