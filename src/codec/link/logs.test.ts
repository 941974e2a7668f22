/**
 * Real device traffic (fixtures/device-logs, see its README): every classic request and body of
 * link_1.log parses, every modem>pack / modem>sms answer splits, every PDU decodes, the 4-part
 * out-of-order message reassembles; every JSON event of link_1.log (SMART tail) and link_2.log parses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson, readFixtureText } from '../../../test/support/fixtures.ts';
import { decodePdu } from '../sms/decode.ts';
import { addPart, emptyReassembly, type ReassemblyState } from '../sms/reassembly.ts';
import { parseCmgr } from '../at/sms-replies.ts';
import { buildClassicQuery, buildSmartQuery, parseLinkRequest } from './request.ts';
import { buildCommandBody, parseClassicBody, parseClassicFrame } from './body.ts';
import { splitChain } from './chain.ts';
import { parsePackAnswer } from './pack-answer.ts';
import { parseSmsAnswer } from './sms-answer.ts';

type Entry =
  | { kind: 'classic'; line: number; step: string; data: string; body: string }
  | { kind: 'json'; line: number; data: string; body: string };

const START = /^\d\d:\d\d:\d\d \d\d\.\d\d\.\d{4} IN > /;

/** Log entries: one per poll, possibly spanning lines (bare CR kept), ending at the line with ` OUT > `. */
function entries(text: string): Entry[] {
  const lines = text.split('\n');
  const out: Entry[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!START.test(lines[i]!)) continue;
    const first = i;
    let acc = lines[i]!.replace(START, '');
    while (!acc.includes(' OUT > ') && i + 1 < lines.length) acc += '\n' + lines[++i]!;
    const c = /^(\d*) \| ([\s\S]*) OUT > {2}\| ([\s\S]*)$/.exec(acc);
    if (c) out.push({ kind: 'classic', line: first + 1, step: c[1]!, data: c[2]!, body: c[3]! });
    else {
      const j = /^([\s\S]*) OUT > ([\s\S]*)$/.exec(acc);
      assert.ok(j, `line ${first + 1}: not an entry`);
      out.push({ kind: 'json', line: first + 1, data: j[1]!, body: j[2]! });
    }
  }
  return out;
}

const TOKEN = '1234567890';
const log1 = entries(readFixtureText('device-logs/link_1.log'));
const log2 = entries(readFixtureText('device-logs/link_2.log'));

test('link_1 / the log holds the expected traffic', () => {
  assert.equal(log1.length, 1632);
  assert.equal(log1.filter((e) => e.kind === 'classic').length, 1473);
  assert.equal(log1.filter((e) => e.kind === 'json').length, 159);
  assert.equal(log2.length, 65);
});

test('link_1 / every classic request and body parses, byte for byte', () => {
  let n = 0;
  for (const e of log1) {
    if (e.kind !== 'classic') continue;
    const q = e.step === '' ? `token=${TOKEN}&step=&data=${encodeURIComponent(e.data)}` : buildClassicQuery(TOKEN, Number(e.step), e.data);
    const r = parseLinkRequest(q);
    assert.ok(r.ok, `line ${e.line}`);
    if (e.step === '') assert.equal(r.value.kind, 'smart', `line ${e.line}`);
    else {
      assert.ok(r.value.kind === 'classic', `line ${e.line}`);
      assert.equal(r.value.step, Number(e.step));
      assert.equal(r.value.data, e.data);
      assert.equal(r.value.idle, e.data === 'REQUEST');
    }
    const b = parseClassicBody('{data}' + e.body);
    assert.ok(b.ok, `line ${e.line}: ${e.body}`);
    const f = parseClassicFrame(e.body);
    assert.deepEqual(f, b);
    if (b.value.kind === 'command') {
      assert.equal(buildCommandBody(b.value.step, b.value.command), '{data}' + e.body);
      assert.ok(splitChain(b.value.command).every((c) => c.length > 0));
    }
    n++;
  }
  assert.equal(n, 1473);
});

/** Commands by step, then the answers to modem>pack and modem>sms. */
function answers(): { pack: Entry[]; sms: Entry[]; stepZero: Entry[] } {
  const cmd = new Map<number, string>();
  const pack: Entry[] = [];
  const sms: Entry[] = [];
  const stepZero: Entry[] = [];
  for (const e of log1) {
    if (e.kind !== 'classic') continue;
    const b = parseClassicFrame(e.body);
    if (b.ok && b.value.kind === 'command') cmd.set(b.value.step, b.value.command);
    if (e.step === '0' && e.data !== 'REQUEST') stepZero.push(e);
    const c = cmd.get(Number(e.step));
    if (!c || !e.data.includes('##') && e.data !== '1') continue;
    if (c.includes('modem>pack') && e.data.includes('#1#')) pack.push(e);
    if (c.includes('modem>sms') && (e.data.includes('#3#') || e.data === '1')) sms.push(e);
  }
  return { pack, sms, stepZero };
}

const { pack, sms, stepZero } = answers();

test('link_1 / every modem>pack answer splits into modem sections', () => {
  assert.ok(pack.length >= 20, `only ${pack.length} pack answers`);
  for (const e of pack) {
    const p = parsePackAnswer(e.data);
    assert.ok(p.sections.length > 0, `line ${e.line}`);
    assert.deepEqual(p.garbage, [], `line ${e.line}`);
    for (const s of p.sections) assert.ok(s.modem >= 1 && s.modem <= 8, `line ${e.line}`);
  }
});

test('link_1 / every modem>sms answer splits; every PDU decodes; the 4-part message reassembles', () => {
  assert.ok(sms.length >= 20, `only ${sms.length} sms answers`);
  const multipart = readFixtureJson<{ id: string; text: string }[]>('pdu/multipart.json').find((g) => g.id === 'sr-mts-4part')!;
  let state: ReassemblyState = emptyReassembly;
  const complete: string[] = [];
  let pdus = 0;
  for (const e of sms) {
    const a = parseSmsAnswer(e.data);
    if (a.kind !== 'sections') {
      assert.equal(a.kind, 'empty', `line ${e.line}`);
      continue;
    }
    assert.deepEqual(a.garbage, [], `line ${e.line}`);
    for (const s of a.sections) {
      if (s.status !== 'ok') continue;
      for (const entry of s.entries) {
        const d = decodePdu(entry.pdu);
        assert.ok(d.ok && d.value.kind === 'deliver', `line ${e.line}: ${entry.pdu}`);
        assert.equal(d.value.tpduLength, entry.length, `line ${e.line}`);
        pdus++;
        const m = d.value;
        if (!m.concat || m.text === null) continue;
        const r = addPart(state, { sim: `modem-${s.modem}`, sender: m.sender.text, ref: m.concat.ref, total: m.concat.total, seq: m.concat.seq, text: m.text });
        state = r.state;
        if (r.outcome.kind === 'complete') complete.push(r.outcome.text);
      }
    }
  }
  assert.ok(pdus > 0);
  assert.ok(complete.includes(multipart.text), 'the 4-part MTS message did not reassemble');
});

test('link_1 / every PDU read with AT+CMGR decodes', () => {
  let n = 0;
  for (const e of stepZero) {
    if (!e.data.includes('+CMGR:')) continue;
    const r = parseCmgr(e.data);
    assert.ok(r.ok && r.value.mode === 'pdu', `line ${e.line}`);
    const d = decodePdu(r.value.pdu);
    assert.ok(d.ok && d.value.kind === 'deliver' && d.value.text !== null, `line ${e.line}`);
    n++;
  }
  assert.ok(n > 0);
});

for (const [name, log] of [['link_1', log1], ['link_2', log2]] as const) {
  test(`${name} / every SMART payload parses to a typed message`, () => {
    const json = log.filter((e) => e.kind === 'json');
    assert.ok(json.length > 0);
    let events = 0;
    for (const e of json) {
      const r = parseLinkRequest(buildSmartQuery(TOKEN, e.data));
      assert.ok(r.ok && r.value.kind === 'smart', `line ${e.line}`);
      const m = r.value.message;
      assert.notEqual(m.kind, 'malformed', `line ${e.line}`);
      if (e.data.startsWith('{')) {
        assert.ok(m.kind === 'reply' || m.kind === 'state' || m.kind === 'alert', `line ${e.line}: ${m.kind}`);
        events++;
      }
    }
    if (name === 'link_2') assert.ok(events >= 8);
  });
}
