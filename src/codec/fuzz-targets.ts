/**
 * Fuzz targets shared by the test suite (`fuzz.test.ts`, a bounded run) and
 * `scripts/fuzz-codec.ts` (a long run): every decoder gets hostile input and must return — a
 * `Result` with exactly one of value / error, or its documented tolerant value — and never throw.
 */
import fc from 'fast-check';
import { decodePdu, decodePduBytes } from './sms/decode.ts';
import { encodeDeliver } from './sms/encode-deliver.ts';
import { parseLinkRequest } from './link/request.ts';
import { parseClassicBody, parseSmartBody } from './link/body.ts';
import { parsePackAnswer } from './link/pack-answer.ts';
import { parseSmsAnswer } from './link/sms-answer.ts';
import { parseActivation } from './link/activation.ts';
import { parseSmartCommand, parseSmartPayload } from './link/smart.ts';
import { parseModemOutput } from './at/lines.ts';
import { parseRegistration } from './at/creg.ts';
import { parseCopsQuery, parseCopsScan } from './at/cops.ts';
import { parseCpin, parseCsq, parseCspn, parseIccid } from './at/sim-info.ts';
import { parseCusdAll } from './at/cusd.ts';
import { parseUrcs } from './at/urc.ts';
import { parseCmgl, parseCmgr, parseCmgs } from './at/sms-replies.ts';
import { extractCode } from './code-extract.ts';

/** Throws (making the property fail) unless `r` is a well-formed Result. */
export function assertResult(r: unknown): void {
  if (typeof r !== 'object' || r === null) throw new Error('not a Result');
  const o = r as Record<string, unknown>;
  if (o['ok'] === true) {
    if (!('value' in o) || 'error' in o) throw new Error('ok Result must carry value only');
  } else if (o['ok'] === false) {
    const e = o['error'] as Record<string, unknown> | undefined;
    if ('value' in o || !e || typeof e['code'] !== 'string' || typeof e['reason'] !== 'string') throw new Error('failed Result must carry a typed error only');
  } else throw new Error('Result without ok flag');
}

export interface FuzzTarget {
  readonly name: string;
  /** Share of the suite's runs (the test multiplies by its budget). */
  readonly weight: number;
  /** Runs the property (`fc.assert`, which throws with a counterexample on failure). */
  readonly run: (params: { readonly numRuns: number; readonly seed?: number }) => void;
}

function target<Ts extends [unknown, ...unknown[]]>(name: string, weight: number, property: () => fc.IRawProperty<Ts>): FuzzTarget {
  return { name, weight, run: (params) => fc.assert(property(), params) };
}

const tokens = (list: readonly string[], maxLength = 40) =>
  fc.array(fc.oneof(fc.constantFrom(...list), fc.string({ maxLength: 6 })), { maxLength, size: 'max' }).map((a) => a.join(''));

const atText = tokens([
  '+CREG: ', '+CGREG: ', '+CEREG:', '+COPS: ', '+CUSD: ', '+CMGL: ', '+CMGR: ', '+CMGS: ', '+CMTI: "SM",', '+CLIP: "',
  '+ICCID: ', '+CPIN: ', '+CSQ: ', '+CSPN: "', '+CME ERROR: ', '+CMS ERROR: ', 'RING', 'NO CARRIER', 'HANGUP: ',
  '+WIND: ', '(2,"a","b","25001",7)', '"', ',', '0', '1', '5', '99', '\r\n', '\r', '\n', 'OK', 'ERROR', 'AT', '1:', '2:',
  '0791', '89701010068650504170', '98', 'F', '04170430', '"REC UNREAD"', '13/01/28,14:51:42+08', ' ',
]);

const linkText = tokens(['##', '#1#', '#3#', 'E', '1', '2', ' 3,0,"",79', '\r\n', '\r\n\r\n##', '07919731899699F3', 'AT+CREG?\r\r\r\n', '+CPIN: NOT READY', ';', 'NULL', 'Error', '{data}', '#!#', 'REQUEST', '&&']);

const jsonish = fc.oneof(
  fc.json(),
  fc.dictionary(fc.constantFrom('result', 'type', 'dev', 'event', 'sign', 'card', 'iccid'), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.constant('state'), fc.constant('modem2'))).map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 40 }),
);

const gsmish = fc.string({ unit: fc.constantFrom(...'abcXYZ 0123456789@£$¥èΔ_{}[]€\n'.split('')), maxLength: 200, size: 'max' });

// fast-check's default size ('small') keeps arrays to about ten elements whatever maxLength says;
// PDUs are up to 176 octets, so every byte arbitrary here asks for the whole range ('max').
const octet = fc.integer({ min: 0, max: 255 });
const bytes = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength, size: 'max' }).map((b) => Array.from(b));

/** An address field: length in semi-octets, TOA (often alphanumeric or international), digits — sometimes lying about its length. */
const address = fc
  .tuple(fc.integer({ min: 0, max: 22 }), fc.oneof(fc.constantFrom(0x81, 0x91, 0xa1, 0xd0, 0xc8), octet), fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }), octet)
  .chain(([len, toa, honest, claimed]) => bytes(11).map((d) => [honest ? Math.min(len, d.length * 2) : claimed, toa, ...d.slice(0, honest ? (Math.min(len, d.length * 2) + 1) >> 1 : d.length)]));

/** Information elements: concatenation (8/16-bit), national shift tables, others; lengths honest or not. */
const udhElement = fc
  .tuple(fc.oneof(fc.constantFrom(0x00, 0x08, 0x24, 0x25, 0x0a, 0x70), octet), fc.boolean(), octet, fc.oneof(bytes(3, 3), bytes(4, 4), bytes(8)))
  .map(([iei, honest, len, data]) => [iei, honest ? data.length : len, ...data]);
const udh = fc.tuple(fc.array(udhElement, { maxLength: 4, size: 'max' }), fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }), octet).map(([ies, honest, udhl]) => {
  const body = ies.flat();
  return [honest ? body.length : udhl, ...body];
});

/**
 * A PDU-shaped byte sequence: SMSC field, a first octet of any type, the header fields that type
 * has, TP-UDL (right for the payload, or any octet) and user data with or without a header. Random
 * bytes rarely get past the SMSC length; these reach the address, DCS, UDH and septet code.
 */
const pduShaped = fc
  .record({
    smsc: fc.oneof({ arbitrary: fc.constant([0]), weight: 3 }, { arbitrary: bytes(11, 1).map((d) => [d.length + 1, 0x91, ...d]), weight: 3 }, { arbitrary: bytes(3), weight: 1 }),
    fo: fc.oneof(fc.constantFrom(0x00, 0x04, 0x40, 0x44, 0x24, 0x01, 0x11, 0x41, 0x51, 0x19, 0x59, 0x09, 0x61, 0x02, 0x06, 0x03), octet),
    addr: address,
    mr: octet,
    pid: octet,
    dcs: fc.oneof(fc.constantFrom(0x00, 0x04, 0x08, 0x10, 0x11, 0x18, 0x24, 0x28, 0xc0, 0xd8, 0xe0, 0xf0, 0xf4, 0xf6), octet),
    times: bytes(14, 14),
    udh,
    body: bytes(170),
    udl: fc.oneof(fc.constantFrom('octets', 'septets'), octet),
  })
  .map((r) => {
    const udhi = (r.fo & 0x40) !== 0;
    const ud = udhi ? [...r.udh, ...r.body] : r.body;
    const udl = r.udl === 'octets' ? ud.length : r.udl === 'septets' ? Math.floor((ud.length * 8) / 7) : r.udl;
    const type = r.fo & 3;
    let head: number[];
    if (type === 0) head = [...r.addr, r.pid, r.dcs, ...r.times.slice(0, 7)];
    else if (type === 1) {
      const vpf = (r.fo >> 3) & 3;
      head = [r.mr, ...r.addr, r.pid, r.dcs, ...r.times.slice(0, vpf === 0 ? 0 : vpf === 2 ? 1 : 7)];
    } else head = [r.mr, ...r.addr, ...r.times, r.pid];
    return Uint8Array.from([...r.smsc, r.fo, ...head, udl & 0xff, ...ud].slice(0, 400));
  });

/** What every decode of hostile bytes must satisfy: a well-formed Result, and text xor data for messages. */
function checkDecode(b: Uint8Array, options?: { smsc?: boolean; lenient?: boolean }): void {
  const r = decodePduBytes(b, options);
  assertResult(r);
  if (r.ok && r.value.kind !== 'status-report' && (r.value.text === null) === (r.value.data === null)) throw new Error('a message must carry text or data');
}

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  target('pdu / random bytes (with SMSC, bare TPDU, lenient)', 40, () =>
      fc.property(fc.uint8Array({ maxLength: 180, size: 'max' }), (b) => {
        checkDecode(b);
        checkDecode(b, { smsc: false });
        checkDecode(b, { lenient: true });
      }),
  ),
  target('pdu / PDU-shaped bytes (every type, UDH, lying lengths), whole and truncated', 50, () =>
      fc.property(pduShaped, fc.nat(), (b, cut) => {
        checkDecode(b);
        checkDecode(b, { lenient: true });
        checkDecode(b.subarray(1), { smsc: false });
        checkDecode(b.subarray(0, cut % (b.length + 1)));
      }),
  ),
  target('pdu / valid SMS-DELIVER mutated (bytes flipped, truncated)', 10, () =>
      fc.property(
        fc.oneof(gsmish, fc.string({ unit: 'grapheme', maxLength: 60, size: 'max' })),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (text, concat, flips, cut) => {
          const e = encodeDeliver({ smsc: '+79139869993', sender: concat ? 'MTC' : '+79161234567', text: text.slice(0, 60), timestamp: 0, ...(concat ? { concat: { ref: 7, total: 2, seq: 1 } } : {}) });
          if (!e.ok) return;
          const bytes = Uint8Array.from(e.value.hex.match(/../g)!.map((h) => parseInt(h, 16)));
          for (const [i, v] of flips) bytes[i % bytes.length] = v;
          checkDecode(bytes.subarray(0, cut % (bytes.length + 1)));
          checkDecode(bytes, { lenient: true });
        },
      ),
  ),
  target('pdu / hex-like text', 10, () => fc.property(fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFabcdefGZ \r\n'.split('')), maxLength: 360, size: 'max' }), (s) => assertResult(decodePdu(s))),
  ),
  target('link / requests and bodies', 10, () =>
      fc.property(
        fc.record({ token: fc.oneof(fc.string({ maxLength: 12 }), fc.constant('1234567890')), step: fc.option(fc.oneof(fc.string({ maxLength: 12 }), fc.nat().map(String))), data: fc.oneof(linkText, jsonish) }, { requiredKeys: [] }),
        linkText,
        (q, body) => {
          const query: Record<string, unknown> = { ...q };
          assertResult(parseLinkRequest(query));
          assertResult(parseClassicBody(body));
          assertResult(parseSmartBody(body));
        },
      ),
  ),
  target('link / composite answers', 10, () =>
      fc.property(linkText, (s) => {
        const a = parseSmsAnswer(s);
        if (!['empty', 'device-error', 'sections'].includes(a.kind)) throw new Error('bad sms answer kind');
        parsePackAnswer(s);
        assertResult(parseActivation(s));
      }),
  ),
  target('at / modem replies', 15, () =>
      fc.property(atText, (s) => {
        parseModemOutput(s);
        assertResult(parseRegistration(s));
        assertResult(parseCopsQuery(s));
        parseCopsScan(s, { charset: 'gsm' });
        assertResult(parseCspn(s));
        assertResult(parseIccid(s));
        assertResult(parseCpin(s));
        assertResult(parseCsq(s));
        parseCusdAll(s);
        parseUrcs(s);
        parseCmgl(s);
        assertResult(parseCmgr(s));
        assertResult(parseCmgs(s));
      }),
  ),
  target('smart / payloads and commands', 5, () =>
      fc.property(jsonish, (s) => {
        parseSmartPayload(s);
        parseSmartCommand(s);
      }),
  ),
  target('code extraction / any text', 5, () =>
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), tokens(['Код ', 'code ', '1234', '12-34', '21.10.2022', '12:30', ' руб', '*1234', '+7 916 ', ' ', '.', ','])), fc.integer({ min: -1, max: 22 }), (s, n) => {
        const c = extractCode(s, n);
        if (c !== null && !new RegExp(`^\\d{${n}}$`).test(c)) throw new Error(`code ${c} is not ${n} digits`);
      }),
  ),
];
