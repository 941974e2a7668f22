/**
 * Replays the real classic traffic of device-logs/link_1.log (an SR-Board, 21.10.2022) through a
 * channel, in log time: every answer reaches the waiter of the step the legacy panel released,
 * and every unsolicited +CMTI / +CUSD / AT reply reaches every subscriber that wants it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { readFixtureText } from '../../../test/support/fixtures.ts';
import { DeviceChannel } from './channel.ts';

interface Entry { readonly at: number; readonly step: number; readonly data: string; readonly body: string }

/** Classic entries (`IN > <step> | <data> OUT >  | <body>`) before the device switched to JSON (line 6789). */
function classicEntries(log: string): Entry[] {
  const lines = log.split('\n').slice(0, 6788);
  const out: Entry[] = [];
  const head = /^(\d\d):(\d\d):(\d\d) (\d\d)\.(\d\d)\.(\d{4}) IN > (\d+) \| /;
  for (let i = 0; i < lines.length; i++) {
    const m = head.exec(lines[i]!);
    if (!m) continue;
    let text = lines[i]!.slice(m[0].length);
    while (!text.includes(' OUT > ') && i + 1 < lines.length) text += `\n${lines[++i]}`;
    const cut = text.indexOf(' OUT > ');
    if (cut < 0) break;
    const [, hh, mi, ss, dd, mo, yyyy, step] = m;
    out.push({
      at: Date.UTC(Number(yyyy), Number(mo) - 1, Number(dd), Number(hh), Number(mi), Number(ss)),
      step: Number(step),
      data: text.slice(0, cut),
      body: text.slice(cut + ' OUT > '.length).replace(/^\d* \| /, ''),
    });
  }
  return out;
}

test('device-logs/link_1.log / classic traffic: answers meet their steps, step-0 lines reach every subscriber', async () => {
  const entries = classicEntries(readFixtureText('device-logs/link_1.log'));
  assert.ok(entries.length > 1000, `parsed ${entries.length} entries`);
  const clock = new FakeClock(entries[0]!.at);
  const ch = new DeviceChannel({ clock, steps: { next: 1000 } });
  const cmti: string[] = [];
  const cusd: string[] = [];
  const iccid: string[] = [];
  ch.unsolicited.subscribe({ includes: '+CMTI: "SM",' }, (m) => cmti.push(m.text));
  ch.unsolicited.subscribe({ includes: '+CUSD:' }, (m) => cusd.push(m.text));
  ch.unsolicited.subscribe({ regex: /^AT\+ICCID\r+\n\+ICCID: \d{19}/ }, (m) => iccid.push(m.text));

  const expected = new Map<number, string>();
  const waits: Array<Promise<[number, string[] | null]>> = [];
  const released = new Set<number>();
  let reused = 0;
  for (const e of entries) {
    if (e.at > clock.now()) await clock.advance(e.at - clock.now());
    const reply = ch.handlePoll({ step: e.step, data: e.data });
    assert.equal(reply.body, '{data}0#!#REQUEST', 'nothing queued here, so every poll is idle');
    if (e.step > 0 && e.data !== 'REQUEST' && released.has(e.step) && !expected.has(e.step)) expected.set(e.step, e.data);
    const out = /^(\d+)#!#/.exec(e.body);
    if (out && out[1] !== '0') {
      const step = Number(out[1]);
      // The legacy panel reused some steps within minutes (device-link.md §10.2 item 4); only
      // fresh steps are followed here, as our own counter never reuses a retained one.
      if (released.has(step) || ch.answersOf(step).answers.length > 0) { reused++; continue; }
      released.add(step);
      waits.push(ch.waitAnswers(step, { count: 1, timeoutMs: 300_000 }).then((a) => [step, a]));
    }
  }
  await clock.advance(300_000);
  const results = await Promise.all(waits);
  const answered = results.filter(([, a]) => a !== null);
  assert.ok(answered.length > 100, `${answered.length} of ${results.length} released commands answered`);
  assert.ok(reused > 0 && reused < results.length, `${reused} releases reused a step (the log restarts its counter)`);
  for (const [step, a] of answered) assert.equal(a![0], expected.get(step), `step ${step}`);

  const step0 = entries.filter((e) => e.step === 0 && e.data !== 'REQUEST');
  assert.equal(cmti.length, step0.filter((e) => e.data.includes('+CMTI: "SM",')).length);
  assert.equal(cusd.length, step0.filter((e) => e.data.includes('+CUSD:')).length);
  assert.ok(cmti.length >= 5 && cusd.length >= 5, `${cmti.length} +CMTI, ${cusd.length} +CUSD`);
  assert.ok(iccid.some((t) => t.includes('89701010068650504170')), 'the C1 ICCID reply (lines 5030–5033)');
  ch.close();
});
