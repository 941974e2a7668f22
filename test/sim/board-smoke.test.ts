import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.ts';
import { decodePdu, parsePackAnswer, parseSmsAnswer } from '../../src/codec/index.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { PanelStub } from './support/panel-stub.ts';
import { drive, driveUntil } from './support/drive.ts';

test('sr-board smoke', async () => {
  const panel = await new PanelStub().start();
  const clock = new FakeClock();
  const fleet = parseFleet({ seed: 7, devices: [{ id: 'b', model: 'sr-board', token: '1111111111', sims: [{ place: 'A1', operator: 'mts' }, { place: 'B1', operator: 'beeline' }] }] });
  assert.ok(fleet.ok);
  const sim = new Simulator({ fleet: fleet.value, panelUrl: panel.url, clock });
  sim.start();
  try {
    const T = '1111111111';
    assert.ok(await driveUntil(sim, clock, () => panel.unsolicited(T).includes('SR start')));
    const s1 = panel.enqueue(T, 'modem>fix:0&&modem>off&&modem>select:1&&modem>card:1&&modem>select:2&&modem>card:1&&modem>on&&answer>clear');
    assert.ok(await driveUntil(sim, clock, () => panel.answers(T, s1).length > 0));
    await drive(sim, clock, 20_000);
    assert.deepEqual(panel.answers(T, s1), ['1']);
    const s2 = panel.enqueue(T, 'modem>pack:AT+CREG?##ALL##1');
    assert.ok(await driveUntil(sim, clock, () => panel.answers(T, s2).length > 0));
    const pack = parsePackAnswer(panel.answers(T, s2)[0]!);
    console.log(JSON.stringify(panel.answers(T, s2)[0]));
    assert.equal(pack.sections.length, 8);
    const numA = sim.sims().find((s) => s.place === 'A1')!.number as string;
    const r = sim.sendSms({ to: numA, from: 'MTC', text: 'Привет! '.repeat(20) });
    assert.ok(r.ok);
    await drive(sim, clock, 10_000);
    console.log(panel.unsolicited(T));
    const s3 = panel.enqueue(T, 'modem>sms:0');
    assert.ok(await driveUntil(sim, clock, () => panel.answers(T, s3).length > 0));
    const ans = parseSmsAnswer(panel.answers(T, s3)[0]!);
    console.log(JSON.stringify(panel.answers(T, s3)[0]).slice(0, 300));
    assert.equal(ans.kind, 'sections');
    if (ans.kind === 'sections') {
      const sec = ans.sections[0]!;
      assert.equal(sec.status, 'ok');
      if (sec.status === 'ok') {
        const d = decodePdu(sec.entries[0]!.pdu);
        assert.ok(d.ok);
      }
    }
  } finally {
    await sim.stop();
    await panel.stop();
  }
});
