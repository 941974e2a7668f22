/**
 * Server mode end to end (device-link.md §2.5, issue #5): an aggregator with link mode `server`
 * pointing at a simulated SR-Board that listens on loopback; the panel calls it, nothing polls.
 * Through the real pool API: openNumber → WAIT_SMS; an SMS from the network → getSms returns it,
 * new once; the device unreachable for 90 s (OFFLINE, SMS keep arriving at the modem) → recovers
 * and the SMS is stored once; the panel's device runtime restarted while an SMS arrives → nothing
 * lost, nothing doubled. Simulated time on a FakeClock; event counts, no timed assertions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './support/harness.ts';
import { smsLedger } from './support/sms-ledger.ts';
import { createDeviceRuntime } from '../../src/devices/runtime.ts';

const SIMS = [{ place: 'A1', number: '79267100001' }, { place: 'C3', number: '79267100002' }];
const ready = (s: string) => s === 'WAIT_SMS' || s === 'WAIT_SMS_CALL';

interface SmsItem { number: string; status: string; sms_counter: number; sms: Array<{ text: string; status: string }> }

test('e2e / server mode on SR-Board: openNumber → WAIT_SMS, getSms once, unreachable 90 s → OFFLINE → recovers, panel restart → every SMS stored exactly once', async () => {
  const w = await createWorld([{ id: 'srv', model: 'SR-Board', simModel: 'sr-board', token: '7100000001', link: 'server', serverToken: 'Lan42', sims: SIMS }], { api: true });
  const number = SIMS[0]!.number;
  const sent: string[] = [];
  const send = (text: string) => { assert.ok(w.sim.sendSms({ to: number, from: '+79990002233', text }).ok); sent.push(text); };
  const stored = async () => (await w.smsOf(number)).map((s) => s.text).sort();
  const getSmsNew = async (): Promise<SmsItem> => (JSON.parse(await w.api({ action: 'getSms', number, new: '1', period: '86400' })) as SmsItem[])[0]!;
  const device = w.sim.devices.get('srv')!;
  let restarted: ReturnType<typeof createDeviceRuntime> | null = null;
  try {
    assert.equal(device.linkMode, 'server');
    const agg = await w.store.db.selectFrom('aggregators').select(['link_mode', 'server_ip', 'server_token']).where('id', '=', w.aggregators.get('srv')!).executeTakeFirstOrThrow();
    assert.deepEqual(agg, { link_mode: 'server', server_ip: w.sim.serverLink('srv')!.address, server_token: 'Lan42' });

    // 1. openNumber through the pool API → the panel calls the device → WAIT_SMS.
    assert.equal(await w.api({ action: 'openNumber', number }), number);
    assert.ok(await w.until(async () => ready(await w.status(number)), 300_000), `status ${await w.status(number)}`);
    assert.ok(device.stats.polls > 0 && device.stats.commands > 0, 'the device was called and ran commands');

    // 2. The network sends an SMS → getSms returns it as NEW once, then there is nothing new.
    send('Your code 731904');
    assert.ok(await w.until(async () => (await stored()).length === 1, 120_000), 'stored');
    const first = await getSmsNew();
    assert.equal(first.status, 'NEW_SMS');
    assert.deepEqual(first.sms.map((s) => [s.text, s.status]), [['Your code 731904', 'NEW']]);
    const again = await getSmsNew();
    assert.equal(again.sms_counter, 0, 'returned once');

    // 3. The device stops answering for 90 s while an SMS reaches its modem: OFFLINE, then back.
    assert.ok(w.sim.fault('srv', { kind: 'silent', seconds: 90 }).ok);
    const servedBefore = device.stats.polls;
    await w.drive(2000);
    send('During the outage 5521');
    assert.ok(await w.until(async () => (await w.status(number)) === 'OFFLINE', 120_000), 'OFFLINE once unheard for 60 s');
    assert.equal(device.stats.polls, servedBefore, 'no request was answered while silent');
    assert.ok(await w.until(async () => ready(await w.status(number)) && (await stored()).length === 2, 300_000), 'recovered and stored');
    assert.deepEqual(await stored(), [...sent].sort());

    // 4. The panel's device runtime goes down; an SMS arrives meanwhile; a new runtime on the same store takes over.
    await w.runtime.stop();
    send('While the panel was down 8080');
    await w.drive(20_000);
    assert.equal((await stored()).length, 2, 'nobody reads the device while the panel is down');
    restarted = createDeviceRuntime({ store: w.store, clock: w.clock, outbox: w.pools.outbox });
    await restarted.start();
    assert.ok(await w.until(async () => (await stored()).length === 3, 300_000), 'the stored SMS is read after the restart');
    send('After the restart 1234');
    assert.ok(await w.until(async () => (await stored()).length === 4, 120_000));
    await w.drive(60_000);
    assert.deepEqual(await stored(), [...sent].sort(), 'every SMS exactly once');
    const sim = w.sim.sims().find((s) => s.number === number)!;
    assert.equal(sim.stored, 0, 'deleted from the SIM after being stored');
    assert.ok(ready(await w.status(number)));
    const last = await getSmsNew();
    assert.deepEqual(last.sms.map((s) => s.text).sort(), ['After the restart 1234', 'During the outage 5521', 'While the panel was down 8080']);
  } finally {
    await restarted?.stop();
    await w.stop();
  }
});

test('e2e / server mode faults: lost, doubled and garbage replies, a reboot mid-session → every SMS stored exactly once, all cards back to WAIT_SMS', async () => {
  const sims = [{ place: 'A2', number: '79267200001' }, { place: 'B4', number: '79267200002' }, { place: 'F1', number: '79267200003' }];
  const w = await createWorld([{ id: 'lan', model: 'SR-Board', simModel: 'sr-board', token: '7200000001', link: 'server', sims }]);
  const { sent, send, count, allStored, exactlyOnce } = smsLedger(w, sims.map((s) => s.number), 'lan', '+7999100');
  const allReady = async () => (await Promise.all(sims.map((s) => w.status(s.number)))).every(ready);
  try {
    for (const s of sims) assert.ok(await w.open(s.number));
    assert.ok(await w.until(allReady, 300_000), 'all online');
    for (const kind of ['drop-answer', 'answer-twice', 'garbage', 'drop-answer', 'answer-twice', 'garbage'] as const) {
      assert.ok(w.sim.fault('lan', { kind }).ok);
      send(sims[count() % 3]!.number);
      await w.drive(3000);
    }
    assert.ok(await w.until(allStored, 240_000), 'stored despite lost, doubled and garbage replies');
    await w.drive(60_000);
    await exactlyOnce('lost/doubled/garbage');

    assert.ok(w.sim.fault('lan', { kind: 'reboot' }).ok);
    await w.drive(1000);
    send(sims[1]!.number);
    send(sims[2]!.number);
    assert.ok(await w.until(async () => (await allReady()) && (await allStored()), 300_000), 'recovered after the reboot');
    await w.drive(60_000);
    await exactlyOnce('after the reboot');
    assert.equal(count(), 8);
    for (const s of w.sim.sims()) assert.equal(s.stored, 0, `SIM ${String(s.number)} emptied`);
  } finally { await w.stop(); }
});

test('e2e / server mode: the device address edited while the session runs → the panel stops calling the old one and calls the new one, no restart; a card opened after it reaches WAIT_SMS', async () => {
  const w = await createWorld([{ id: 'srv', model: 'SR-Board', simModel: 'sr-board', token: '7100000009', link: 'server', serverToken: 'Lan42', sims: SIMS }]);
  const device = w.sim.devices.get('srv')!;
  const id = w.aggregators.get('srv')!;
  const address = w.sim.serverLink('srv')!.address;
  assert.ok(address, 'the device listens');
  const setAddress = (ip: string) => w.store.db.updateTable('aggregators').set({ server_ip: ip, updated_at: w.clock.now() }).where('id', '=', id).execute();
  try {
    assert.ok(await w.until(() => device.stats.polls > 0, 60_000), 'the device is called');
    // Edited in the store (as the admin API on this node or another does): nothing listens at port 1.
    await setAddress('127.0.0.1:1');
    await w.drive(5000);
    const polls = device.stats.polls;
    await w.drive(60_000);
    assert.equal(device.stats.polls, polls, 'the old address is no longer called');
    await setAddress(address);
    assert.ok(await w.until(() => device.stats.polls > polls, 60_000), 'the new address is called');
    assert.ok(await w.open(SIMS[0]!.number));
    assert.ok(await w.until(async () => ready(await w.status(SIMS[0]!.number)), 300_000), `status ${await w.status(SIMS[0]!.number)}`);
  } finally {
    await w.stop();
  }
});
