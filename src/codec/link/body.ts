/**
 * The panel's answer body (device-link.md §2.1): `{data}<step>#!#<command>`, `{data}0#!#REQUEST`
 * when nothing is queued, `{data}<command>` for SMART devices. The device-side parser is what the
 * simulator uses.
 */
import { fail, ok, type Result } from '../result.ts';
import { IDLE } from './request.ts';

/** The literal prefix that tells the firmware the body is valid. */
export const BODY_PREFIX = '{data}';
export const STEP_SEPARATOR = '#!#';

/** `{data}<step>#!#<command>`. */
export function buildCommandBody(step: number, command: string): string {
  return `${BODY_PREFIX}${step}${STEP_SEPARATOR}${command}`;
}

/** `{data}0#!#REQUEST`: nothing queued. */
export function buildIdleBody(): string {
  return `${BODY_PREFIX}0${STEP_SEPARATOR}${IDLE}`;
}

/** SMART body: `{data}<command>` (`{data}REQUEST` when idle). */
export function buildSmartBody(command: string | null): string {
  return BODY_PREFIX + (command ?? IDLE);
}

export type ClassicBody =
  | { readonly kind: 'command'; readonly step: number; readonly command: string }
  | { readonly kind: 'idle' }
  /** Empty body: the panel rejected the token or is holding (device-link.md §2.1). */
  | { readonly kind: 'empty' };

/**
 * Parses a classic body on the device side: `{data}` prefix required, the step split at the first
 * `#!#`, the rest is the command verbatim (it may itself contain `#!#`).
 */
export function parseClassicBody(body: string): Result<ClassicBody> {
  if (body === '') return ok({ kind: 'empty' });
  if (!body.startsWith(BODY_PREFIX)) return fail('NO_PREFIX', `the body does not start with ${BODY_PREFIX}`, 'body', 0);
  return parseClassicFrame(body.slice(BODY_PREFIX.length));
}

/** Parses `<step>#!#<command>` (a body without its prefix, as the legacy logs print it). */
export function parseClassicFrame(frame: string): Result<ClassicBody> {
  const at = frame.indexOf(STEP_SEPARATOR);
  if (at < 0) return fail('NO_STEP', `no ${STEP_SEPARATOR} after the step`, 'step');
  const stepText = frame.slice(0, at);
  if (!/^\d{1,10}$/.test(stepText)) return fail('BAD_STEP', 'the step is not a decimal number', 'step', 0);
  const step = Number(stepText);
  const command = frame.slice(at + STEP_SEPARATOR.length);
  if (step === 0 && command === IDLE) return ok({ kind: 'idle' });
  if (step === 0) return fail('BAD_STEP', 'step 0 carries no command', 'step', 0);
  if (command === '') return fail('EMPTY_COMMAND', 'the command is empty', 'command', at + STEP_SEPARATOR.length);
  return ok({ kind: 'command', step, command });
}

export type SmartBody = { readonly kind: 'command'; readonly command: string } | { readonly kind: 'idle' } | { readonly kind: 'empty' };

/** Parses a SMART body on the device side. */
export function parseSmartBody(body: string): Result<SmartBody> {
  if (body === '') return ok({ kind: 'empty' });
  if (!body.startsWith(BODY_PREFIX)) return fail('NO_PREFIX', `the body does not start with ${BODY_PREFIX}`, 'body', 0);
  const command = body.slice(BODY_PREFIX.length);
  if (command === IDLE) return ok({ kind: 'idle' });
  if (command === '') return fail('EMPTY_COMMAND', 'the command is empty', 'command', BODY_PREFIX.length);
  return ok({ kind: 'command', command });
}
