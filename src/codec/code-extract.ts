/**
 * Confirmation-code extraction for the pool API's `code=N` (spec/api.md §4), in this order:
 * 1. a maximal run of exactly N digits;
 * 2. N digits written in groups split by single spaces or hyphens (`123-456`, `123 456`), joined;
 * 3. the first N digits of the first longer run.
 * Runs that sit inside a date, a time, an amount, a card mask or a phone number are not candidates
 * (the hazard the spec warns about); when several runs qualify, one right after a word such as
 * "код" / "code" / "пароль" / "password" wins, else the first.
 */

// Patterns that open with an unbounded run (`\d+`, `[*•]+`, `\.{2,}`) start only where that run
// starts: a match from inside a run is always also found from its start, and trying every inner
// position made a 40 000-digit text (a hostile 255-part SMS) take seconds.
const HAZARDS: readonly RegExp[] = [
  /\d{1,4}[./-]\d{1,2}[./-]\d{1,4}/g, // dates 21.10.2022, 2024-05-01, 01/07/2013
  /\d{1,2}:\d{2}(?::\d{2})?/g, // times 16:15, 16:15:30
  /(?<!\d)\d+(?:[ \u00a0]\d{3})*[.,]\d{1,2}(?!\d)/g, // decimal amounts 1500.00, 4 520,30
  /(?<!\d)\d+(?:[ \u00a0]\d{3})*[ \u00a0]?(?:руб(?:\.|лей|ля|ль)?|р\.|₽|rub|usd|eur|грн|тг|сум|\$|€|£)/giu, // 2500 руб
  /(?:\$|€|£|₽|rub|usd|eur)[ \u00a0]?\d+(?:[ ,.]\d+)*/giu, // $100, RUB 1 000
  /(?:(?<![*•])[*•]+|(?<!\.)\.{2,})\d{4}/g, // card masks *1234, ••1234, ...1234
  /(?:карт[аыуе]?|card|сч[её]т[ау]?|account|acct)[ :№#]*[*•x.]*\d{4}/giu, // card 1234
  /\+\d[\d ()-]{7,}\d/g, // phone numbers +7 916 123-45-67
];

const KEYWORD = /(?:код|code|пароль|password|passcode|pin|otp|kod)[^\d\n]{0,25}$/iu;

interface Run {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
}

function hazardMask(text: string): Uint8Array {
  const mask = new Uint8Array(text.length);
  for (const re of HAZARDS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      mask.fill(1, m.index, m.index + m[0].length);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return mask;
}

function touchesHazard(mask: Uint8Array, r: Run): boolean {
  for (let i = r.start; i < r.end; i++) if (mask[i]) return true;
  return false;
}

function pick(text: string, runs: readonly Run[]): Run | undefined {
  return runs.find((r) => KEYWORD.test(text.slice(Math.max(0, r.start - 40), r.start))) ?? runs[0];
}

/** The code of length `n` (1–20) in `text`, or `null` when there is none. */
export function extractCode(text: string, n: number): string | null {
  if (!Number.isInteger(n) || n < 1 || n > 20 || text.length === 0) return null;
  const mask = hazardMask(text);
  const runs: Run[] = [];
  for (const m of text.matchAll(/\d+/g)) runs.push({ start: m.index, end: m.index + m[0].length, digits: m[0] });
  const safe = runs.filter((r) => !touchesHazard(mask, r));

  const exact = pick(text, safe.filter((r) => r.digits.length === n));
  if (exact) return exact.digits;

  const groups: Run[] = [];
  for (const m of text.matchAll(/(?<!\d)\d+(?:[ -]\d+)+/g)) {
    const r = { start: m.index, end: m.index + m[0].length, digits: m[0].replace(/[ -]/g, '') };
    if (r.digits.length === n && !touchesHazard(mask, r)) groups.push(r);
  }
  const grouped = pick(text, groups);
  if (grouped) return grouped.digits;

  const longer = safe.find((r) => r.digits.length > n);
  return longer ? longer.digits.slice(0, n) : null;
}
