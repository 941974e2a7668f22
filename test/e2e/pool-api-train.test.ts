import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './support/harness.ts';

const rowR = Array.from({ length: 8 }, (_, i) => ({ place: `4-${i + 1}`, number: `7926400000${i}` }));
const rowR3 = Array.from({ length: 8 }, (_, i) => ({ place: `7-${i + 1}`, number: `7926470000${i}` }));
const other = [{ place: '12-1', number: '79264120001' }, { place: '15-3', number: '79264150003' }];

test('e2e / pool API on SR-Train: openNumbers&channels=max opens 16 on rows r and r+3; SMS on both rows; sendSms → SENT with && defused; clearSimStorage', async () => {
  const w = await createWorld([{ id: 'train', model: 'SR-Train', simModel: 'sr-train', token: '4000000001', sims: [...rowR, ...rowR3, ...other] }], { api: true });
  try {
    const opened = JSON.parse(await w.api({ action: 'openNumbers', channels: 'max' })) as { total: number; numbers: string };
    assert.equal(opened.total, 16);
    assert.deepEqual(opened.numbers.split(',').sort(), [...rowR, ...rowR3].map((s) => s.number).sort());
    const all = opened.numbers;
    const ready = async () => {
      const st = JSON.parse(await w.api({ action: 'getSimStatus', number: all })) as Array<{ status: string }>;
      return st.every((s) => s.status === 'WAIT_SMS' || s.status === 'WAIT_SMS_CALL');
    };
    assert.ok(await w.until(ready, 300_000), await w.api({ action: 'getSimStatus', number: all }));
    const rows = await w.store.db.selectFrom('card_online').select(['channel', 'position']).where('desired', '=', 'online').execute();
    assert.deepEqual(rows.map((r) => r.channel).sort((a, b) => a! - b!), Array.from({ length: 16 }, (_, i) => i + 1));

    // SMS on both rows
    assert.ok(w.sim.sendSms({ to: rowR3[5]!.number, from: 'Service', text: 'Your code: 774411' }).ok);
    assert.ok(w.sim.sendSms({ to: rowR[2]!.number, from: '+79031234567', text: 'Привет, код 1234', alphabet: 'ucs2' }).ok);
    assert.ok(await w.until(async () => (await w.api({ action: 'getLastSms', number: rowR3[5]!.number, code: '6' })) === '774411', 120_000));
    const got = JSON.parse(await w.api({ action: 'getSms', number: rowR[2]!.number, period: '3600' })) as Array<{ sms: Array<{ text: string; sender: string }> }>;
    assert.deepEqual(got[0]!.sms.map((s) => s.text), ['Привет, код 1234']);

    const x = rowR[6]!.number;
    // sendSms waits for the modem's +CMGS
    const sent = JSON.parse(await w.api({ action: 'sendSms', number: x, recipient: '+79161112233', text: 'hello && modem>off' })) as { status: string };
    assert.equal(sent.status, 'SENT');
    const delivered = w.sim.network.sent.find((m) => m.to.endsWith('79161112233'));
    assert.equal(delivered?.text, 'hello & & modem>off', '&& cannot start a device command');
    assert.equal(await w.api({ action: 'clearSimStorage' }), 'DONE');
    assert.ok(await w.until(async () => (await w.store.db.selectFrom('device_requests').select('status').where('kind', '=', 'clear_storage').execute()).every((r) => r.status === 'done')));
  } finally { await w.stop(); }
});

test('e2e / pool API on SR-Board: grabCall routes calls to the modem of that number; a ring shows RING_[caller] for 10 s and one getCall record per call; a second caller is not lost', async () => {
  const w = await createWorld([{ id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '4000000003', sims: [{ place: 'A3', number: '79264800001' }, { place: 'C9', number: '79264800002' }] }], { api: true });
  try {
    const opened = JSON.parse(await w.api({ action: 'openNumbers', channels: 'max' })) as { total: number; numbers: string };
    assert.equal(opened.total, 2);
    assert.ok(await w.until(async () => (JSON.parse(await w.api({ action: 'getSimStatus', number: opened.numbers })) as Array<{ status: string }>).every((s) => s.status === 'WAIT_SMS_CALL' || s.status === 'WAIT_SMS'), 300_000));
    const x = '79264800002';
    assert.equal(await w.api({ action: 'grabCall', number: x }), 'DONE');
    assert.ok(await w.until(async () => (await w.store.db.selectFrom('device_requests').select('status').where('kind', '=', 'grab_call').executeTakeFirst())?.status === 'done'));
    assert.ok(w.sim.call(x, '+79057654321', 12).ok);
    assert.ok(await w.until(async () => (JSON.parse(await w.api({ action: 'getSimStatus', number: x })) as Array<{ status: string }>)[0]!.status === 'RING_[79057654321]', 60_000));
    await w.drive(40_000);
    assert.equal((JSON.parse(await w.api({ action: 'getSimStatus', number: x })) as Array<{ status: string }>)[0]!.status.startsWith('RING_'), false, 'RING_ lasts 10 s');
    assert.ok(w.sim.call(x, '+79051112222', 6).ok, 'a second caller right after');
    await w.drive(30_000);
    const calls = JSON.parse(await w.api({ action: 'getCall', number: x, period: '600' })) as Array<{ call_counter: number; call: Array<{ incoming_number: string }> }>;
    assert.deepEqual(calls[0]!.call.map((c) => c.incoming_number).sort(), ['79051112222', '79057654321'], 'one record per call, however many +CLIP repeats');
  } finally { await w.stop(); }
});
