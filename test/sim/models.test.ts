/**
 * Every model, scripted over real HTTP against the recording panel stub, in simulated time:
 * seat a card, let it register, receive an SMS, ring it, send an SMS — and the traffic is what
 * device-link.md describes for that model (answers, composite formats, step-0 URCs, prefixes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.ts';
import { decodePdu, parsePackAnswer, parseSmartPayload, parseSmsAnswer } from '../../src/codec/index.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import type { ModelId } from '../../src/sim/models.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { PanelStub } from './support/panel-stub.ts';
import { drive, driveUntil } from './support/drive.ts';

const TOKEN = '2000000002';
const CALLER = '+79161234567';

interface Session {
  sim: Simulator;
  clock: FakeClock;
  panel: PanelStub;
  /** Sends a command, waits for `n` answers, returns them. */
  run(cmd: string, n?: number): Promise<string[]>;
  /** Waits for a step-0 message matching `re` that arrived after `from` polls. */
  urc(re: RegExp, from: number, maxMs?: number): Promise<string>;
  number(place: string): string;
}

async function session(model: ModelId, sims: Array<{ place: string; operator: string }>, body: (s: Session) => Promise<void>, extra: Record<string, unknown> = {}): Promise<void> {
  const panel = await new PanelStub().start();
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const fleet = parseFleet({ seed: 5, devices: [{ id: 'dev', model, token: TOKEN, sims, ...extra }] });
  assert.ok(fleet.ok, JSON.stringify(!fleet.ok && fleet.error));
  const sim = new Simulator({ fleet: fleet.value, panelUrl: panel.url, clock });
  const s: Session = {
    sim, clock, panel,
    async run(cmd, n = 1) {
      const step = panel.enqueue(TOKEN, cmd);
      assert.ok(await driveUntil(sim, clock, () => panel.answers(TOKEN, step).length >= n, 180_000), `no answer to ${cmd}`);
      return panel.answers(TOKEN, step);
    },
    async urc(re, from, maxMs = 60_000) {
      const find = (): string | undefined => panel.polls.slice(from).find((p) => (p.step === 0 || p.step === undefined) && re.test(p.data))?.data;
      assert.ok(await driveUntil(sim, clock, () => find() !== undefined, maxMs), `no unsolicited ${re}`);
      return find()!;
    },
    number(place) { return sim.sims().find((x) => x.place === place)!.number as string; },
  };
  sim.start();
  try {
    assert.ok(await driveUntil(sim, clock, () => panel.unsolicited(TOKEN).length > 0));
    await body(s);
  } finally {
    await sim.stop();
    await panel.stop();
  }
}

/** Receive (SMS → +CMTI → modem>sms:0 lists it), ring (+CLIP repeated, NO CARRIER), send (+CMGS). */
async function trafficChecks(s: Session, o: { place: string; modem: number; prefix: string; sendCmd: string; smsTerminator: boolean }): Promise<void> {
  const { sim, clock, panel } = s;
  const to = s.number(o.place);
  let mark = panel.polls.length;
  assert.ok(sim.sendSms({ to, from: 'MTC', text: 'Код 4321' }).ok);
  const cmti = await s.urc(/\+CMTI: "SM",\d+$/, mark);
  assert.equal(cmti, `${o.prefix}+CMTI: "SM",1`);
  const listed = (await s.run('modem>sms:0'))[0]!;
  if (o.smsTerminator) {
    const a = parseSmsAnswer(listed);
    assert.equal(a.kind, 'sections');
    if (a.kind === 'sections') {
      const sec = a.sections.find((x) => x.modem === o.modem);
      assert.ok(sec && sec.status === 'ok', listed);
      const d = decodePdu(sec.entries[0]!.pdu);
      assert.ok(d.ok && d.value.kind === 'deliver' && d.value.text === 'Код 4321' && d.value.sender.text === 'MTC');
      assert.equal(sec.entries[0]!.stat, 0, 'listed while unread');
    }
  } else {
    assert.match(listed, /^1## 1,0,"",\d+\r\n[0-9A-F]+$/, 'Nano: one section, no #3#');
  }
  const again = (await s.run('modem>sms:0'))[0]!;
  const a2 = parseSmsAnswer(again);
  assert.ok(a2.kind === 'empty' || (a2.kind === 'sections' && !a2.sections.some((x) => x.modem === o.modem)), `listing unread marked them read: ${again}`);

  mark = panel.polls.length;
  assert.ok(sim.call(to, CALLER, 8).ok);
  await drive(sim, clock, 25_000); // one message per poll: the +CLIP backlog drains at the poll cadence
  const calls = panel.polls.slice(mark).filter((p) => p.step === 0).map((p) => p.data);
  const clips = calls.filter((d) => d.startsWith(`${o.prefix}+CLIP: "${CALLER}",145`));
  assert.ok(clips.length >= 2, `+CLIP repeated while ringing: ${JSON.stringify(calls)}`);
  assert.ok(clips.every((c) => c.indexOf('+CLIP:') < 12), '+CLIP within the first 12 characters (§8)');
  assert.ok(calls.indexOf(`${o.prefix}NO CARRIER`) > calls.indexOf(clips[0]!), 'NO CARRIER after the caller hangs up');

  mark = panel.polls.length;
  const answers = await s.run(o.sendCmd, o.sendCmd.split('&&').length);
  assert.equal(answers.at(-1), '1');
  const cmgs = await s.urc(/\+CMGS: \d+/, mark);
  assert.match(cmgs, new RegExp(`^${o.prefix}\\+CMGS: \\d+`));
  assert.equal(sim.network.sent.at(-1)?.text, 'hello from the farm');
  assert.equal(sim.network.sent.at(-1)?.from, to);
}

const SEND = 'sms>send:+79990001122;hello from the farm';

for (const model of ['sr-nano-500', 'sr-nano-1000'] as const) {
  test(`${model} / card:A05 seats A5, activation registers, SMS, call and send`, async () => {
    await session(model, [{ place: 'A5', operator: 'megafon' }, { place: 'B3', operator: 'mts' }], async (s) => {
      assert.deepEqual(await s.run('card:A05'), ['1']);
      assert.deepEqual(await s.run('card:Z9'), ['NULL']);
      assert.deepEqual(await s.run('card:A5'), ['1']);
      assert.deepEqual(await s.run('card>discover'), ['1']);
      assert.deepEqual(await s.run('modem>activation'), ['1;21;MegaFon']);
      await trafficChecks(s, { place: 'A5', modem: 1, prefix: '', sendCmd: SEND, smsTerminator: false });
      assert.deepEqual(await s.run('card:B7'), ['1']);
      assert.deepEqual(await s.run('card>discover'), ['NULL'], 'empty slot');
      assert.deepEqual(await s.run('modem>sms:0'), ['Error'], 'no SIM: Nano literal');
    });
  });
}

test('sr-train / row r via modems 1–8 and row r+3 via modems 9–16', async () => {
  await session('sr-train', [{ place: '5-1', operator: 'mts' }, { place: '8-2', operator: 'tele2' }], async (s) => {
    assert.deepEqual(await s.run('row:4&&row:5&&modem>connect', 3), ['1', '1', '1']);
    assert.deepEqual(await s.run('row:now'), ['5']);
    assert.deepEqual(await s.run('row:max'), ['20']);
    assert.deepEqual(await s.run('modem>status'), ['0'], 'modems not powered yet');
    assert.deepEqual(await s.run('modem>on'), ['1']);
    assert.deepEqual(await s.run('modem>status'), ['1']);
    await drive(s.sim, s.clock, 15_000);
    const pack = parsePackAnswer((await s.run('modem>pack:AT+CREG?##ALL##1'))[0]!);
    assert.equal(pack.sections.length, 16);
    const stat = (m: number): string => /\+CREG: 0,(\d)/.exec(pack.sections.find((x) => x.modem === m)!.output)![1]!;
    assert.equal(stat(1), '1', 'modem 1 touches 5-1');
    assert.equal(stat(10), '1', 'modem 10 touches 8-2');
    assert.equal(stat(2), '0', 'modem 2 has no card');
    assert.deepEqual(await s.run('modem>select:10'), ['10']);
    await trafficChecks(s, { place: '8-2', modem: 10, prefix: '', sendCmd: `modem>select:10&&${SEND}`, smsTerminator: true });
  });
});

test('sr-box-8 / eight fixed SIMs', async () => {
  await session('sr-box-8', [{ place: 'A', operator: 'beeline' }, { place: 'C', operator: 'mts' }], async (s) => {
    const booted = s.panel.polls.length;
    assert.deepEqual(await s.run('modem>fix:0&&modem>on&&answer>clear'), ['1']);
    assert.equal(await s.urc(/Call Ready/, booted), 'Call Ready\r\n\r\nSMS Ready', 'modem boot noise as a step-0 message (link_1.log 3493)');
    assert.deepEqual(await s.run('modem>map'), ['NULL'], 'no SIM bank');
    await drive(s.sim, s.clock, 15_000);
    const pack = parsePackAnswer((await s.run('modem>pack:AT+COPS?##1;3;##1'))[0]!);
    assert.deepEqual(pack.sections.map((x) => x.modem), [1, 3]);
    assert.match(pack.sections[1]!.output, /\+COPS: 0,0,"MTS RUS"/);
    assert.deepEqual(await s.run('modem>select:3'), ['3']);
    await trafficChecks(s, { place: 'C', modem: 3, prefix: '', sendCmd: `modem>select:3&&${SEND}`, smsTerminator: true });
  });
});

for (const model of ['sr-box-bank', 'sr-board'] as const) {
  test(`${model} / modem>card puts a card row into the selected modem`, async () => {
    await session(model, [{ place: 'A2', operator: 'mts' }, { place: 'B2', operator: 'megafon' }, { place: 'B40', operator: 'tele2' }], async (s) => {
      assert.deepEqual(await s.run('modem>fix:0&&modem>off&&modem>select:1&&modem>card:2&&modem>select:2&&modem>card:2&&modem>on&&answer>clear'), ['1']);
      assert.deepEqual(await s.run('modem>select:&&modem>card:', 2), ['NULL', 'NULL'], 'empty arguments (link_1.log 3480)');
      await drive(s.sim, s.clock, 15_000);
      const pack = parsePackAnswer((await s.run('modem>pack:AT+CREG?##ALL##1'))[0]!);
      assert.equal(pack.sections.length, 8);
      assert.match(pack.sections[1]!.output, /^AT\+CREG\?\r\r\r\n\+CREG: 0,1\r\n\r\nOK$/);
      assert.deepEqual(await s.run('modem>select:2'), ['2']);
      await trafficChecks(s, { place: 'B2', modem: 2, prefix: '', sendCmd: `modem>select:2&&${SEND}`, smsTerminator: true });
      assert.deepEqual(await s.run('modem>select:2&&modem>card:40', 2), ['2', '1']);
      await drive(s.sim, s.clock, 1_000);
      assert.equal(s.sim.devices.get('dev')!.hw.modem(2)!.sim?.msisdn, s.number('B40'), 'the modem now holds B40');
    });
  });
}

for (const model of ['sr-box-2', 'sr-box-2-bank'] as const) {
  test(`${model} / two physical modems, output prefixed 1:/2:`, async () => {
    await session(model, [{ place: 'B3', operator: 'mts' }, { place: 'F3', operator: 'beeline' }], async (s) => {
      assert.deepEqual(await s.run('modem>select:2&&modem1>card:3', 2), ['2', '1']);
      assert.deepEqual(await s.run('modem>select:6&&modem1>card:3', 2), ['6', 'NULL'], 'modem 1 serves channels A–D only');
      assert.deepEqual(await s.run('modem>select:6&&modem2>card:3', 2), ['6', '1']);
      assert.deepEqual(await s.run('modem>map'), [model === 'sr-box-2' ? 'NULL' : '11111111']);
      assert.deepEqual(await s.run('modem>on'), ['1']);
      await drive(s.sim, s.clock, 15_000);
      const pack = parsePackAnswer((await s.run('modem>pack:AT+CREG?'))[0]!);
      assert.deepEqual(pack.sections.map((x) => x.modem), [1, 2]);
      assert.deepEqual(pack.sections.map((x) => /\+CREG: 0,(\d)/.exec(x.output)?.[1]), ['1', '1'], 'B3 on modem 1 and F3 on modem 2 registered');
      const mark = s.panel.polls.length;
      await s.run('modem2>send:AT+CSPN?');
      assert.equal(await s.urc(/CSPN/, mark), '2:AT+CSPN?\r\r\r\n2:+CSPN: "Beeline",0\r\n\r\n2:OK');
      await trafficChecks(s, { place: 'F3', modem: 2, prefix: '2:', sendCmd: 'sms2>send:+79990001122;hello from the farm', smsTerminator: true });
    });
  });
}

test('sr-organizer / modem[m]>card:k per line, activation with the operator in field 2, modem>sms:4', async () => {
  await session('sr-organizer', [{ place: '1-3', operator: 'tele2' }, { place: '2-5', operator: 'beeline' }], async (s) => {
    assert.deepEqual(await s.run('dev:mode=navigator'), ['Navigator mode ON']);
    assert.deepEqual(await s.run('modem[1]>card:3&&modem[2]>card:5&&modem>on', 3), ['1', '1', '1']);
    assert.deepEqual(await s.run('modem[3]>card:1'), ['NULL']);
    assert.deepEqual(await s.run('modem>activation:2'), ['1;Bee Line GSM;21']);
    assert.deepEqual(await s.run('modem>check:1'), ['1;Tele2;21']);
    const mark = s.panel.polls.length;
    await s.run('modem[1]>send:AT+CUSD=1,"*111#",15');
    assert.match(await s.urc(/^\+CUSD: 1, "/, mark), /^\+CUSD: 1, "[0-9A-F]+", 72$/, 'a menu keeps the session open');
    await s.run('modem[1]>send:AT+CUSD=1,"2",15');
    const answer = await s.urc(/^\+CUSD: 0, "/, mark);
    const hex = /"([0-9A-F]+)"/.exec(answer)![1]!;
    const text = Buffer.from(hex, 'hex').swap16().toString('utf16le');
    assert.equal(text, `Ваш номер +${s.number('1-3')}`, 'two-step USSD menu');
    assert.deepEqual(await s.run('modem>select:2'), ['2']);
    await trafficChecks(s, { place: '2-5', modem: 2, prefix: '', sendCmd: `modem>select:2&&${SEND}`, smsTerminator: true });
  });
});

for (const model of ['sr-organizer-smart', 'sr-box-8-smart'] as const) {
  test(`${model} / SMART JSON: SR started, state objects, replies with sign, sms / call / ussd events`, async () => {
    await session(model, [{ place: 'B3', operator: 'beeline' }, { place: 'A1', operator: 'megafon' }], async (s) => {
      const smart = (from = 0): ReturnType<typeof parseSmartPayload>[] => s.panel.polls.slice(from).filter((p) => p.step === undefined && p.data !== 'REQUEST').map((p) => parseSmartPayload(p.data));
      assert.equal(s.panel.polls[0]!.step, undefined, 'SMART polls carry no step');
      assert.equal(s.panel.unsolicited(TOKEN)[0], 'SR started');
      let mark = s.panel.polls.length;
      s.panel.enqueue(TOKEN, '.answer.clear:sign=test');
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'reply' && m.sign === 'test' && m.result === '1')));
      s.panel.enqueue(TOKEN, '.set.dev.type:sign=SRN_init');
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'reply' && m.sign === 'SRN_init')));
      mark = s.panel.polls.length;
      s.panel.enqueue(TOKEN, 'modem2.card:3');
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'state' && m.modem === 2 && m.code === 1 && m.card === '3')), 'modem2 registers with card 3');
      const st = smart(mark).find((m) => m.kind === 'state' && m.modem === 2 && m.code === 1);
      assert.ok(st && st.kind === 'state' && st.operator === 'Beeline' && st.network === 'Bee Line GSM');
      assert.equal(smart(mark).filter((m) => m.kind === 'reply').length, 0, 'no reply without a leading dot');
      // An empty slot (C2): -1 while the firmware looks for the card, then 6 "not inserted", both as logged (link_1.log 6842–6844).
      mark = s.panel.polls.length;
      s.panel.enqueue(TOKEN, 'modem3.card:2');
      const empty = '{"result":"6","type":"state","dev":"modem3","card":"2","report":"not inserted","time":"4"}';
      assert.ok(await driveUntil(s.sim, s.clock, () => s.panel.unsolicited(TOKEN).includes(empty)), 'empty slot: state 6');
      const line3 = s.panel.polls.slice(mark).map((p) => p.data).filter((d) => d.includes('"dev":"modem3"'));
      assert.deepEqual(line3, ['{"result":"-1","type":"state","dev":"modem3","card":"2"}', empty]);
      mark = s.panel.polls.length;
      const long = 'Длинное сообщение, которое не помещается в одну часть SMS и приходит частями. '.repeat(2);
      assert.ok(s.sim.sendSms({ to: s.number('B3'), from: '+79031112233', text: long, shuffle: true }).ok);
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'alert' && m.event === 'sms')));
      const sms = smart(mark).filter((m) => m.kind === 'alert' && m.event === 'sms');
      assert.equal(sms.length, 1, 'parts reassembled by the device');
      assert.ok(sms[0]!.kind === 'alert' && sms[0]!.result === long && sms[0]!.fields['sender'] === '+79031112233');
      mark = s.panel.polls.length;
      assert.ok(s.sim.call(s.number('B3'), CALLER, 6).ok);
      await drive(s.sim, s.clock, 10_000);
      const events = smart(mark).filter((m) => m.kind === 'alert').map((m) => (m.kind === 'alert' ? m.event : ''));
      assert.deepEqual(events, ['incomming call', 'no_carrier']);
      mark = s.panel.polls.length;
      s.panel.enqueue(TOKEN, 'ussd:*102#,2');
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'alert' && m.event === 'ussd')));
      const ussd = smart(mark).find((m) => m.kind === 'alert' && m.event === 'ussd');
      assert.ok(ussd?.kind === 'alert' && /^Баланс: \d+\.\d\d р\.$/.test(ussd.result), JSON.stringify(ussd));
      s.panel.enqueue(TOKEN, `.sms.send:{"number":"+79990001122","sms":"hi","modem":"2"}:sign=s1`);
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'reply' && m.sign === 's1' && m.result === '1')));
      assert.equal(s.sim.network.sent.at(-1)?.text, 'hi');
    });
  });
}

for (const type of [52, 54] as const) {
  test(`sr-organizer-smart type ${type} / one modem behind ${type === 52 ? 2 : 3} lines: the card number runs across them (B3 = card 11)`, async () => {
    await session('sr-organizer-smart', [{ place: 'B3', operator: 'beeline' }], async (s) => {
      const smart = (from = 0): ReturnType<typeof parseSmartPayload>[] => s.panel.polls.slice(from).filter((p) => p.step === undefined && p.data !== 'REQUEST').map((p) => parseSmartPayload(p.data));
      let mark = s.panel.polls.length;
      s.panel.enqueue(TOKEN, '.set.dev.type:sign=SRN_init');
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'reply' && m.sign === 'SRN_init' && m.result === String(type))), 'the type is reported');
      assert.equal(s.sim.devices.get('dev')!.hw.modems.length, 1);
      mark = s.panel.polls.length;
      s.panel.enqueue(TOKEN, 'modem.card:11');
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'state' && m.modem === 1 && m.code === 1 && m.card === '11')), 'card 11 (B3) registers on modem 1');
      mark = s.panel.polls.length;
      assert.ok(s.sim.sendSms({ to: s.number('B3'), from: 'Beeline', text: 'hi' }).ok);
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'alert' && m.event === 'sms')));
      const sms = smart(mark).find((m) => m.kind === 'alert' && m.event === 'sms');
      assert.ok(sms?.kind === 'alert' && sms.modem === 1 && sms.fields['card'] === '11' && sms.result === 'hi');
      s.panel.enqueue(TOKEN, `.modem.card:${type === 52 ? 17 : 25}:sign=past`);
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'reply' && m.sign === 'past')));
      assert.ok(smart(mark).some((m) => m.kind === 'reply' && m.sign === 'past' && m.result === 'NULL'), 'a card past the last line is refused');
      s.panel.enqueue(TOKEN, '.modem.card:abc:sign=junk');
      assert.ok(await driveUntil(s.sim, s.clock, () => smart(mark).some((m) => m.kind === 'reply' && m.sign === 'junk')));
      assert.ok(smart(mark).some((m) => m.kind === 'reply' && m.sign === 'junk' && m.result === 'NULL'), 'a card that is not a number is refused');
      assert.equal(s.sim.devices.get('dev')!.hw.modem(1)!.sim?.msisdn, s.number('B3'), 'the modem keeps B3');
    }, { smartType: type });
  });
}
