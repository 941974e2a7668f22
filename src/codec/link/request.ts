/**
 * The device's poll (device-link.md §2.1, §2.6): `GET link.php?token=<t>&step=<n>&data=<payload>`.
 * Without a `step` parameter (or with an empty one) the device speaks the SMART/JSON protocol.
 */
import { fail, ok, type Result } from '../result.ts';
import { parseSmartPayload, type SmartMessage } from './smart.ts';

/** Literal payload of an idle poll. */
export const IDLE = 'REQUEST';

/** Largest step the firmware accepts (device-link.md §2.2). */
export const MAX_STEP = 4_294_967_295;

export type LinkRequest =
  | {
      readonly kind: 'classic';
      readonly token: string;
      /** Step the payload answers; 0 = unsolicited / nothing pending. */
      readonly step: number;
      /** Decoded payload (newlines kept). */
      readonly data: string;
      /** True for the idle poll `REQUEST`. */
      readonly idle: boolean;
    }
  | {
      readonly kind: 'smart';
      readonly token: string;
      readonly data: string;
      readonly message: SmartMessage;
    };

/** Query parameters as a framework hands them over (repeated keys: the first value counts). */
export type QueryInput = URLSearchParams | string | Readonly<Record<string, unknown>>;

const TOKEN = /^[A-Za-z0-9._~-]{1,128}$/;
const STEP = /^\d{1,10}$/;

function param(q: QueryInput, name: string): string | undefined {
  if (typeof q === 'string') return new URLSearchParams(q.startsWith('?') ? q.slice(1) : q).get(name) ?? undefined;
  if (q instanceof URLSearchParams) return q.get(name) ?? undefined;
  const v = q[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Parses one poll. The token is checked for shape only (1–128 URL-safe characters; real devices
 * send 10 digits); whether it is known is the caller's business.
 */
export function parseLinkRequest(query: QueryInput): Result<LinkRequest> {
  const token = param(query, 'token');
  if (token === undefined || token === '') return fail('NO_TOKEN', 'the poll has no token', 'token');
  if (!TOKEN.test(token)) return fail('BAD_TOKEN', 'the token has characters or a length a device never sends', 'token');
  const data = param(query, 'data') ?? '';
  const stepText = param(query, 'step');
  if (stepText === undefined || stepText === '') {
    return ok({ kind: 'smart', token, data, message: parseSmartPayload(data) });
  }
  if (!STEP.test(stepText)) return fail('BAD_STEP', 'the step is not a decimal number', 'step');
  const step = Number(stepText);
  if (step > MAX_STEP) return fail('BAD_STEP', `the step exceeds ${MAX_STEP}`, 'step');
  return ok({ kind: 'classic', token, step, data, idle: data === IDLE });
}

/** The query string a classic device sends (`token=…&step=…&data=…`, data URL-encoded). */
export function buildClassicQuery(token: string, step: number, data: string): string {
  return `token=${encodeURIComponent(token)}&step=${step}&data=${encodeURIComponent(data)}`;
}

/** The query string a SMART device sends (no step). */
export function buildSmartQuery(token: string, data: string): string {
  return `token=${encodeURIComponent(token)}&data=${encodeURIComponent(data)}`;
}
