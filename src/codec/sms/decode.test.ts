import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.ts';
import { decodePdu } from './decode.ts';
import type { SmsPdu } from './pdu.ts';

interface DeliverVector {
  id: string;
  pdu: string;
  smsc: string | null;
  sender: string;
  sender_type: string;
  toa: string;
  timestamp: string;
  dcs: string;
  dcs_byte: string;
  first_octet: string;
  pid: string;
  udh: { ref: number; total: number; seq: number } | null;
  udh_hex: string | null;
  text: string | null;
  data?: string;
  tpdu_length: number;
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

// Third-party vectors are read from ../shared/fixtures by id, never copied here (fixtures/SOURCES.md).
const deliverVectors = readFixtureJson<DeliverVector[]>('pdu/deliver.json');
const byId = new Map<string, string>([
  ...deliverVectors.map((v) => [v.id, v.pdu] as const),
  ...readFixtureJson<{ id: string; pdu: string }[]>('pdu/invalid.json').map((v) => [v.id, v.pdu] as const),
  ...readFixtureJson<{ id: string; pdu: string }[]>('pdu/other_decode.json').map((v) => [v.id, v.pdu] as const),
]);
const pdu = (id: string): string => byId.get(id) ?? assert.fail(`no fixture ${id}`);

test('deliver / all 69 vectors of deliver.json are run', () => {
  assert.equal(deliverVectors.length, 69);
});

for (const v of deliverVectors) {
  test(`deliver / ${v.id}`, () => {
    const r = decodePdu(v.pdu);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const m = r.value;
    assert.equal(m.kind, 'deliver');
    if (m.kind !== 'deliver') return;
    assert.equal(m.smsc?.text ?? null, v.smsc);
    assert.equal(m.sender.text, v.sender);
    assert.equal(m.sender.type, v.sender_type);
    assert.equal(hex2(m.sender.toa), v.toa);
    assert.equal(m.timestamp.iso, v.timestamp);
    assert.equal(m.dcs.alphabet, v.dcs);
    assert.equal(hex2(m.dcs.byte), v.dcs_byte);
    assert.equal(hex2(m.pid), v.pid);
    assert.equal(hex2(m.firstOctet), v.first_octet);
    // TP-DCS message class (TS 23.038 §4): 0x10 = class 0 (flash), 0xF1 = class 1, 0xF4 = class 0; 0x00/04/08 none.
    const expectedClass: Record<string, number | null> = { '00': null, '04': null, '08': null, '10': 0, F1: 1, F4: 0 };
    assert.ok(v.dcs_byte in expectedClass, `DCS ${v.dcs_byte} has no expected class here`);
    assert.equal(m.dcs.messageClass, expectedClass[v.dcs_byte]);
    assert.equal(m.udh?.hex ?? null, v.udh_hex);
    assert.deepEqual(m.concat ? { ref: m.concat.ref, total: m.concat.total, seq: m.concat.seq } : null, v.udh);
    assert.equal(m.text, v.text);
    if (v.text === null) assert.equal(m.data, v.data);
    assert.equal(m.tpduLength, v.tpdu_length);
  });
}

interface InvalidVector {
  id: string;
  pdu: string;
  reason: string;
}

/** The error each invalid vector must get: the fixture's `reason` names the field that cannot be read. */
const REJECTED_AS: Readonly<Record<string, [code: string, field: string]>> = {
  'mm-pdu-insufficient-data': ['PDU_TOO_SHORT', 'TP-UD'],
  'mm-pdu-no-address': ['PDU_TOO_SHORT', 'TP-RA'],
  'mm-pdu-wrong-address-size': ['PDU_TOO_SHORT', 'TP-OA'],
  'mm-pdu-wrong-user-data-elements-size': ['BAD_UDH', 'UDHL'],
  'mm-pdu-wrong-udh': ['BAD_UDH', 'UDHL'],
  'pygsm-invalid-pdu-type': ['UNSUPPORTED_TYPE', 'TP-MTI'],
  'pygsm-invalid-data-1': ['BAD_HEX', 'hex'],
  'pygsm-invalid-data-2': ['BAD_HEX', 'hex'],
};

const invalidVectors = readFixtureJson<InvalidVector[]>('pdu/invalid.json');
test('invalid / every vector of invalid.json has its expected error', () => {
  assert.deepEqual(invalidVectors.map((v) => v.id).sort(), Object.keys(REJECTED_AS).sort());
});

for (const v of invalidVectors) {
  test(`invalid / ${v.id} → typed error`, () => {
    // Lenient mode is for short user data only (mm-pdu-insufficient-data, tested below); the rest
    // must be refused in both modes.
    const modes = v.id === 'mm-pdu-insufficient-data' ? [{}] : [{}, { lenient: true }];
    for (const options of modes) {
      const r = decodePdu(v.pdu, options);
      assert.equal(r.ok, false, JSON.stringify(options));
      if (r.ok) return;
      assert.deepEqual([r.error.code, r.error.field], REJECTED_AS[v.id]);
      assert.ok(r.error.reason.length > 0);
    }
  });
}

test('lenient mode decodes short user data with a warning', () => {
  const r = decodePdu(pdu('mm-pdu-insufficient-data'), { lenient: true });
  assert.ok(r.ok);
  assert.equal(r.value.warning, 'user data shorter than TP-UDL');
  assert.ok(r.value.kind === 'deliver' && r.value.text?.startsWith('hellohello'));
});

test('bare TPDU when told the SMSC length is 0', () => {
  // mm-pdu3 without its 8-octet SMSC field (07 91 …).
  const r = decodePdu(pdu('mm-pdu3').slice(16), { smsc: false });
  assert.ok(r.ok && r.value.kind === 'deliver');
  assert.equal(r.value.smsc, null);
  assert.equal(r.value.text, 'hellohello');
  assert.equal(r.value.tpduLength, 28);
});

interface OtherVector {
  id: string;
  pdu: string;
  type: 'submit' | 'status-report';
  smsc: string | null;
  number?: string;
  recipient?: string;
  mr?: number;
  text?: string | null;
  data?: string;
  udh?: { ref: number; total: number; seq: number } | null;
  scts?: string;
  discharge?: string;
  status?: number;
  vp_relative?: number;
  vp_absolute_iso?: string;
  warning?: string;
}

const other = readFixtureJson<OtherVector[]>('pdu/other_decode.json');
for (const v of other) {
  test(`other / ${v.id}`, () => {
    // pygsm-decode-other-4 announces more user data than it holds: strict decoding rejects it
    // (like invalid.json mm-pdu-insufficient-data); lenient decoding recovers the text.
    const strict = decodePdu(v.pdu);
    if (v.warning) {
      assert.equal(strict.ok, false);
      assert.ok(!strict.ok && ['PDU_TOO_SHORT', 'BAD_LENGTH'].includes(strict.error.code));
    }
    const r = v.warning ? decodePdu(v.pdu, { lenient: true }) : strict;
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const m: SmsPdu = r.value;
    assert.equal(m.kind, v.type);
    assert.equal(m.smsc?.text ?? null, v.smsc);
    if (m.kind === 'submit') {
      // Semi-octet 0xB is '#' (TS 23.040 §9.1.2.3); none of the submit vectors carry one.
      assert.equal(m.recipient.text, v.number);
      assert.equal(m.reference, v.mr);
      assert.equal(m.text, v.text);
      if (v.text === null) assert.equal(m.data, v.data);
      assert.deepEqual(m.concat ? { ref: m.concat.ref, total: m.concat.total, seq: m.concat.seq } : null, v.udh ?? null);
      if (v.vp_relative !== undefined) assert.deepEqual(m.validity?.kind === 'relative' && m.validity.raw, v.vp_relative);
      if (v.vp_absolute_iso !== undefined) assert.equal(m.validity?.kind === 'absolute' && m.validity.at.iso, v.vp_absolute_iso);
    } else if (m.kind === 'status-report') {
      // The ZTE vector's recipient holds a 0xB semi-octet, which is '#' per TS 23.040 §9.1.2.3
      // (the fixture's structural parser printed it as hex 'B').
      assert.equal(m.recipient.text, v.recipient?.replace('B', '#'));
      assert.equal(m.reference, v.mr);
      assert.equal(m.timestamp.iso, v.scts);
      assert.equal(m.discharge.iso, v.discharge);
      assert.equal(m.status, v.status);
    }
  });
}

test('submit / relative validity 169 = 3 days', () => {
  const r = decodePdu(pdu('pygsm-decode-other-1'));
  assert.ok(r.ok && r.value.kind === 'submit');
  assert.deepEqual(r.value.validity, { kind: 'relative', raw: 169, seconds: 259200 });
});

test('deliver / 7-bit / truncated before SCTS → PDU_TOO_SHORT on TP-SCTS', () => {
  // mm-pdu3 cut inside TP-SCTS.
  const r = decodePdu(pdu('mm-pdu3').slice(0, 46));
  assert.deepEqual(r.ok ? null : [r.error.code, r.error.field], ['PDU_TOO_SHORT', 'TP-SCTS']);
});

test('deliver / an originator longer than 20 semi-octets → BAD_LENGTH on TP-OA, even with the bytes there', () => {
  const r = decodePdu('0004' + '1591' + '21'.repeat(11) + '0000' + '11101021436500' + '00');
  assert.deepEqual(r.ok ? null : [r.error.code, r.error.field], ['BAD_LENGTH', 'TP-OA']);
  const twenty = decodePdu('0004' + '1491' + '21'.repeat(10) + '0000' + '11101021436500' + '00');
  assert.ok(twenty.ok && twenty.value.kind === 'deliver' && twenty.value.sender.text === '+' + '12'.repeat(10));
});

test('deliver / UDH IE overrunning its header → BAD_UDH', () => {
  // UDHI set, UCS2, UDL 8: UDHL 5 with IE 00 len 9.
  const r = decodePdu('00440B918100551512F200081110102143650008050009CD0201AAAA');
  assert.deepEqual(r.ok ? null : r.error.code, 'BAD_UDH');
});

test('deliver / unknown IE skipped, concat still found', () => {
  // UDHL 8: IE 0x24 (national single shift, len 1) + IE 00 concat; GSM-7 "Hi".
  // 9 header octets = 11 septets incl. 5 fill bits; "Hi" packed after the fill bits = 00 99 06.
  const r = decodePdu('00440B918100551512F20000111010214365000D' + '082401000003AB0302' + '009906');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.ok(r.value.kind === 'deliver');
  assert.deepEqual(r.value.concat, { ref: 0xab, total: 3, seq: 2, refBits: 8 });
  assert.equal(r.value.udh?.elements.length, 2);
  assert.equal(r.value.text, 'Hi');
});

test('hex / odd length → BAD_HEX; a lone SMSC length → PDU_TOO_SHORT', () => {
  const odd = decodePdu('079');
  assert.deepEqual(odd.ok ? null : odd.error.code, 'BAD_HEX');
  const short = decodePdu('0791');
  assert.deepEqual(short.ok ? null : [short.error.code, short.error.field], ['PDU_TOO_SHORT', 'SMSC']);
});
