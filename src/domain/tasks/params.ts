/**
 * Task kinds and their parameters as the admin API takes them (issue #5 item 6, device-link.md
 * §6.5): hostile input in, a checked value or a readable refusal out. One place per rule, so the
 * API, the console and the runner agree on what a `send_sms` or `test_call` task carries.
 *
 * | API kind | queue kind | params |
 * |---|---|---|
 * | `scan_number` | `scan_numbers` | none |
 * | `check_balance`, `read_iccid`, `pull_sms` | same | none |
 * | `send_sms` | same | `recipients` (phone numbers), `text`, `perSim` (recipients per SIM before the next SIM takes over) |
 * | `test_call` | same | `number` to dial, `seconds` to hold the call (default 15) |
 */

export const TASK_KINDS = ['scan_number', 'check_balance', 'read_iccid', 'pull_sms', 'send_sms', 'test_call'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** API kind → the kind stored in `tasks.kind` (the number scan kept its first name). */
export const QUEUE_KIND: Readonly<Record<TaskKind, string>> = Object.freeze({
  scan_number: 'scan_numbers', check_balance: 'check_balance', read_iccid: 'read_iccid', pull_sms: 'pull_sms', send_sms: 'send_sms', test_call: 'test_call',
});

/** Stored kind → API kind. */
export function apiKind(queueKind: string): string {
  for (const [api, q] of Object.entries(QUEUE_KIND)) if (q === queueKind) return api;
  return queueKind;
}

export function isTaskKind(k: string): k is TaskKind {
  return (TASK_KINDS as readonly string[]).includes(k);
}

export const MAX_RECIPIENTS = 1000;
export const MAX_SMS_TEXT = 1000;
export const MAX_PER_SIM = 100;
export const DEFAULT_CALL_SECONDS = 15;

export interface SendSmsParams { readonly recipients: readonly string[]; readonly text: string; readonly perSim: number }
export interface TestCallParams { readonly number: string; readonly seconds: number }
export type TaskParams = Readonly<Record<string, never>> | SendSmsParams | TestCallParams;

export type ParamsOutcome = { ok: true; value: TaskParams } | { ok: false; message: string };

const bad = (message: string): ParamsOutcome => ({ ok: false, message });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A phone number as the firmware sends to it: `+` and 3–15 digits (spaces, dashes, brackets dropped), or null. */
export function phoneNumber(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 40) return null;
  const d = raw.replace(/[\s()-]/g, '').replace(/^\+/, '');
  return /^\d{3,15}$/.test(d) ? `+${d}` : null;
}

/** Checks `params` for `kind`; unknown fields are refused (a typo must not silently do something else). */
export function checkTaskParams(kind: TaskKind, params: unknown): ParamsOutcome {
  const p = params === undefined ? {} : params;
  if (!isObject(p)) return bad('params must be an object');
  const allowed: Readonly<Record<TaskKind, readonly string[]>> = {
    scan_number: [], check_balance: [], read_iccid: [], pull_sms: [], send_sms: ['recipients', 'text', 'perSim'], test_call: ['number', 'seconds'],
  };
  const extra = Object.keys(p).filter((k) => !allowed[kind].includes(k));
  if (extra.length) return bad(`${kind} takes no parameter ${extra.slice(0, 3).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`);
  if (kind === 'send_sms') return sendSmsParams(p);
  if (kind === 'test_call') return testCallParams(p);
  return { ok: true, value: {} };
}

function sendSmsParams(p: Record<string, unknown>): ParamsOutcome {
  const r = p['recipients'];
  if (!Array.isArray(r) || r.length === 0 || r.length > MAX_RECIPIENTS) return bad(`recipients: a list of 1–${MAX_RECIPIENTS} phone numbers`);
  const recipients: string[] = [];
  for (const [i, raw] of r.entries()) {
    const n = phoneNumber(raw);
    if (!n) return bad(`recipients[${i}] is not a phone number (+ and 3–15 digits)`);
    recipients.push(n);
  }
  const text = p['text'];
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_SMS_TEXT) return bad(`text: 1–${MAX_SMS_TEXT} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) return bad('text: no control characters but line breaks');
  const perSim = p['perSim'] ?? 1;
  if (typeof perSim !== 'number' || !Number.isInteger(perSim) || perSim < 1 || perSim > MAX_PER_SIM) return bad(`perSim: a whole number 1–${MAX_PER_SIM}`);
  return { ok: true, value: { recipients, text, perSim } };
}

function testCallParams(p: Record<string, unknown>): ParamsOutcome {
  const number = phoneNumber(p['number']);
  if (!number) return bad('number: the phone number to dial (+ and 3–15 digits)');
  const seconds = p['seconds'] ?? DEFAULT_CALL_SECONDS;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 5 || seconds > 120) return bad('seconds: a whole number 5–120');
  return { ok: true, value: { number, seconds } };
}

/**
 * The units of a task over `places` (slot order): one per SIM, except `send_sms`, which rotates
 * SIMs — each SIM takes the next `perSim` recipients, and only as many SIMs as the list needs.
 * Refused when there are more recipients than the SIMs can take.
 */
export function unitsFor(kind: TaskKind, places: readonly string[], params: TaskParams): { ok: true; value: Array<{ place: string } & Record<string, unknown>> } | { ok: false; message: string } {
  if (kind !== 'send_sms') return { ok: true, value: places.map((place) => ({ place })) };
  const { recipients, perSim } = params as SendSmsParams;
  const need = Math.ceil(recipients.length / perSim);
  if (need > places.length) return { ok: false, message: `${recipients.length} recipients at ${perSim} per SIM need ${need} SIMs; ${places.length} chosen` };
  return { ok: true, value: places.slice(0, need).map((place, i) => ({ place, recipients: recipients.slice(i * perSim, (i + 1) * perSim) })) };
}
