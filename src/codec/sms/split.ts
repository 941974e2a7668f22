/**
 * Chooses the alphabet for an outgoing text and splits it into concatenated parts
 * (3GPP TS 23.040 §9.2.3.24.1): 160 septets / 70 UCS2 units in one part; 153 / 67 per part with an
 * 8-bit reference header (152 / 66 with a 16-bit one). An escape pair or a surrogate pair is never
 * split across parts.
 */
import { fail, ok, type Result } from '../result.ts';
import { gsm7CharSeptets, gsm7Length } from './gsm7.ts';

export type TextEncoding = 'auto' | 'gsm7' | 'ucs2';

export interface TextPlan {
  readonly alphabet: 'gsm7' | 'ucs2';
  /** The text of each part, in order (one element when no concatenation is needed). */
  readonly parts: readonly string[];
}

/** Most parts a concatenated message may have (the total is one octet). */
export const MAX_PARTS = 255;

/** Plans the parts of `text`; `gsm7` with a character outside GSM 7-bit is `NOT_GSM7`. */
export function planText(text: string, encoding: TextEncoding = 'auto', refBits: 8 | 16 = 8): Result<TextPlan> {
  const septets = gsm7Length(text);
  if (encoding === 'gsm7' && septets === null) return fail('NOT_GSM7', 'the text has characters outside the GSM 7-bit alphabet and its extension table', 'text');
  const alphabet = encoding === 'ucs2' || septets === null ? 'ucs2' : 'gsm7';
  const extra = refBits === 16 ? 1 : 0;
  let parts: string[];
  if (alphabet === 'gsm7') {
    parts = septets! <= 160 ? [text] : splitGsm7(text, 153 - extra);
  } else {
    parts = text.length <= 70 ? [text] : splitUcs2(text, 67 - extra);
  }
  if (parts.length > MAX_PARTS) return fail('TEXT_TOO_LONG', `the text needs ${parts.length} parts, at most ${MAX_PARTS} are possible`, 'text');
  return ok({ alphabet, parts });
}

function splitGsm7(text: string, limit: number): string[] {
  const parts: string[] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const n = gsm7CharSeptets(text[i]!);
    if (used + n > limit) {
      parts.push(text.slice(start, i));
      start = i;
      used = 0;
    }
    used += n;
  }
  parts.push(text.slice(start));
  return parts;
}

function splitUcs2(text: string, limit: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + limit);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}
