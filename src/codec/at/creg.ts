/**
 * `+CREG` / `+CGREG` / `+CEREG` registration state (3GPP TS 27.007 §7.2, §10.1.19, §10.1.22), in
 * both the query form (`<n>,<stat>[,<lac>,<ci>[,<AcT>]]`) and the unsolicited form
 * (`<stat>[,<lac>,<ci>[,<AcT>]]`). Vendor variants (leading zeros, unquoted hex, trailing junk)
 * are accepted; which form it is is told by the field count and shape, as ModemManager does.
 */
import { fail, ok, type Result } from '../result.ts';
import { hexField, intField, isQuoted, splitFields } from './fields.ts';

export type RegistrationState =
  | 'idle'
  | 'home'
  | 'searching'
  | 'denied'
  | 'unknown'
  | 'roaming'
  | 'home_sms_only'
  | 'roaming_sms_only'
  | 'emergency_only'
  | 'home_csfb_not_preferred'
  | 'roaming_csfb_not_preferred'
  | 'attached_rlos';

const STATES: readonly RegistrationState[] = [
  'idle', 'home', 'searching', 'denied', 'unknown', 'roaming', 'home_sms_only', 'roaming_sms_only',
  'emergency_only', 'home_csfb_not_preferred', 'roaming_csfb_not_preferred', 'attached_rlos',
];

const ACT = ['gsm', 'gsm_compact', 'umts', 'edge', 'hsdpa', 'hsupa', 'hspa', 'lte', 'ec_gsm_iot', 'nb_iot', 'nr5g_lte', 'nr5g', 'ng_ran', 'lte_nr5g'];

/** Access technology name for a 27.007 `<AcT>` value (`unknown` when absent or unlisted). */
export function actName(act: number | null): string {
  return act === null ? 'unknown' : (ACT[act] ?? 'unknown');
}

export interface Registration {
  readonly command: 'CREG' | 'CGREG' | 'CEREG';
  /** True for the query form (`<n>` present). */
  readonly solicited: boolean;
  readonly n: number | null;
  readonly stat: number;
  readonly state: RegistrationState | 'unknown';
  /** Registered to the home network or roaming (stat 1, 5, 6, 7, 9, 10). */
  readonly registered: boolean;
  readonly lac: number;
  readonly ci: number;
  readonly act: number | null;
  readonly actName: string;
}

const REGISTERED = new Set([1, 5, 6, 7, 9, 10]);

/**
 * Parses the first `+CREG:` / `+CGREG:` / `+CEREG:` line in `text`. `solicited` overrides the
 * form's flag when the caller knows how the line arrived (the layout is still told by shape).
 */
export function parseRegistration(text: string, options: { solicited?: boolean } = {}): Result<Registration> {
  const m = /\+C(G|E)?REG:[ \t]*([^\r\n]*)/.exec(text);
  if (!m) return fail('NO_MATCH', 'no +CREG/+CGREG/+CEREG line', 'CREG');
  const command = m[1] === 'G' ? 'CGREG' : m[1] === 'E' ? 'CEREG' : 'CREG';
  const f = splitFields(m[2]!);
  let solicited: boolean;
  let stat: number | null;
  let n: number | null = null;
  let lac = 0;
  let ci = 0;
  let act: number | null = null;
  if (f.length === 1) {
    solicited = false;
    stat = intField(f[0]);
  } else if (f.length === 2) {
    solicited = true;
    n = intField(f[0]);
    stat = intField(f[1]);
  } else if (f.length === 3) {
    solicited = false;
    stat = intField(f[0]);
    lac = hexField(f[1]);
    ci = hexField(f[2]);
  } else if (f.length === 4 && (isQuoted(f[1]!) || f[1]!.length > 3)) {
    solicited = false;
    stat = intField(f[0]);
    lac = hexField(f[1]);
    ci = hexField(f[2]);
    act = intField(f[3]);
  } else {
    solicited = f.length === 4 || intField(f[4]) !== null;
    n = intField(f[0]);
    stat = intField(f[1]);
    lac = hexField(f[2]);
    ci = hexField(f[3]);
    act = f.length === 5 ? intField(f[4]) : null;
  }
  if (stat === null || stat < 0) return fail('BAD_VALUE', `registration status '${m[2]}' is not a number`, command);
  return ok({
    command,
    solicited: options.solicited ?? solicited,
    n: solicited ? n : null,
    stat,
    state: STATES[stat] ?? 'unknown',
    registered: REGISTERED.has(stat),
    lac,
    ci,
    act,
    actName: actName(act),
  });
}
