/**
 * Phone numbers in pool API requests (api.md §1 "Lists, numbers, booleans"): normalisation to
 * digits, the matching rule, list and flag parsing. Pure.
 */

/** Digits of a requested number: strips `+`, spaces, `-`, `(`, `)`; anything else makes it invalid (''). */
export function normalizeNumber(text: string): string {
  const stripped = text.replace(/[+\s\-()]/g, '');
  return /^\d{1,20}$/.test(stripped) ? stripped : '';
}

/** Shortest length for which a suffix match counts (api.md §1 [decided]). */
export const MIN_SUFFIX_DIGITS = 10;

/**
 * True when a requested number and a stored number are the same SIM: equal digits, or one ends
 * with the other and the shorter has at least 10 digits (`9011234567` ≡ `79011234567`).
 */
export function numbersMatch(requested: string, stored: string): boolean {
  if (requested === stored) return true;
  const [short, long] = requested.length < stored.length ? [requested, stored] : [stored, requested];
  return short.length >= MIN_SUFFIX_DIGITS && long.endsWith(short);
}

/** The last 10 digits (the indexed key candidates are looked up by). */
export function numberTail(n: string): string {
  return n.slice(-MIN_SUFFIX_DIGITS);
}

/** Most items a list parameter may carry; the rest are ignored (hostile input stays bounded). */
export const MAX_LIST_ITEMS = 1000;

/** Comma-separated list: items trimmed, empty items dropped, at most MAX_LIST_ITEMS. */
export function parseList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item !== '') out.push(item);
    if (out.length >= MAX_LIST_ITEMS) break;
  }
  return out;
}

/** A list of requested numbers as digits, invalid items dropped, duplicates kept in order once. */
export function parseNumberList(value: string | undefined): string[] {
  const out: string[] = [];
  for (const item of parseList(value)) {
    const n = normalizeNumber(item);
    if (n !== '' && !out.includes(n)) out.push(n);
  }
  return out;
}

/** `1`, `true`, `yes`, `on` (any case) are true; absent or anything else is false. */
export function parseFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** A positive integer parameter (`period`, `code`, `channels`); anything else is undefined. */
export function parsePositiveInt(value: string | undefined, max = 1_000_000_000): number | undefined {
  if (value === undefined) return undefined;
  const t = value.trim();
  if (!/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= max ? n : undefined;
}

/** `phone_exception` prefixes: each 1–15 digits; null when any item is not (WRONG_EXCEPTION_PHONE). */
export function parseExceptionPrefixes(value: string | undefined): string[] | null {
  const items = parseList(value);
  for (const p of items) if (!/^\d{1,15}$/.test(p)) return null;
  return items;
}

/**
 * True when a stored number is excluded by one of the prefixes: it starts with the prefix, or
 * does so once a known country code is taken off its front.
 */
export function excludedByPrefix(stored: string, prefixes: readonly string[], countryCodes: readonly string[]): boolean {
  for (const p of prefixes) {
    if (stored.startsWith(p)) return true;
    for (const cc of countryCodes) if (stored.startsWith(cc) && stored.slice(cc.length).startsWith(p)) return true;
  }
  return false;
}
