/**
 * The one place where the channel meets the link framing of the codec (src/codec/link/body.ts,
 * device-link.md §2.1, §2.6): classic `{data}<step>#!#<command>`, SMART `{data}<command>`, where
 * a SMART command that asks for a reply (leading `.`) carries `:sign=n<step>` so its reply can be
 * matched to the step.
 */
import { buildCommandBody, buildIdleBody, buildSmartBody } from '../../codec/link/body.ts';

export type LinkMode = 'classic' | 'smart';

/** Body of a poll the panel holds (or rejects): empty. */
export const HOLD_BODY = '';

/** The `sign` tag that ties a SMART reply to a step. */
export function smartSign(step: number): string {
  return `n${step}`;
}

/** The step a SMART reply's `sign` belongs to, or null when the sign is not ours. */
export function stepOfSign(sign: string | null | undefined): number | null {
  const m = /^n(\d{1,10})$/.exec(sign ?? '');
  return m ? Number(m[1]) : null;
}

/** True when a SMART command asks the device for a reply (leading `.`, device-link.md §2.6). */
export function smartExpectsReply(text: string): boolean {
  return text.startsWith('.');
}

/** The body that releases `text` as `step`. */
export function frameCommand(mode: LinkMode, step: number, text: string): string {
  if (mode === 'classic') return buildCommandBody(step, text);
  const signed = smartExpectsReply(text) && !text.includes(':sign=') ? `${text}:sign=${smartSign(step)}` : text;
  return buildSmartBody(signed);
}

/** The body of an idle poll. */
export function frameIdle(mode: LinkMode): string {
  return mode === 'classic' ? buildIdleBody() : buildSmartBody(null);
}
