/**
 * SIM identity and status replies: `+CSPN?` (service provider name), `+ICCID` / `+CCID` /
 * `+CICCID` / `^ICCID` (card number, including the nibble-swapped form some modems print),
 * `+CPIN?` (lock state) and `+CSQ` (signal quality).
 */
import { fail, ok, type Result } from '../result.ts';
import { intField, splitFields, unquote } from './fields.ts';

export interface ServiceProvider {
  readonly spn: string;
  readonly displayMode: number | null;
}

/** Parses `+CSPN: "<spn>",<display mode>`. */
export function parseCspn(text: string): Result<ServiceProvider> {
  const m = /\+CSPN:[ \t]*([^\r\n]*)/.exec(text);
  if (!m) return fail('NO_MATCH', 'no +CSPN line', 'CSPN');
  const f = splitFields(m[1]!);
  return ok({ spn: unquote(f[0] ?? ''), displayMode: intField(f[1]) });
}

/**
 * Normalises an ICCID value: quotes removed, nibble-swapped values (starting `98`) swapped back,
 * a trailing `F` filler dropped; the result must be 19–20 characters, digits with hex digits
 * allowed after the issuer prefix, and start with the telecom MII `89` (ITU-T E.118).
 */
export function normaliseIccid(value: string): Result<string> {
  let v = unquote(value.trim()).toUpperCase();
  if (!/^[0-9A-F]+$/.test(v)) return fail('BAD_ICCID', 'the ICCID has characters that are not digits', 'ICCID');
  if (v.length < 19 || v.length > 20) return fail('BAD_ICCID', `the ICCID has ${v.length} characters (19 or 20 expected)`, 'ICCID');
  if (v.startsWith('98')) {
    let s = '';
    for (let i = 0; i + 1 < v.length; i += 2) s += v[i + 1]! + v[i]!;
    if (v.length % 2 === 1) s += v[v.length - 1]!;
    v = s;
  }
  if (v.endsWith('F')) v = v.slice(0, -1);
  if (!v.startsWith('89')) return fail('BAD_ICCID', 'the ICCID does not start with the telecom prefix 89', 'ICCID');
  if (!/^\d{6}/.test(v)) return fail('BAD_ICCID', 'the ICCID issuer prefix is not decimal', 'ICCID');
  return ok(v);
}

/** Finds the ICCID in a reply (`+ICCID:`, `+CCID:`, `+CICCID:`, `^ICCID:` or a bare value line). */
export function parseIccid(text: string): Result<string> {
  const m = /(?:\+ICCID|\+CCID|\+CICCID|\^ICCID|\$ICCID)\s*:\s*("?[0-9A-Fa-f]+"?)/.exec(text);
  if (m) return normaliseIccid(m[1]!);
  for (const line of text.split(/[\r\n]+/)) {
    const t = line.trim();
    if (/^"?[0-9A-Fa-f]{19,20}"?$/.test(t)) return normaliseIccid(t);
  }
  return fail('NO_MATCH', 'no ICCID in the reply', 'ICCID');
}

/** `+CPIN:` lock state as a lower-case token: `ready`, `sim-pin`, `sim-puk`, `ph-net-pin`, `not-ready`, … */
export function parseCpin(text: string): Result<string> {
  const m = /(?:\+CPIN:)?[ \t]*"?([A-Z][A-Z0-9 -]*[A-Z0-9])"?/.exec(text.trim());
  if (!m || /^\+CME ERROR/.test(text.trim())) return fail('NO_MATCH', 'no +CPIN state', 'CPIN');
  return ok(m[1]!.trim().toLowerCase().replace(/\s+/g, '-'));
}

export interface SignalQuality {
  /** 0–31, 99 = unknown. */
  readonly rssi: number;
  readonly ber: number | null;
  /** dBm (−113 … −51), `null` when unknown. */
  readonly dbm: number | null;
}

/** Parses `+CSQ: <rssi>,<ber>`. */
export function parseCsq(text: string): Result<SignalQuality> {
  const m = /\+CSQ:[ \t]*(\d+)[ \t]*,[ \t]*(\d+)/.exec(text);
  if (!m) return fail('NO_MATCH', 'no +CSQ line', 'CSQ');
  const rssi = Number(m[1]);
  const ber = Number(m[2]);
  return ok({ rssi, ber: ber === 99 ? null : ber, dbm: rssi === 99 || rssi > 31 ? null : -113 + 2 * rssi });
}
