/**
 * Fidelity against real traffic: the commands the legacy panel sent to a real SR-Board in
 * link_1.log are replayed, one of each kind, to a simulated SR-Board over real HTTP; the simulator's
 * answers must have the same structure (number of answers per step, answer class, pack sections,
 * step-0 modem output framing, final result codes), and the USSD→SMS number detection flow must
 * produce its unsolicited messages in the logged order with the logged bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.ts';
import { decodePdu, parsePackAnswer } from '../../src/codec/index.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { readFixtureJson, readFixtureText } from '../support/fixtures.ts';
import { PanelStub } from './support/panel-stub.ts';
import { drive, driveUntil } from './support/drive.ts';
import { answerClass, commandShape, readClassicLog, type LogEntry } from './support/link-log.ts';

const TOKEN = '1000000001';
const LETTERS = 'ABCDEFGH';

interface Expected {
  shape: string; command: string; step: number; answers: string[]; echo: string | undefined;
  /** The step-0 modem output came after every stepped answer of its command (as polled). */
  echoLast: boolean;
}

/** For the first dispatch of each command shape: the device's stepped answers and, for AT sends, the step-0 echo. */
function expectations(entries: readonly LogEntry[]): Expected[] {
  const seen = new Set<string>();
  const out: Expected[] = [];
  entries.forEach((e, i) => {
    if (!e.command) return;
    const shape = commandShape(e.command.text);
    if (seen.has(shape)) return;
    seen.add(shape);
    const answers: string[] = [];
    let echo: string | undefined;
    let echoLast = true;
    const at = /(?:^|&&)modem>send:(AT[^&]*)$/.exec(e.command.text)?.[1];
    for (const f of entries.slice(i + 1)) {
      if (f.command?.step === e.command.step) break;
      if (f.step === e.command.step && f.data !== 'REQUEST') { answers.push(f.data); if (echo !== undefined) echoLast = false; }
      if (at && echo === undefined && f.step === 0 && f.data.startsWith(at + '\r')) echo = f.data;
      if (f.line > e.line + 400) break;
    }
    out.push({ shape, command: e.command.text, step: e.command.step, answers, echo, echoLast });
  });
  return out;
}

async function withBoard(sims: Array<Record<string, unknown>>, body: (sim: Simulator, clock: FakeClock, panel: PanelStub) => Promise<void>): Promise<void> {
  const panel = await new PanelStub().start();
  const clock = new FakeClock(Date.UTC(2022, 9, 21, 13, 13, 0));
  const fleet = parseFleet({ seed: 11, devices: [{ id: 'board', model: 'sr-board', token: TOKEN, sims }] });
  assert.ok(fleet.ok);
  const sim = new Simulator({ fleet: fleet.value, panelUrl: panel.url, clock });
  sim.start();
  try {
    await body(sim, clock, panel);
  } finally {
    await sim.stop();
    await panel.stop();
  }
}

/**
 * Chains the real device answered in a way device-link.md §13 (open question 1) leaves unexplained:
 * step 1031 (line 4977) ends in `answer>clear` yet answered `NULL`, `1`, `1`, `1`. The simulator
 * follows the documented working model (§3.1: `answer>clear` discards undelivered results and
 * answers `1`), which the first chain of the same kind (step 1004, line 50) confirms.
 */
const KNOWN_DIVERGENCES = new Set([commandShape('modem>fix:0&&modem>on&&modem>select:1&&modem>card:1&&modem>select:2&&modem>card:1&&modem>select:3&&modem>card:1&&modem>select:4&&modem>card:1&&modem>select:5&&modem>card:1&&modem>select:6&&modem>card:1&&modem>select:7&&modem>card:1&&modem>select:8&&modem>card:1&&answer>clear')]);

const mtsRow1 = [...LETTERS].map((l) => ({ place: `${l}1`, operator: 'mts' }));

test('link_1.log / every kind of command the panel sent gets answers of the logged shape from a simulated SR-Board', async () => {
  const expected = expectations(readClassicLog());
  assert.ok(expected.length >= 15, `only ${expected.length} command kinds found in the log`);
  await withBoard(mtsRow1, async (sim, clock, panel) => {
    assert.ok(await driveUntil(sim, clock, () => panel.unsolicited(TOKEN).includes('SR start')));
    let previous = 0;
    for (const logged of expected.filter((e) => !KNOWN_DIVERGENCES.has(e.shape))) {
      // The legacy panel's counter was reset during the log; consecutive equal steps would
      // (rightly) not be executed twice, so a replayed step that repeats the previous one is moved.
      const x = logged.step === previous ? { ...logged, step: logged.step + 100_000 } : logged;
      previous = x.step;
      const before = panel.polls.length;
      panel.enqueueAt(TOKEN, x.step, x.command);
      const want = Math.max(1, x.answers.length);
      assert.ok(await driveUntil(sim, clock, () => panel.polls.slice(before).filter((p) => p.step === x.step).length >= want, 180_000), `no answer to ${x.command}`);
      await drive(sim, clock, 12_000); // time for late or surplus answers and for the modem output
      const after = panel.polls.slice(before);
      const got = after.filter((p) => p.step === x.step).map((p) => p.data);
      const label = `${x.shape} (log step ${logged.step})`;
      assert.equal(got.length, x.answers.length, `${label}: ${got.length} answers, the real device gave ${x.answers.length}`);
      const norm = (d: string): string => (x.shape.startsWith('modem>sms') && d === '1' ? 'sms' : answerClass(d));
      assert.deepEqual(got.map(norm), x.answers.map(norm), `${label}: answer classes`);
      if (answerClass(x.answers.at(-1) ?? '') === 'pack') {
        const logSections = parsePackAnswer(x.answers.at(-1)!).sections.map((s) => s.modem);
        const simPack = parsePackAnswer(got.at(-1)!);
        assert.deepEqual(simPack.sections.map((s) => s.modem), logSections, `${label}: pack sections`);
        const atText = /pack:([^#]*)/.exec(x.command)![1]!;
        for (const s of simPack.sections) assert.match(s.output, new RegExp(`^${atText.replace(/[?+]/g, '\\$&')}\\r\\r\\r\\n[\\s\\S]*(OK|ERROR)$`), label);
      }
      if (x.echo !== undefined) {
        const at = /modem>send:(AT[^&]*)$/.exec(x.command)![1]!;
        const simEcho = after.find((p) => p.step === 0 && p.data.startsWith(at + '\r'));
        assert.ok(simEcho, `${label}: no step-0 modem output`);
        const final = (s: string): string => s.slice(s.lastIndexOf('\n') + 1);
        assert.equal(final(simEcho.data), final(x.echo), `${label}: final result code`);
        assert.equal(simEcho.data.includes('\r\r\r\n'), x.echo.includes('\r\r\r\n'), `${label}: echo framing`);
        const lastAnswer = after.findLastIndex((p) => p.step === x.step);
        assert.equal(after.indexOf(simEcho) > lastAnswer, x.echoLast, `${label}: modem output after the stepped answers, as logged`);
      }
    }
  });
});

test('link_1.log 5016–5164 / number detection by USSD + SMS: same bytes and the same order of unsolicited messages', async () => {
  const raw = new Map(readFixtureJson<Array<{ id: string; raw: string }>>('at/transcripts.json').map((e) => [e.id, e.raw]));
  // The logged card: C1, MTS, ICCID 89701010068650504170, number 79169716297.
  const sims = [{ place: 'C1', operator: 'mts', iccid: '89701010068650504170', msisdn: '79169716297' }];
  await withBoard(sims, async (sim, clock, panel) => {
    const run = async (cmd: string): Promise<void> => {
      const step = panel.enqueue(TOKEN, cmd);
      assert.ok(await driveUntil(sim, clock, () => panel.answers(TOKEN, step).length > 0));
      await drive(sim, clock, 10_000);
    };
    assert.ok(await driveUntil(sim, clock, () => panel.unsolicited(TOKEN).includes('SR start')));
    await run('modem>fix:0&&modem>off&&modem>select:3&&modem>card:1&&modem>on&&answer>clear');
    await drive(sim, clock, 20_000);
    const start = panel.polls.length;
    await run('modem>select:3');
    await run('modem>send:AT+ICCID');
    await run('modem>send:AT+CSPN?');
    await run('modem>send:AT+CMGDA=5');
    await run('modem>send:AT+CUSD=1,"*111*0887#",15');
    await drive(sim, clock, 15_000);
    const unsolicited = panel.polls.slice(start).filter((p) => p.step === 0 && p.data !== 'REQUEST').map((p) => p.data);
    assert.ok(unsolicited.includes(raw.get('sr-iccid')!), 'ICCID reply byte for byte');
    assert.ok(unsolicited.includes(raw.get('sr-cspn')!), 'CSPN reply byte for byte');
    const ussd = unsolicited.slice(unsolicited.indexOf(raw.get('sr-cusd-ack')!));
    assert.ok(ussd.length >= 3, 'USSD acknowledgement, answer and SMS notice');
    assert.equal(ussd[0], raw.get('sr-cusd-ack'));
    assert.equal(ussd[1], raw.get('sr-cusd-ucs2'), '+CUSD answer byte for byte (UCS2, DCS 72)');
    assert.equal(ussd[2], raw.get('sr-cmti'), '+CMTI after the +CUSD, as logged');
    await run('modem>send:AT+CMGR=1');
    const cmgr = panel.polls.slice(start).find((p) => p.step === 0 && p.data.startsWith('AT+CMGR=1'))!.data;
    const logged = raw.get('sr-cmgr')!;
    const shape = (s: string): string => s.replace(/[0-9A-F]{40,}/, '<PDU>');
    assert.equal(shape(cmgr), shape(logged));
    const pdu = (s: string): string => /\n([0-9A-F]{40,})\r/.exec(s)![1]!;
    const mine = decodePdu(pdu(cmgr));
    const theirs = decodePdu(pdu(logged));
    assert.ok(mine.ok && theirs.ok && mine.value.kind === 'deliver' && theirs.value.kind === 'deliver');
    assert.equal(mine.value.text, theirs.value.text);
    assert.equal(mine.value.sender.text, theirs.value.sender.text);
    assert.equal(mine.value.dcs.alphabet, theirs.value.dcs.alphabet);
  });
});

test('link_1.log 66–88, 101–103, 173–174 / modem>pack and modem>sms answers byte for byte in the logged situation', async () => {
  const raw = new Map(readFixtureJson<Array<{ id: string; raw: string }>>('at/transcripts.json').map((e) => [e.id, e.raw]));
  const pdu = readFixtureJson<Array<{ id: string; pdu: string }>>('pdu/deliver.json').find((v) => v.id === 'sr-link1-01')!.pdu;
  // The logged board: modem 1's card denied, modem 2's searching, 3–8 registered (lines 4990–5014).
  const sims = [
    { place: 'A1', operator: 'mts', registration: 'denied' }, { place: 'B1', operator: 'mts', registration: 'searching' },
    ...'CDEFGH'.split('').map((l) => ({ place: `${l}1`, operator: 'mts' })),
  ];
  await withBoard(sims, async (sim, clock, panel) => {
    const run = async (cmd: string, n = 1): Promise<string[]> => {
      const step = panel.enqueue(TOKEN, cmd);
      assert.ok(await driveUntil(sim, clock, () => panel.answers(TOKEN, step).length >= n));
      return panel.answers(TOKEN, step);
    };
    await run('modem>fix:0&&modem>off&&modem>select:1&&modem>card:1&&modem>select:2&&modem>card:1&&modem>select:3&&modem>card:1&&modem>select:4&&modem>card:1&&modem>select:5&&modem>card:1&&modem>select:6&&modem>card:1&&modem>select:7&&modem>card:1&&modem>select:8&&modem>card:1&&modem>on&&answer>clear');
    await drive(sim, clock, 30_000);
    assert.equal((await run('modem>pack:AT+CREG?##ALL##1'))[0], raw.get('sr-modem-pack-creg'));
    assert.equal((await run('modem>on&&modem>pack:AT+CFUN=1,1##2;3;##1', 2))[1], raw.get('sr-modem-pack-cfun'));
    await drive(sim, clock, 30_000);
    // Modem 5 holds the logged message at index 3; modems 1 and 2 cannot read their SIM (E).
    const e1 = sim.sims().find((s) => s.place === 'E1')!.number as string;
    for (let i = 0; i < 3; i++) assert.ok(sim.sendSms({ to: e1, pdu }).ok);
    await run('modem>select:5&&modem>send:AT+CMGD=1', 2);
    await run('modem>send:AT+CMGD=2');
    sim.fault('board', { kind: 'modem-dead', modem: 1 });
    sim.fault('board', { kind: 'modem-dead', modem: 2 });
    assert.equal((await run('modem>sms:0'))[0], raw.get('sr-modem-sms-answer-1'));
  });
});

/** Keys in order, plus what kind of message it is: `state:1`, `state:-1`, `reply`, `alert:ussd`, … */
function smartSignature(json: string): string | undefined {
  let o: unknown;
  try { o = JSON.parse(json); } catch { return undefined; }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  const kind = r['type'] === 'state' ? `state:${r['result']}` : r['type'] === 'alert' ? `alert:${r['event']}` : 'reply';
  return `${kind} ${Object.keys(r).join(',')}`;
}

test('link_1.log 6789– and link_2.log / SMART JSON messages of a simulated SR-Organizer-Smart carry the logged keys in the logged order', async () => {
  const logged = new Set<string>();
  for (const file of ['device-logs/link_1.log', 'device-logs/link_2.log']) {
    for (const m of readFixtureText(file).matchAll(/ IN > (\{.*\}) OUT > /g)) {
      const sig = smartSignature(m[1]!);
      if (sig) logged.add(sig);
    }
  }
  // Every kind the real firmware sent: replies, state -1 / 1 (registered, with ICCID and names) / 6 (empty slot), the ussd alert.
  assert.deepEqual([...logged].map((s) => s.split(' ')[0]).sort(), ['alert:ussd', 'reply', 'state:-1', 'state:1', 'state:6']);
  const panel = await new PanelStub().start();
  const clock = new FakeClock(Date.UTC(2022, 9, 21, 15, 15, 0));
  const token = '1000000002';
  // As in link_2.log: three lines, a MegaFon card in modem 3 that answers *205# with its number; line 2's card 2 is empty.
  const fleet = parseFleet({ seed: 12, devices: [{ id: 'org', model: 'sr-organizer-smart', token, sims: [{ place: 'A1', operator: 'megafon' }, { place: 'B1', operator: 'beeline' }, { place: 'C1', operator: 'megafon' }] }] });
  assert.ok(fleet.ok);
  const sim = new Simulator({ fleet: fleet.value, panelUrl: panel.url, clock });
  sim.start();
  try {
    const seen = (): Set<string> => new Set(panel.unsolicited(token).map(smartSignature).filter((s): s is string => s !== undefined));
    const run = async (cmd: string, until: (s: Set<string>) => boolean): Promise<void> => {
      panel.enqueue(token, cmd);
      assert.ok(await driveUntil(sim, clock, () => until(seen())), `nothing after ${cmd}`);
    };
    const has = (kind: string) => (s: Set<string>): boolean => [...s].some((x) => x.startsWith(kind + ' '));
    assert.ok(await driveUntil(sim, clock, () => has('state:1')(seen())), 'the modems register their first cards');
    await run('.answer.clear:sign=test', has('reply'));
    await run('ussd:*205#,3', has('alert:ussd'));
    await run('modem2.card:2', has('state:6'));
    const ussd = panel.unsolicited(token).map((d) => { try { return JSON.parse(d) as Record<string, string>; } catch { return null; } }).find((o) => o?.['event'] === 'ussd');
    assert.match(ussd!['result']!, /^Мой основной номер: \d{10}$/, 'the MegaFon number answer as logged (link_2.log)');
    const mine = seen();
    for (const sig of logged) assert.ok(mine.has(sig), `the simulator never sent "${sig}" (it sent ${[...mine].join(' | ')})`);
  } finally {
    await sim.stop();
    await panel.stop();
  }
});
