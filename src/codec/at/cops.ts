/** `+COPS?` (current operator) and `+COPS=?` (network scan) replies (3GPP TS 27.007 §7.3). */
import { fail, ok, type Result } from '../result.ts';
import { GSM7_DEFAULT } from '../sms/gsm7.ts';
import { actName } from './creg.ts';
import { intField, splitFields, unquote } from './fields.ts';

export interface CurrentOperator {
  readonly mode: number | null;
  readonly format: number | null;
  /** Long/short alphanumeric name or numeric MCC+MNC, depending on `format`; `null` when absent. */
  readonly operator: string | null;
  readonly act: number | null;
  readonly actName: string;
}

/** Parses `+COPS: <mode>[,<format>,<oper>[,<AcT>]]`. */
export function parseCopsQuery(text: string): Result<CurrentOperator> {
  const m = /\+COPS:[ \t]*([^\r\n]*)/.exec(text);
  if (!m) return fail('NO_MATCH', 'no +COPS line', 'COPS');
  const f = splitFields(m[1]!);
  const mode = intField(f[0]);
  if (mode === null) return fail('BAD_VALUE', 'COPS mode is not a number', 'COPS');
  const act = intField(f[3]);
  return ok({ mode, format: intField(f[1]), operator: f[2] !== undefined ? unquote(f[2]) : null, act, actName: actName(act) });
}

export interface ScannedNetwork {
  readonly status: 'unknown' | 'available' | 'current' | 'forbidden';
  readonly long: string | null;
  readonly short: string | null;
  readonly code: string;
  readonly act: number;
  readonly actName: string;
}

const STATUS = ['unknown', 'available', 'current', 'forbidden'] as const;

/** Reads a string sent in the GSM character set (`AT+CSCS="GSM"`) byte by byte. */
function fromGsmCharset(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c < 128 ? GSM7_DEFAULT[c]! : ch;
  }
  return out;
}

/**
 * Parses the network list of `+COPS=?`: `(<stat>,"<long>","<short>","<numeric>"[,<AcT>])…`;
 * entries without the three quoted names (the trailing mode/format ranges) are skipped.
 * `charset: 'gsm'` reads names sent in the GSM character set (`@` is `¡`, …).
 */
export function parseCopsScan(text: string, options: { charset?: 'ira' | 'gsm' } = {}): readonly ScannedNetwork[] {
  const out: ScannedNetwork[] = [];
  const re = /\((\d+),\s*"([^"]*)",\s*"([^"]*)",\s*"([^"]*)"\)?(?:,\s*(\d+))?\)?/g;
  const conv = options.charset === 'gsm' ? fromGsmCharset : (s: string) => s;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const act = m[5] === undefined ? 0 : Number(m[5]);
    out.push({
      status: STATUS[Number(m[1])] ?? 'unknown',
      long: m[2] ? conv(m[2]) : null,
      short: m[3] ? conv(m[3]) : null,
      code: m[4]!,
      act,
      actName: actName(act),
    });
  }
  return out;
}
