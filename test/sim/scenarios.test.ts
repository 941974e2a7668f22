/**
 * The simulator contract's scenario catalogue (device-link.md §11) over real HTTP in simulated
 * time: multipart out of order in one `modem>sms:0` answer, many messages, modem in error and
 * missing SIM, registration trouble, a dead modem in `modem>pack`, an outgoing call, Nano
 * `card:` failure recovered by `card>reposition`, reboot message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.ts';
import { decodePdu, parsePackAnswer, parseSmsAnswer } from '../../src/codec/index.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import type { ModelId } from '../../src/sim/models.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { PanelStub } from './support/panel-stub.ts';
import { drive, driveUntil } from './support/drive.ts';

const T = '3000000003';

async function withDevice(model: ModelId, sims: Array<Record<string, unknown>>, body: (h: {
  sim: Simulator; clock: FakeClock; panel: PanelStub; run(cmd: string, n?: number): Promise<string[]>; number(place: string): string;
}) => Promise<void>): Promise<void> {
  const panel = await new PanelStub().start();
  const clock = new FakeClock();
  const fleet = parseFleet({ seed: 21, devices: [{ id: 'd', model, token: T, sims }] });
  assert.ok(fleet.ok);
  const sim = new Simulator({ fleet: fleet.value, panelUrl: panel.url, clock });
  sim.start();
  try {
    assert.ok(await driveUntil(sim, clock, () => panel.unsolicited(T).length > 0));
    await body({
      sim, clock, panel,
      async run(cmd, n = 1) {
        const step = panel.enqueue(T, cmd);
        assert.ok(await driveUntil(sim, clock, () => panel.answers(T, step).length >= n, 180_000), `no answer to ${cmd}`);
        return panel.answers(T, step);
      },
      number: (place) => sim.sims().find((x) => x.place === place)!.number as string,
    });
  } finally {
    await sim.stop();
    await panel.stop();
  }
}

const seatBoard = 'modem>fix:0&&modem>off&&modem>select:1&&modem>card:1&&modem>select:2&&modem>card:1&&modem>select:3&&modem>card:1&&modem>on&&answer>clear';

test('scenario / a 4-part message delivered out of order is listed as 4 entries of one modem section, reassembling to the text', async () => {
  await withDevice('sr-board', [{ place: 'A1', operator: 'mts' }, { place: 'B1', operator: 'mts' }], async ({ sim, clock, run, number }) => {
    await run(seatBoard);
    await drive(sim, clock, 20_000);
    const text = 'Уважаемый абонент! Ваш тариф изменён, подробности в личном кабинете. '.repeat(3);
    const r = sim.sendSms({ to: number('A1'), from: 'MTC', text, shuffle: true });
    assert.ok(r.ok && r.value.parts === 4);
    await drive(sim, clock, 30_000);
    const a = parseSmsAnswer((await run('modem>sms:0'))[0]!);
    assert.equal(a.kind, 'sections');
    if (a.kind !== 'sections') return;
    assert.deepEqual(a.garbage, []);
    const sec = a.sections.find((s) => s.modem === 1);
    assert.ok(sec && sec.status === 'ok');
    assert.deepEqual(sec.entries.map((e) => e.index), [1, 2, 3, 4]);
    const parts = sec.entries.map((e) => { const d = decodePdu(e.pdu); assert.ok(d.ok && d.value.kind === 'deliver'); return d.value; });
    const seqs = parts.map((p) => p.udh!.concat!.seq);
    assert.notDeepEqual(seqs, [1, 2, 3, 4], 'stored in arrival order, not part order');
    const byseq = [...parts].sort((x, y) => x.udh!.concat!.seq - y.udh!.concat!.seq);
    assert.equal(byseq.map((p) => p.text).join(''), text);
    assert.ok(a.sections.some((s) => s.modem === 3 && s.status === 'error'), 'modem 3 has no card: E');
  });
});

test('scenario / many messages: indexes beyond 7, deleted with AT+CMGDA=5 on that modem', async () => {
  await withDevice('sr-box-8', [{ place: 'A', operator: 'beeline' }], async ({ sim, clock, run, number, panel }) => {
    await run('modem>fix:0&&modem>on&&answer>clear');
    await drive(sim, clock, 20_000);
    for (let i = 0; i < 9; i++) sim.sendSms({ to: number('A'), from: '+7900000000' + i, text: `msg ${i}` });
    await drive(sim, clock, 40_000);
    const a = parseSmsAnswer((await run('modem>sms:0'))[0]!);
    assert.ok(a.kind === 'sections');
    const sec = a.sections.find((s) => s.modem === 1);
    assert.ok(sec?.status === 'ok' && sec.entries.length === 9 && sec.entries.at(-1)!.index === 9);
    const mark = panel.polls.length;
    await run('modem>select:1&&modem>send:AT+CMGDA=5', 2);
    await drive(sim, clock, 10_000);
    assert.ok(panel.polls.slice(mark).some((p) => p.data === 'AT+CMGDA=5\r\r\r\nOK'));
    assert.equal(sim.devices.get('d')!.hw.modem(1)!.sim!.used, 0);
  });
});

test('scenario / registration trouble: searching stays 2, denied 3, CFUN restart re-registers, unknown ends in 4, a dead modem answers nothing in modem>pack', async () => {
  await withDevice('sr-board', [{ place: 'A1', operator: 'mts' }, { place: 'B1', operator: 'beeline', registration: 'searching' }, { place: 'C1', operator: 'tele2' }], async ({ sim, clock, run, number }) => {
    await run(seatBoard);
    await drive(sim, clock, 60_000);
    assert.ok(sim.setRegistration(number('C1'), 'denied').ok);
    assert.ok(sim.fault('d', { kind: 'modem-dead', modem: 5 }).ok);
    const pack = parsePackAnswer((await run('modem>pack:AT+CREG?##ALL##1'))[0]!);
    const stat = (m: number) => /\+CREG: 0,(\d)/.exec(pack.sections.find((s) => s.modem === m)!.output)?.[1];
    assert.deepEqual([stat(1), stat(2), stat(3)], ['1', '2', '3']);
    assert.equal(pack.sections.find((s) => s.modem === 5)!.output, '', 'dead modem: 5###1#');
    assert.ok(sim.setRegistration(number('B1'), 'ok').ok);
    const cfun = parsePackAnswer((await run('modem>on&&modem>pack:AT+CFUN=1,1##2;##1', 2))[1]!);
    assert.deepEqual(cfun.sections, [{ modem: 2, output: 'AT+CFUN=1,1\r\r\r\nOK' }]);
    await drive(sim, clock, 30_000);
    const after = parsePackAnswer((await run('modem>pack:AT+CREG?##2;##1'))[0]!);
    assert.match(after.sections[0]!.output, /\+CREG: 0,1/);
    // Stat 4 (unknown), which the panel answers with a CFUN restart; it survives the restart.
    assert.ok(sim.setRegistration(number('A1'), 'unknown').ok);
    await run('modem>pack:AT+CFUN=1,1##1;##1');
    await drive(sim, clock, 30_000);
    const unknown = parsePackAnswer((await run('modem>pack:AT+CREG?##1;##1'))[0]!);
    assert.equal(unknown.sections[0]!.output, 'AT+CREG?\r\r\r\n+CREG: 0,4\r\n\r\nOK');
  });
});

test('scenario / outgoing call: ATD answered OK, NO CARRIER when the callee hangs up', async () => {
  await withDevice('sr-box-8', [{ place: 'B', operator: 'megafon' }], async ({ sim, clock, run, panel }) => {
    await run('modem>fix:0&&modem>on&&answer>clear');
    await drive(sim, clock, 20_000);
    const mark = panel.polls.length;
    await run('modem>select:2&&modem>send:ATD+79161234567;', 2);
    await drive(sim, clock, 30_000);
    const msgs = panel.polls.slice(mark).filter((p) => p.step === 0 && p.data !== 'REQUEST' && !p.data.startsWith('Call Ready')).map((p) => p.data);
    assert.deepEqual(msgs, ['ATD+79161234567;\r\r\r\nOK', 'NO CARRIER'], JSON.stringify(msgs));
    assert.equal(sim.network.calls.at(-1)?.to, '+79161234567');
  });
});

test('scenario / Nano: a jammed card: answers NULL, card>reposition seats it, activation registers', async () => {
  await withDevice('sr-nano-500', [{ place: 'C10', operator: 'beeline' }], async ({ sim, run, number }) => {
    assert.ok(sim.fault('d', { kind: 'jam' }).ok);
    assert.deepEqual(await run('card:C010'), ['NULL']);
    const dev = sim.devices.get('d')!;
    assert.equal(dev.hw.modem(1)!.sim, undefined, 'the contacts did not close');
    assert.deepEqual(await run('answer>clear&&card>reposition', 2), ['1', '1']);
    assert.equal(dev.hw.modem(1)!.sim?.msisdn, number('C10'));
    assert.deepEqual(await run('modem>activation'), ['1;21;Bee Line GSM']);
  });
});

test('scenario / reboot: SR start again, volatile state lost, steps executed again', async () => {
  await withDevice('sr-board', [{ place: 'A1', operator: 'mts' }], async ({ sim, clock, run, panel }) => {
    assert.deepEqual(await run('modem>on'), ['1']);
    assert.ok(sim.fault('d', { kind: 'reboot' }).ok);
    await drive(sim, clock, 20_000);
    assert.equal(panel.unsolicited(T).filter((d) => d === 'SR start').length, 2);
    assert.equal(sim.devices.get('d')!.hw.modem(1)!.powered, false, 'modems are off after a reboot');
  });
});
