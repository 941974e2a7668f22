import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './support/harness.ts';

test('e2e / SR-Nano-500: openNumber → WAIT_SMS_CALL → SMS GSM-7, UCS2, long out of order → each stored once → closeNumber', async () => {
  const w = await createWorld([{ id: 'n1', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '2000000001', sims: [{ place: 'A5', number: '79161110001' }, { place: 'B3', number: '79161110002' }] }]);
  try {
    assert.ok(await w.open('79161110001'));
    assert.ok(await w.until(async () => (await w.status('79161110001')) === 'WAIT_SMS_CALL'), `status ${await w.status('79161110001')}`);
    assert.ok(w.sim.sendSms({ to: '79161110001', from: '+79990001122', text: 'Your code 123456' }).ok);
    assert.ok(w.sim.sendSms({ to: '79161110001', from: 'MTC', text: 'Код подтверждения 4321', alphabet: 'ucs2' }).ok);
    const long = 'Long message part of a test of the multipart reassembly. '.repeat(8);
    assert.ok(w.sim.sendSms({ to: '79161110001', from: 'Bank', text: long, shuffle: true }).ok);
    assert.ok(await w.until(async () => (await w.smsOf('79161110001')).length >= 3, 120_000));
    await w.drive(60_000);
    const sms = await w.smsOf('79161110001');
    assert.equal(sms.length, 3, JSON.stringify(sms));
    assert.deepEqual(sms.map((s) => s.text).sort(), ['Your code 123456', 'Код подтверждения 4321', long].sort());
    const stored = w.sim.sims().find((s) => s.number === '79161110001')!;
    assert.equal(stored.stored, 0, 'deleted from the SIM after the commit');
    await w.close('79161110001');
    assert.ok(await w.until(async () => {
      const row = await w.store.db.selectFrom('card_online').select('position').where('card_id', '=', w.cards.get('n1:A5')!).executeTakeFirst();
      return row?.position === 'HOLD';
    }));
    assert.equal(await w.status('79161110001'), 'INACTIVE');
  } finally { await w.stop(); }
});
