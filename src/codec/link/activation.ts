/**
 * The `modem>activation` answer (device-link.md §3.3): `<code>;<f1>;<f2>`; the code uses the
 * +CREG stat values (1 home, 5 roaming, 3 denied, 2 searching, 0/4 not registered). SR-Nano reads
 * the operator from `f2`, SR-Organizer from `f1`.
 */
import { fail, ok, type Result } from '../result.ts';

export interface Activation {
  readonly code: number;
  readonly f1: string;
  readonly f2: string;
}

/** Parses `code;f1;f2` (missing fields are empty; `NULL` and non-numeric codes are errors). */
export function parseActivation(payload: string): Result<Activation> {
  const t = payload.trim();
  const parts = t.split(';');
  const code = parts[0] ?? '';
  if (!/^-?\d{1,3}$/.test(code)) return fail('BAD_ACTIVATION', `activation answer '${t.slice(0, 40)}' has no numeric code`, 'code', 0);
  return ok({ code: Number(code), f1: parts[1] ?? '', f2: parts.slice(2).join(';') });
}

/** Builds `code;f1;f2`. */
export function buildActivation(a: Activation): string {
  return `${a.code};${a.f1};${a.f2}`;
}
