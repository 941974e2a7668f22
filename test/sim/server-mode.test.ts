/**
 * Server mode on the device side (device-link.md §2.5) over real HTTP in simulated time: the
 * device listens, checks its local token, answers `/port?data=<token>||<step>||<command>` with one
 * outbound message per request (`<step>#!#<result>`, `0#!#REQUEST` when idle), runs commands in
 * the background with the same firmware as a polling device, and the scripted faults apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import { parsePortRequest } from '../../src/sim/device-server.ts';
import { Simulator } from '../../src/sim/simulator.ts';

interface Reply { status: number; body: string }

async function withServerDevice(body: (h: {
  sim: Simulator; clock: FakeClock; address: string;
  get(data: string): Promise<Reply | 'reset'>;
  request(step: number, command: string, token?: string): Promise<Reply | 'reset'>;
  drain(max?: number): Promise<string[]>;
  drive(ms: number): Promise<void>;
}) => Promise<void>): Promise<void> {
  const clock = new FakeClock();
  const fleet = parseFleet({
    seed: 5,
    devices: [{ id: 'srv', model: 'sr-board', link: 'server', serverToken: 'ab12C', sims: [{ place: 'A1', operator: 'mts', msisdn: '79267000001' }] }],
  });
  assert.ok(fleet.ok, JSON.stringify(!fleet.ok && fleet.error));
  const sim = new Simulator({ fleet: fleet.value, panelUrl: 'http://127.0.0.1:9/', clock, transport: { poll: async () => { throw new Error('a server-mode device never polls'); } } });
  await sim.listen();
  sim.start();
  const address = sim.serverLink('srv')!.address!;
  const get = async (data: string): Promise<Reply | 'reset'> => {
    try {
      const r = await fetch(`http://${address}/port?data=${data}`);
      return { status: r.status, body: await r.text() };
    } catch { return 'reset'; }
  };
  // Every reply that carried something, in order; `drain` hands out what arrived since its last call.
  const seen: string[] = [];
  let taken = 0;
  const request = async (step: number, command: string, token = 'ab12C') => {
    const r = await get(token + encodeURIComponent(`||${step}||${command}`));
    if (r !== 'reset' && r.status === 200 && r.body !== '0#!#REQUEST') seen.push(r.body);
    return r;
  };
  const drive = async (ms: number) => { const end = clock.now() + ms; while (clock.now() < end) await clock.advance(Math.min(200, end - clock.now())); };
  try {
    await body({
      sim, clock, address, get, request, drive,
      /** Polls with REQUEST until the device has nothing more to say; every reply with data since the last drain. */
      async drain(max = 50) {
        for (let i = 0; i < max; i++) {
          const r = await request(0, 'REQUEST');
          assert.ok(r !== 'reset' && r.status === 200);
          if (r.body === '0#!#REQUEST') break;
        }
        const out = seen.slice(taken);
        taken = seen.length;
        return out;
      },
    });
  } finally { await sim.stop(); }
}

test('server mode / parsePortRequest: token, step and command split as the legacy panel builds them; anything else refused', () => {
  assert.deepEqual(parsePortRequest(`/port?data=ab12C${encodeURIComponent('||1003||modem>select:5&&modem>send:AT+CUSD=1,"*100#",15')}`),
    { ok: true, token: 'ab12C', step: 1003, command: 'modem>select:5&&modem>send:AT+CUSD=1,"*100#",15' });
  assert.deepEqual(parsePortRequest('/port?data=ab12C||0||REQUEST'), { ok: true, token: 'ab12C', step: 0, command: 'REQUEST' });
  // PHP urlencode writes a space as '+'; a command may contain '||' itself.
  assert.deepEqual(parsePortRequest('/port?data=t%7C%7C7%7C%7Csms%3Esend%3A%2B7916%3Bhi+there||x'), { ok: true, token: 't', step: 7, command: 'sms>send:+7916;hi there||x' });
  for (const bad of ['/port', '/port?data=', '/port?data=abc', '/port?data=a||x||REQUEST', '/port?data=a||1||', '/port?data=a||12345678901||x']) {
    const r = parsePortRequest(bad);
    assert.ok(!r.ok && r.status === 400, bad);
  }
  const other = parsePortRequest('/link.php?token=1');
  assert.ok(!other.ok && other.status === 404);
});

test('server mode / the device answers the boot banner, then REQUEST; a command runs in the background and its results come back one per request, tagged with its step', async () => {
  await withServerDevice(async ({ sim, request, drain, drive, get }) => {
    assert.deepEqual(await drain(), ['0#!#SR start']);
    const first = await request(1001, 'dev:serial');
    assert.ok(first !== 'reset' && first.status === 200);
    assert.equal(first.body, '0#!#REQUEST', 'results are asynchronous: not in the reply to the command itself');
    assert.ok(first.body === '0#!#REQUEST');
    await drive(1000);
    const [serial] = await drain();
    assert.match(serial!, /^1001#!#\d{18}$/);
    // A chain: one result per sub-command, all with the chain's step; the modem's output as step 0.
    await request(1002, 'modem>select:1&&modem>card:1&&modem>on');
    await drive(15_000);
    const replies = await drain();
    assert.deepEqual(replies.filter((r) => r.startsWith('1002#!#')), ['1002#!#1', '1002#!#1', '1002#!#1']);
    // The same step again is not executed twice (device-link.md §11).
    await request(1003, 'dev:serial');
    await drive(500);
    await request(1003, 'dev:serial');
    await drive(500);
    assert.deepEqual((await drain()).filter((r) => r.startsWith('1003#!#')).length, 1);
    // Wrong token: 403, nothing executed; malformed: 400; other paths: 404.
    const commands = sim.devices.get('srv')!.stats.commands;
    const forbidden = await request(1004, 'modem>off', 'zzzzz');
    assert.ok(forbidden !== 'reset' && forbidden.status === 403 && forbidden.body === '');
    const bad = await get('ab12C||x');
    assert.ok(bad !== 'reset' && bad.status === 400);
    await drive(1000);
    assert.equal(sim.devices.get('srv')!.stats.commands, commands);
    assert.deepEqual(await drain(), []);
    const snap = sim.devices.get('srv')!.snapshot();
    assert.equal(snap['link'], 'server');
    assert.equal(snap['server'], sim.serverLink('srv')!.address);
  });
});

test('server mode / an SMS reaches the modem: +CMTI arrives as step 0 and modem>sms:0 lists it', async () => {
  await withServerDevice(async ({ sim, request, drain, drive }) => {
    await drain();
    await request(1001, 'modem>select:1&&modem>card:1&&modem>on');
    await drive(20_000);
    await drain();
    assert.ok(sim.sendSms({ to: '79267000001', from: '+79990001122', text: 'code 4242' }).ok);
    await drive(5000);
    assert.ok((await drain()).some((r) => r.startsWith('0#!#+CMTI:')), 'the URC as an unsolicited message');
    await request(1002, 'modem>sms:0');
    await drive(15_000);
    const after = await drain();
    const listed = after.find((r) => r.startsWith('1002#!#'));
    assert.ok(listed, JSON.stringify(after));
    assert.match(listed!, /^1002#!#1## \d+,0,"",\d+\r?\n[0-9A-F]+/);
  });
});

test('server mode / faults: a silent device leaves requests unanswered and drops them when the silence ends; lost and doubled answers; a reboot resets connections, then SR start', async () => {
  await withServerDevice(async ({ sim, clock, request, drain, drive }) => {
    await drain();
    assert.ok(sim.fault('srv', { kind: 'silent', seconds: 30 }).ok);
    let settled: Reply | 'reset' | null = null;
    const pending = request(0, 'REQUEST').then((r) => { settled = r; });
    for (let i = 0; i < 200 && sim.parkedRequests === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sim.parkedRequests, 1, 'held by the device');
    await clock.advance(29_000);
    assert.equal(settled, null, 'no answer while silent');
    await clock.advance(1500);
    await pending;
    assert.equal(settled, 'reset', 'dropped when the silence ends');
    assert.equal(sim.parkedRequests, 0);

    await request(1001, 'dev:serial');
    await drive(500);
    assert.ok(sim.fault('srv', { kind: 'drop-answer' }).ok);
    assert.deepEqual(await drain(), [], 'the answer was lost');
    await request(1002, 'dev:serial');
    await drive(500);
    assert.ok(sim.fault('srv', { kind: 'answer-twice' }).ok);
    const twice = await drain();
    assert.equal(twice.length, 2);
    assert.equal(twice[0], twice[1]);

    assert.ok(sim.fault('srv', { kind: 'reboot' }).ok);
    assert.equal(await request(0, 'REQUEST'), 'reset', 'rebooting: connection reset');
    await drive(6000);
    assert.deepEqual(await drain(), ['0#!#SR start']);
  });
});

test('server mode / fleet: server is for classic firmware; serverToken and serverPort need it', () => {
  const bad = (d: Record<string, unknown>) => parseFleet({ devices: [{ id: 'x', model: 'sr-board', ...d }] });
  const smart = parseFleet({ devices: [{ id: 'x', model: 'sr-organizer-smart', link: 'server' }] });
  assert.ok(!smart.ok && smart.error.path === '$.devices[0].link');
  const noLink = bad({ serverToken: 'abc' });
  assert.ok(!noLink.ok && noLink.error.path === '$.devices[0].link');
  const longToken = bad({ link: 'server', serverToken: 'abcdef' });
  assert.ok(!longToken.ok && longToken.error.path === '$.devices[0].serverToken');
  const wrongMode = bad({ link: 'both' });
  assert.ok(!wrongMode.ok && wrongMode.error.path === '$.devices[0].link');
  assert.ok(bad({ link: 'server', serverToken: 'A1b2C', serverPort: 0 }).ok);
});
