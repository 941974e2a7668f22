/**
 * Every sample of fixtures/at/transcripts.json parses to its expected `meaning`
 * (third-party modem output: ModemManager and python-gsmmodem tests, SR-Navigator device logs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.ts';
import { decodePdu } from '../sms/decode.ts';
import { parsePackAnswer } from '../link/pack-answer.ts';
import { parseSmsAnswer } from '../link/sms-answer.ts';
import { parseSmartPayload } from '../link/smart.ts';
import { parseCopsQuery, parseCopsScan } from './cops.ts';
import { parseRegistration } from './creg.ts';
import { parseCusd } from './cusd.ts';
import { parseModemOutput } from './lines.ts';
import { parseCpin, parseCsq, parseCspn, parseIccid, normaliseIccid } from './sim-info.ts';
import { parseCmgl, parseCmgr, parseCmgs } from './sms-replies.ts';
import { parseUrcs, type Urc } from './urc.ts';

type Meaning = Record<string, unknown>;
interface Sample {
  id: string;
  category: string;
  kind?: string;
  command: string | null;
  raw: string;
  meaning: Meaning;
}

const deliverPdus = new Map(readFixtureJson<{ id: string; pdu: string }[]>('pdu/deliver.json').map((v) => [v.id, v.pdu]));

/** Compares only the keys the fixture states. */
function expectSubset(actual: Record<string, unknown>, expected: Meaning, keys = Object.keys(expected)): void {
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const k of keys) {
    got[k] = actual[k];
    want[k] = expected[k];
  }
  assert.deepEqual(got, want);
}

function finalType(raw: string): { type: string; code: number | null } | null {
  const f = parseModemOutput(raw).final;
  if (!f) return null;
  return { type: f.type, code: f.type === 'CME' || f.type === 'CMS' ? f.code : null };
}

function urcView(u: Urc): Record<string, unknown> {
  switch (u.type) {
    case '+CMTI':
    case '+CDSI':
      return { type: u.type, mem: u.mem, index: u.index };
    case '+CUSD':
      return { type: u.type, m: u.m, dcs: u.dcs, text: u.text };
    case '+CLIP': {
      const v: Record<string, unknown> = { type: u.type, number: u.number, type_of_address: u.typeOfAddress };
      if (u.cliValidity !== null) v['cli_validity'] = u.cliValidity;
      return v;
    }
    case '+CRING':
      return { type: u.type, call_type: u.callType };
    case 'HANGUP':
      return { type: u.type, call_id: u.callId };
    case '+WIND':
      return { type: u.type, indication: u.indication, call_id: u.callId };
    default:
      return { type: u.type };
  }
}

function registrationView(text: string, solicited?: boolean): Record<string, unknown> | null {
  const r = parseRegistration(text, solicited === undefined ? {} : { solicited });
  if (!r.ok) return null;
  const v = r.value;
  return { solicited: v.solicited, n: v.n, stat: v.stat, state: v.state, lac: v.lac, ci: v.ci, act: v.actName, registered: v.registered };
}

function check(s: Sample): void {
  const m = s.meaning;
  const out = parseModemOutput(s.raw);
  if ('echo' in m) assert.equal(out.echo, m['echo']);
  if ('final' in m && s.category !== 'sr-link' && s.category !== 'cmgs') assert.equal(out.final?.type ?? null, m['final']);
  if ('urcs' in m && s.category !== 'cmgs') assert.deepEqual(parseUrcs(out.body).map(urcView), m['urcs']);
  switch (s.category) {
    case 'creg': {
      const v = registrationView(s.raw, s.kind === 'response' ? true : s.kind === 'urc' ? false : undefined);
      assert.ok(v);
      expectSubset(v, m);
      return;
    }
    case 'cops': {
      if (s.command === 'AT+COPS=?') {
        const nets = parseCopsScan(s.raw, { charset: 'gsm' }).map((n) => ({ status: n.status, long: n.long, short: n.short, code: n.code, act: n.actName }));
        assert.deepEqual(nets, m['networks']);
        return;
      }
      const r = parseCopsQuery(s.raw);
      if (m['operator'] === null) return assert.equal(r.ok, false);
      assert.ok(r.ok);
      const act = typeof m['act'] === 'string' ? r.value.actName : r.value.act;
      expectSubset({ mode: r.value.mode, format: r.value.format, operator: r.value.operator, act }, m);
      return;
    }
    case 'cspn': {
      const r = parseCspn(s.raw);
      assert.ok(r.ok);
      expectSubset({ spn: r.value.spn, display_mode: r.value.displayMode }, m, ['spn', 'display_mode']);
      return;
    }
    case 'iccid': {
      const r = s.kind === 'value' ? normaliseIccid(s.raw) : parseIccid(s.raw);
      if (m['error']) return assert.equal(r.ok, false);
      assert.deepEqual(r, { ok: true, value: m['iccid'] });
      return;
    }
    case 'cusd': {
      if (s.kind === 'device-json') {
        const e = parseSmartPayload(s.raw);
        assert.ok(e.kind === 'alert');
        assert.deepEqual({ result: e.result, type: 'alert', dev: e.dev, event: e.event }, m);
        return;
      }
      if ('urcs' in m || (!('m' in m) && 'final' in m)) return; // checked above
      const c = parseCusd(s.raw);
      assert.ok(c);
      const view = { m: c.m, text: c.text, message_text: c.text, dcs: c.dcs, session_active: c.sessionActive, encoding: c.encoding === 'ucs2' ? 'ucs2' : c.encoding };
      expectSubset(view, m, Object.keys(m).filter((k) => k !== 'ignored'));
      return;
    }
    case 'cmti': {
      if ('urcs' in m) return;
      const u = parseUrcs(s.raw);
      assert.deepEqual(u.map(urcView), [{ type: '+CMTI', mem: m['mem'], index: m['index'] }]);
      return;
    }
    case 'cmgl': {
      const msgs = parseCmgl(s.raw);
      const want = m['messages'] as Meaning[];
      assert.equal(msgs.length, want.length);
      msgs.forEach((g, i) => {
        const w = want[i]!;
        assert.equal(g.mode, m['mode']);
        if (g.mode === 'pdu') {
          const d = decodePdu(g.pdu);
          const view: Record<string, unknown> = { index: g.index, stat: g.stat, length: g.length, pdu: g.pdu };
          if (d.ok && d.value.kind === 'deliver') Object.assign(view, { sender: d.value.sender.text, timestamp: d.value.timestamp.iso, text: d.value.text });
          expectSubset(view, w);
        } else if (g.mode === 'text') {
          expectSubset({ index: g.index, stat: g.stat, sender: g.sender, timestamp: g.timestamp, text: g.text }, w);
        } else assert.fail('unexpected status report in +CMGL');
      });
      return;
    }
    case 'cmgr': {
      const r = parseCmgr(s.raw);
      assert.ok(r.ok);
      const g = r.value;
      const view: Record<string, unknown> = { mode: g.mode === 'pdu' ? 'pdu' : 'text' };
      if (g.mode === 'pdu') {
        Object.assign(view, { stat: g.stat, alpha: g.alpha, length: g.length, pdu: g.pdu });
        if (m['pdu_deliver_id']) {
          const known = deliverPdus.get(m['pdu_deliver_id'] as string);
          assert.equal(g.pdu, known);
        }
        const d = decodePdu(g.pdu);
        assert.ok(d.ok);
        if (d.value.kind === 'deliver') view['text'] = d.value.text;
        if (d.value.kind === 'status-report') {
          Object.assign(view, {
            pdu_type: 'status-report', recipient: d.value.recipient.text, reference: d.value.reference,
            scts: d.value.timestamp.iso, discharge: d.value.discharge.iso, delivered: d.value.status < 0x20,
          });
        }
      } else if (g.mode === 'text') {
        Object.assign(view, { stat: g.stat, sender: g.sender, timestamp: g.timestamp, text: g.text });
      } else {
        Object.assign(view, { stat: g.stat, fo: g.fo, mr: g.mr, recipient: g.recipient, toa: g.toa, scts: g.scts, discharge: g.discharge, status: g.status, delivered: g.status !== null && g.status < 0x20 });
      }
      expectSubset(view, m, Object.keys(m).filter((k) => !['echo', 'final', 'pdu_deliver_id'].includes(k)));
      return;
    }
    case 'clip':
    case 'ring':
    case 'no-carrier': {
      const u = parseUrcs(s.raw).map(urcView);
      if ('events' in m) return assert.deepEqual(u, m['events']);
      assert.equal(u.length, 1);
      expectSubset({ number: u[0]!['number'], type: u[0]!['type_of_address'] }, m);
      return;
    }
    case 'cmgs': {
      const r = parseCmgs(s.raw);
      if (m['mr'] === null) return assert.equal(r.ok, false);
      assert.ok(r.ok);
      expectSubset({ prompt: r.value.prompt, mr: r.value.mr, final: r.value.final?.type }, m, ['prompt', 'mr', 'final']);
      if ('urcs' in m) assert.deepEqual(r.value.urcs.filter((u) => u.type !== '+CREG').map(urcView), m['urcs']);
      return;
    }
    case 'error': {
      expectSubset(finalType(s.raw) ?? {}, m, ['type', 'code']);
      if ('lock' in m) assert.equal(parseCpin(s.raw).ok ? 'locked' : 'unknown', m['lock']);
      return;
    }
    case 'cpin': {
      assert.deepEqual(parseCpin(s.raw), { ok: true, value: m['lock'] });
      return;
    }
    case 'csq': {
      const r = parseCsq(s.raw);
      assert.ok(r.ok);
      assert.equal(r.value.rssi, m['rssi']);
      assert.equal(r.value.dbm === null ? -1 : r.value.rssi, m['signal_strength']);
      return;
    }
    case 'sr-link':
      return checkLink(s);
    default:
      assert.fail(`no parser for category ${s.category}`);
  }
}

function checkLink(s: Sample): void {
  const m = s.meaning;
  if ('urc' in m) return assert.deepEqual(parseUrcs(s.raw).map(urcView), [{ type: m['urc'] }]);
  if ('device_error' in m) return assert.equal(s.raw.trim(), m['device_error']);
  if ('serial' in m) return assert.match(s.raw, /^\d{18}$/);
  const records = m['records'] as Meaning[];
  if (s.command?.startsWith('modem>sms')) {
    const a = parseSmsAnswer(s.raw);
    assert.ok(a.kind === 'sections');
    assert.deepEqual(a.garbage, []);
    assert.equal(a.sections.length, records.length);
    a.sections.forEach((sec, i) => {
      const w = records[i]!;
      assert.equal(sec.modem, w['modem']);
      if (sec.status === 'error') return assert.equal(w['error'], true);
      if (sec.status === 'raw') {
        assert.equal(sec.text, w['raw']);
        return assert.equal(!/NOT READY/.test(sec.text), w['sim_ready']);
      }
      const want = w['messages'] as Meaning[];
      assert.deepEqual(
        sec.entries.map((e) => ({ index: e.index, stat: e.stat, alpha: e.alpha, length: e.length, pdu: e.pdu })),
        want.map((x) => ({ index: x['index'], stat: x['stat'], alpha: x['alpha'], length: x['length'], pdu: deliverPdus.get(x['pdu_deliver_id'] as string) })),
      );
    });
    return;
  }
  const p = parsePackAnswer(s.raw);
  assert.deepEqual(p.garbage, []);
  assert.equal(p.sections.length, records.length);
  p.sections.forEach((sec, i) => {
    const w = records[i]!;
    assert.equal(sec.modem, w['modem']);
    const out = parseModemOutput(sec.output);
    const reg = registrationView(sec.output, true);
    if (w['garbled']) {
      assert.equal(reg, null);
      return assert.equal(sec.output, w['raw_body']);
    }
    const view: Record<string, unknown> = { modem: sec.modem, echo: out.echo, final: out.final?.type ?? null };
    if (reg) Object.assign(view, { n: reg['n'], stat: reg['stat'], state: reg['state'] });
    expectSubset(view, w);
  });
}

const samples = readFixtureJson<Sample[]>('at/transcripts.json');
test('at / all 138 samples of transcripts.json are run', () => {
  assert.equal(samples.length, 138);
});

for (const s of samples) {
  test(`at / ${s.category} / ${s.id}`, () => check(s));
}
