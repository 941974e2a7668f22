import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type WorldDevice } from './support/harness.ts';

/** One device of every model but SR-Nano-500 (online-nano.test.ts), two SIMs each; the first is opened. */
const DEVICES: WorldDevice[] = [
  { id: 'nano1000', model: 'SR-Nano-1000', simModel: 'sr-nano-1000', token: '3000000001', sims: [{ place: 'C7', number: '79261000001' }, { place: 'A1', number: '79261000002' }] },
  { id: 'train', model: 'SR-Train', simModel: 'sr-train', token: '3000000002', sims: [{ place: '4-7', number: '79261000003' }, { place: '7-2', number: '79261000004' }] },
  { id: 'box8', model: 'SR-Box-8', simModel: 'sr-box-8', token: '3000000003', sims: [{ place: 'C', number: '79261000005' }, { place: 'E', number: '79261000006' }] },
  { id: 'bank', model: 'SR-Box-Bank', simModel: 'sr-box-bank', token: '3000000004', sims: [{ place: 'C2', number: '79261000007' }, { place: 'D5', number: '79261000008' }] },
  { id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '3000000005', sims: [{ place: 'D12', number: '79261000009' }, { place: 'A1', number: '79261000010' }] },
  { id: 'box2', model: 'SR-Box-2', simModel: 'sr-box-2', token: '3000000006', sims: [{ place: 'F3', number: '79261000011' }, { place: 'B1', number: '79261000012' }] },
  { id: 'box2bank', model: 'SR-Box-2-Bank', simModel: 'sr-box-2-bank', token: '3000000007', sims: [{ place: 'B4', number: '79261000013' }, { place: 'G2', number: '79261000014' }] },
  { id: 'org', model: 'SR-Organizer', simModel: 'sr-organizer', token: '3000000008', sims: [{ place: '2-5', number: '79261000015' }, { place: '1-1', number: '79261000016' }] },
  { id: 'orgsmart', model: 'SR-Organizer-Smart', simModel: 'sr-organizer-smart', token: '3000000009', sims: [{ place: 'B3', number: '79261000017' }, { place: 'A1', number: '79261000018' }] },
  { id: 'box8smart', model: 'SR-Box-8-Smart', simModel: 'sr-box-8-smart', token: '3000000010', sims: [{ place: 'E6', number: '79261000019' }, { place: 'A2', number: '79261000020' }] },
];

test('e2e / every model: openNumber → registered → GSM-7, UCS2 and an out-of-order long SMS stored whole, once → closeNumber → HOLD', async () => {
  const w = await createWorld(DEVICES);
  try {
    const opened = DEVICES.map((d) => d.sims[0]!.number);
    for (const n of opened) assert.ok(await w.open(n), `open ${n}`);
    const ready = (s: string) => s === 'WAIT_SMS' || s === 'WAIT_SMS_CALL';
    const ok = await w.until(async () => (await Promise.all(opened.map((n) => w.status(n)))).every(ready), 240_000);
    assert.ok(ok, JSON.stringify(Object.fromEntries(await Promise.all(opened.map(async (n) => [n, await w.status(n)])))));
    const long = 'Часть длинного сообщения для проверки сборки. '.repeat(6);
    for (const n of opened) {
      assert.ok(w.sim.sendSms({ to: n, from: '+79990001122', text: `Code ${n.slice(-4)}` }).ok);
      assert.ok(w.sim.sendSms({ to: n, from: 'MTC', text: 'Ваш код 5555', alphabet: 'ucs2' }).ok);
      assert.ok(w.sim.sendSms({ to: n, from: 'Bank', text: long, shuffle: true }).ok);
    }
    const all = async () => (await Promise.all(opened.map((n) => w.smsOf(n)))).every((l) => l.length >= 3);
    assert.ok(await w.until(all, 180_000), JSON.stringify(Object.fromEntries(await Promise.all(opened.map(async (n) => [n, (await w.smsOf(n)).length])))));
    await w.drive(60_000);
    for (const n of opened) {
      const texts = (await w.smsOf(n)).map((s) => s.text).sort();
      assert.deepEqual(texts, [`Code ${n.slice(-4)}`, long, 'Ваш код 5555'].sort(), `SMS of ${n}`);
    }
    for (const n of opened) await w.close(n);
    assert.ok(await w.until(async () => {
      const rows = await w.store.db.selectFrom('card_online').select('position').execute();
      return rows.every((r) => r.position === 'HOLD');
    }));
    for (const n of opened) assert.equal(await w.status(n), 'INACTIVE');
  } finally { await w.stop(); }
});
