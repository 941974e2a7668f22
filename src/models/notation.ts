/**
 * Small pure helpers for the place notations of device-link.md §4.1: letter + number (`A5`,
 * `A005`, `C12`, `B3`), bare letter (`C`), number pair (`4-7`, `2-5`). Parsers are forgiving about
 * case, blanks and leading zeros, and never throw.
 */
import type { PlaceError } from './types.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `A` → 0, `b` → 1; -1 for anything else. */
export function letterIndex(ch: string): number {
  return ch.length === 1 ? LETTERS.indexOf(ch.toUpperCase()) : -1;
}

/** 0 → `A`; indexes past `Z` have no letter (empty string). */
export function letterOf(index: number): string {
  return LETTERS[index] ?? '';
}

/** Longest input we look at: places are short, anything longer is refused without a regex scan. */
const MAX_INPUT = 24;

/** `A5`, ` a005 ` → `{ letter: 0, number: 5 }`; null when not that shape. */
export function splitLetterNumber(text: string): { letter: number; number: number } | null {
  if (text.length > MAX_INPUT) return null;
  const m = /^\s*([A-Za-z])\s*(\d{1,6})\s*$/.exec(text);
  if (!m) return null;
  return { letter: letterIndex(m[1]!), number: Number(m[2]) };
}

/** `C`, ` c ` → 2; null when not a single letter. */
export function splitLetter(text: string): number | null {
  if (text.length > MAX_INPUT) return null;
  const m = /^\s*([A-Za-z])\s*$/.exec(text);
  return m ? letterIndex(m[1]!) : null;
}

/** `4-7`, `04 - 07` → `{ a: 4, b: 7 }`; null when not that shape. */
export function splitNumberPair(text: string): { a: number; b: number } | null {
  if (text.length > MAX_INPUT) return null;
  const m = /^\s*(\d{1,6})\s*-\s*(\d{1,6})\s*$/.exec(text);
  return m ? { a: Number(m[1]), b: Number(m[2]) } : null;
}

/** Builds the typed refusal for a place text (the input is cut: it may be hostile and huge). */
export function placeError(code: PlaceError['code'], model: string, input: string): { ok: false; error: PlaceError } {
  return { ok: false, error: { code, model, input: String(input).slice(0, 40) } };
}

/** Integers lo…hi inclusive, ascending (empty when hi < lo). */
export function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}
