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
import { buildCommandBody, parseClassicBody, parseClassicFrame, parseSmartBody } from './body.ts';
import { buildSmartCommand, parseSmartCommand } from './smart.ts';
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

/**
 * Every answer to a `modem>pack` or `modem>sms` command, by kind. The command an answer belongs to
 * is the one last sent with that step *before* the answering poll: the panel reuses step numbers
 * (after a device restart, and at line 4016 it hands step 1328 to a new command in the very reply
 * to the poll that answers the old one), so the entry's own OUT body must not be looked up.
 */
function answers() {
  const cmd = new Map<number, string>();
  const pack: Entry[] = [];
  const sms: Entry[] = [];
  const smsEmpty: Entry[] = [];
  const chainAcks: Entry[] = [];
  const stepZero: Entry[] = [];
  for (const e of log1) {
    if (e.kind !== 'classic') continue;
    const c = e.step === '' ? undefined : cmd.get(Number(e.step));
    const b = parseClassicFrame(e.body);
    if (b.ok && b.value.kind === 'command') cmd.set(b.value.step, b.value.command);
    if (e.step === '0' && e.data !== 'REQUEST') stepZero.push(e);
    if (c === undefined) continue;
    const parts = splitChain(c);
    const packAt = parts.findIndex((x) => x.startsWith('modem>pack:'));
    const smsAt = parts.findIndex((x) => x.startsWith('modem>sms:'));
    if (packAt < 0 && smsAt < 0) continue;
    assert.ok(packAt < 0 || smsAt < 0, `line ${e.line}: one chain with both`);
    // `1` acknowledges a chain whose first command is not the composite one (modem>on&&modem>pack…);
    // the composite answer follows with the same step. For modem>sms, `1` means "no messages".
    if (e.data === '1' && (packAt > 0 || smsAt > 0)) chainAcks.push(e);
    else if (packAt >= 0) pack.push(e);
    else if (e.data === '1') smsEmpty.push(e);
    else sms.push(e);
  }
  return { pack, sms, smsEmpty, chainAcks, stepZero };
}

const { pack, sms, smsEmpty, chainAcks, stepZero } = answers();

test('link_1 / every answer to modem>pack and modem>sms is accounted for', () => {
  // Counted independently of the codec (see /work/shared/fixtures/device-logs/README.md):
  // 86 pack answers, 50 sms answers with sections, 229 empty sms answers, 15 chain acks.
  assert.deepEqual([pack.length, sms.length, smsEmpty.length, chainAcks.length], [86, 50, 229, 15]);
  for (const e of smsEmpty) assert.deepEqual(parseSmsAnswer(e.data), { kind: 'empty' }, `line ${e.line}`);
});

test('link_1 / every modem>pack answer splits into modem sections', () => {
  for (const e of pack) {
    const p = parsePackAnswer(e.data);
    assert.ok(p.sections.length > 0, `line ${e.line}`);
    assert.deepEqual(p.garbage, [], `line ${e.line}`);
    for (const s of p.sections) assert.ok(s.modem >= 1 && s.modem <= 8, `line ${e.line}`);
  }
});

test('link_1 / every modem>sms answer splits; every PDU decodes; the 4-part message reassembles', () => {
  const multipart = readFixtureJson<{ id: string; text: string }[]>('pdu/multipart.json').find((g) => g.id === 'sr-mts-4part')!;
  let state: ReassemblyState = emptyReassembly;
  const complete: string[] = [];
  let pdus = 0;
  for (const e of sms) {
    const a = parseSmsAnswer(e.data);
    assert.equal(a.kind, 'sections', `line ${e.line}`);
    if (a.kind !== 'sections') continue;
    assert.ok(a.sections.length > 0, `line ${e.line}`);
    assert.deepEqual(a.garbage, [], `line ${e.line}`);
    for (const s of a.sections) {
      assert.ok(s.modem >= 1 && s.modem <= 8, `line ${e.line}`);
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
  assert.deepEqual(complete, [multipart.text], 'the 4-part MTS message (parts 2, 4, 1, 3) reassembles once');
});

test('link_1 / every PDU anywhere in the log decodes, and they are the 26 of deliver.json', () => {
  // Runs of 30+ hex digits; a quoted run is a +CUSD payload, not a PDU.
  const found = new Set(readFixtureText('device-logs/link_1.log').match(/(?<![0-9A-Za-z"])[0-9A-F]{30,}(?![0-9A-Za-z])/g));
  for (const hex of found) {
    const d = decodePdu(hex);
    assert.ok(d.ok && d.value.kind === 'deliver' && d.value.text !== null, hex);
  }
  const logged = readFixtureJson<{ id: string; pdu: string }[]>('pdu/deliver.json').filter((v) => v.id.startsWith('sr-link1-')).map((v) => v.pdu);
  assert.deepEqual([...found].sort(), logged.sort());
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

for (const [name, log, events] of [['link_1', log1, 29], ['link_2', log2, 17]] as const) {
  test(`${name} / every SMART poll and answer parses: ${events} JSON events typed with their fields`, () => {
    const json = log.filter((e) => e.kind === 'json');
    let n = 0;
    for (const e of json) {
      const r = parseLinkRequest(buildSmartQuery(TOKEN, e.data));
      assert.ok(r.ok && r.value.kind === 'smart', `line ${e.line}`);
      const m = r.value.message;
      assert.notEqual(m.kind, 'malformed', `line ${e.line}`);
      if (e.data.startsWith('{')) {
        n++;
        if (m.kind === 'reply') assert.ok(m.result !== '' && m.sign !== null, `line ${e.line}`);
        else if (m.kind === 'state') assert.ok(m.modem !== null && m.code !== null && m.card !== null, `line ${e.line}`);
        else if (m.kind === 'alert') assert.ok(m.modem !== null && m.event !== '' && m.result !== '', `line ${e.line}`);
        else assert.fail(`line ${e.line}: ${m.kind}`);
      } else assert.ok(m.kind === 'idle' || m.kind === 'text', `line ${e.line}`);
      // The panel's answer: REQUEST or a dot command with a sign the device echoes back.
      const b = parseSmartBody('{data}' + e.body);
      assert.ok(b.ok, `line ${e.line}`);
      if (b.value.kind === 'command') {
        const c = parseSmartCommand(b.value.command);
        assert.ok(c.wantsReply && c.sign !== null, `line ${e.line}`);
        assert.equal(buildSmartCommand(c), b.value.command);
      }
    }
    assert.equal(n, events);
  });
}
