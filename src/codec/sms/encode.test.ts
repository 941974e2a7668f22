import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.ts';
import { decodePdu } from './decode.ts';
import { encodeDeliver, encodeDeliverParts } from './encode-deliver.ts';
import { encodeSubmit, type SubmitOptions } from './encode-submit.ts';

interface SubmitVector {
  id: string;
  number: string;
  text: string;
  encoding: 'gsm7' | 'ucs2';
  expected_pdu: string | string[];
  tpdu_length?: number | number[];
  options: {
    reference: number;
    smsc: string | null;
    request_status_report: boolean;
    reject_duplicates: boolean;
    flash: boolean;
    validity_relative_seconds?: number;
    validity_relative_minutes?: number | null;
    validity_absolute?: string;
  };
}

function absolute(iso: string): { kind: 'absolute'; at: number; tzQuarterHours: number } {
  const m = /([+-])(\d\d):(\d\d)$/.exec(iso)!;
  const q = (Number(m[2]) * 4 + Number(m[3]) / 15) * (m[1] === '-' ? -1 : 1);
  return { kind: 'absolute', at: Date.parse(iso), tzQuarterHours: q };
}

const submitVectors = readFixtureJson<SubmitVector[]>('pdu/submit.json');
test('submit / all 13 vectors of submit.json are run', () => {
  assert.equal(submitVectors.length, 13);
});

for (const v of submitVectors) {
  test(`submit / ${v.id} encodes byte-exactly`, () => {
    const o = v.options;
    let validity: SubmitOptions['validity'] = null;
    if (o.validity_relative_seconds != null) validity = { kind: 'relative', seconds: o.validity_relative_seconds };
    if (o.validity_relative_minutes != null) validity = { kind: 'relative', seconds: o.validity_relative_minutes * 60 };
    if (o.validity_absolute) validity = absolute(o.validity_absolute);
    const r = encodeSubmit({
      to: v.number,
      text: v.text,
      smsc: o.smsc,
      encoding: v.encoding,
      reference: o.reference,
      requestStatusReport: o.request_status_report,
      rejectDuplicates: o.reject_duplicates,
      messageClass: o.flash ? 0 : null,
      validity,
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const expected = Array.isArray(v.expected_pdu) ? v.expected_pdu : [v.expected_pdu];
    assert.deepEqual(r.value.map((p) => p.hex), expected);
    // AT+CMGS length = octets after the SMSC field (3GPP TS 27.005 §3.5.1). The fixture's
    // tpdu_length agrees except for pygsm-encode-3/4, where it holds python-gsmmodem's count
    // (all octets but the first), which includes SMSC octets.
    const afterSmsc = expected.map((h) => h.length / 2 - 1 - parseInt(h.slice(0, 2), 16));
    assert.deepEqual(r.value.map((p) => p.cmgsLength), afterSmsc);
    if (v.tpdu_length !== undefined && !['pygsm-encode-3', 'pygsm-encode-4'].includes(v.id)) {
      assert.deepEqual(afterSmsc, Array.isArray(v.tpdu_length) ? v.tpdu_length : [v.tpdu_length]);
    }
  });
}

test('submit / auto picks UCS2 for Cyrillic and GSM-7 for extension characters', () => {
  const ru = encodeSubmit({ to: '+79161234567', text: 'Привет' });
  assert.ok(ru.ok);
  const d = decodePdu(ru.value[0]!.hex);
  assert.ok(d.ok && d.value.kind === 'submit' && d.value.dcs.alphabet === 'ucs2' && d.value.text === 'Привет');
  const ext = encodeSubmit({ to: '+79161234567', text: '{€}' });
  assert.ok(ext.ok);
  const e = decodePdu(ext.value[0]!.hex);
  assert.ok(e.ok && e.value.kind === 'submit' && e.value.dcs.alphabet === 'gsm7' && e.value.text === '{€}');
});

test('submit / forced gsm7 with Cyrillic → NOT_GSM7', () => {
  const r = encodeSubmit({ to: '+7916', text: 'Привет', encoding: 'gsm7' });
  assert.equal(!r.ok && r.error.code, 'NOT_GSM7');
});

test('submit / a number with letters → BAD_ADDRESS', () => {
  const r = encodeSubmit({ to: '+7916abcXYZ', text: 'x' });
  assert.equal(!r.ok && r.error.code, 'BAD_ADDRESS');
});

test('submit / 161 GSM-7 characters → 2 parts of 153 + 8, escape pair never split', () => {
  const text = 'a'.repeat(152) + '€' + 'b'.repeat(8);
  const r = encodeSubmit({ to: '+100', text, concatRef: 7 });
  assert.ok(r.ok);
  assert.equal(r.value.length, 2);
  const texts = r.value.map((p) => {
    const d = decodePdu(p.hex);
    assert.ok(d.ok && d.value.kind === 'submit');
    assert.deepEqual(d.value.concat && [d.value.concat.ref, d.value.concat.total], [7, 2]);
    return d.value.text;
  });
  assert.equal(texts[0], 'a'.repeat(152));
  assert.equal(texts.join(''), text);
});

test('submit / UCS2 emoji at a part boundary stays whole', () => {
  const text = 'ж'.repeat(66) + '😀' + 'ж'.repeat(10);
  const r = encodeSubmit({ to: '+100', text });
  assert.ok(r.ok);
  const parts = r.value.map((p) => {
    const d = decodePdu(p.hex);
    assert.ok(d.ok && d.value.kind === 'submit');
    return d.value.text!;
  });
  assert.equal(parts[0], 'ж'.repeat(66));
  assert.equal(parts.join(''), text);
});

test('deliver / encodes the logged SMS from 111 byte for byte', () => {
  const r = encodeDeliver({
    smsc: '+79139869993',
    sender: '111',
    text: 'Ваш номер телефона:+79169716405.',
    timestamp: Date.UTC(2022, 9, 21, 13, 15, 30),
    tzQuarterHours: 12,
  });
  assert.ok(r.ok);
  const logged = readFixtureJson<{ id: string; pdu: string }[]>('pdu/deliver.json').find((v) => v.id === 'sr-link1-01')!;
  assert.equal(r.value.hex, logged.pdu);
  assert.equal(r.value.tpduLength, 79);
});

test('deliver / alphanumeric sender MTC with concat header, decoded back', () => {
  const r = encodeDeliver({
    smsc: '+79184330011',
    sender: 'MTC',
    text: 'Привет',
    timestamp: 1_666_358_130_000,
    tzQuarterHours: 12,
    moreMessages: true,
    concat: { ref: 0xcd, total: 4, seq: 2 },
  });
  assert.ok(r.ok);
  assert.match(r.value.hex, /^07919781340310F14006D04DEA100008/);
  const d = decodePdu(r.value.hex);
  assert.ok(d.ok && d.value.kind === 'deliver');
  assert.equal(d.value.sender.text, 'MTC');
  assert.equal(d.value.sender.type, 'alphanumeric');
  assert.equal(d.value.udh?.hex, '050003CD0402');
  assert.equal(d.value.text, 'Привет');
  assert.equal(d.value.timestamp.epochMs, 1_666_358_130_000);
  assert.equal(d.value.timestamp.iso, '2022-10-21T16:15:30+03:00');
});

test('deliver / negative quarter-hour zone round-trips', () => {
  const r = encodeDeliver({ sender: '+15551234', text: 'hi', timestamp: 0, tzQuarterHours: -23 });
  assert.ok(r.ok);
  const d = decodePdu(r.value.hex);
  assert.ok(d.ok && d.value.kind === 'deliver');
  assert.equal(d.value.timestamp.iso, '1969-12-31T18:15:00-05:45'.replace('1969', '2069'));
  assert.equal(d.value.timestamp.tzQuarterHours, -23);
  assert.equal(d.value.smsc, null);
  assert.equal(d.value.sender.text, '+15551234');
});

test('deliver / text too long for one part → TEXT_TOO_LONG', () => {
  const r = encodeDeliver({ sender: '+1', text: 'x'.repeat(161), timestamp: 0 });
  assert.equal(!r.ok && r.error.code, 'TEXT_TOO_LONG');
});

test('deliver parts / 4-part UCS2 text splits and decodes back in order', () => {
  const text = 'Щ'.repeat(67 * 3 + 5);
  const r = encodeDeliverParts({ sender: 'MTC', text, timestamp: 0, ref: 0xcd });
  assert.ok(r.ok);
  assert.equal(r.value.length, 4);
  const got = r.value.map((p, i) => {
    const d = decodePdu(p.hex);
    assert.ok(d.ok && d.value.kind === 'deliver');
    assert.deepEqual(d.value.concat, { ref: 0xcd, total: 4, seq: i + 1, refBits: 8 });
    return d.value.text;
  });
  assert.equal(got.join(''), text);
});

test('deliver parts / short text is one PDU without UDH', () => {
  const r = encodeDeliverParts({ sender: '+1', text: 'short', timestamp: 0, ref: 1 });
  assert.ok(r.ok);
  assert.equal(r.value.length, 1);
  const d = decodePdu(r.value[0]!.hex);
  assert.ok(d.ok && d.value.kind === 'deliver' && d.value.udh === null);
});

test('deliver / an invalid date → BAD_TIMESTAMP, not a zero time stamp', () => {
  const r = encodeDeliver({ sender: '+1', text: 'x', timestamp: new Date('nope') });
  assert.equal(!r.ok && r.error.code, 'BAD_TIMESTAMP');
  const s = encodeSubmit({ to: '+1', text: 'x', validity: { kind: 'absolute', at: Number.NaN, tzQuarterHours: 0 } });
  assert.equal(!s.ok && s.error.code, 'BAD_TIMESTAMP');
});
