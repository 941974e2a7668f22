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
  fc.array(fc.oneof(fc.constantFrom(...list), fc.string({ maxLength: 6 })), { maxLength }).map((a) => a.join(''));

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

const gsmish = fc.string({ unit: fc.constantFrom(...'abcXYZ 0123456789@£$¥èΔ_{}[]€\n'.split('')), maxLength: 200 });

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  target('pdu / random bytes (with SMSC, bare TPDU, lenient)', 50, () =>
      fc.property(fc.uint8Array({ maxLength: 180 }), (b) => {
        assertResult(decodePduBytes(b));
        assertResult(decodePduBytes(b, { smsc: false }));
        assertResult(decodePduBytes(b, { lenient: true }));
      }),
  ),
  target('pdu / valid SMS-DELIVER mutated (bytes flipped, truncated)', 10, () =>
      fc.property(
        fc.oneof(gsmish, fc.string({ unit: 'grapheme', maxLength: 60 })),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (text, concat, flips, cut) => {
          const e = encodeDeliver({ smsc: '+79139869993', sender: concat ? 'MTC' : '+79161234567', text: text.slice(0, 60), timestamp: 0, ...(concat ? { concat: { ref: 7, total: 2, seq: 1 } } : {}) });
          if (!e.ok) return;
          const bytes = Uint8Array.from(e.value.hex.match(/../g)!.map((h) => parseInt(h, 16)));
          for (const [i, v] of flips) bytes[i % bytes.length] = v;
          assertResult(decodePduBytes(bytes.subarray(0, cut % (bytes.length + 1))));
          assertResult(decodePduBytes(bytes, { lenient: true }));
        },
      ),
  ),
  target('pdu / hex-like text', 10, () => fc.property(fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFabcdefGZ \r\n'.split('')), maxLength: 120 }), (s) => assertResult(decodePdu(s))),
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
