/**
 * Text out of a legacy SR-Navigator database, whatever happened to it on the way in.
 *
 * The legacy tables are declared utf8/utf8mb3 (panel-features.md §1), but installs differ: PHP's
 * old `mysql_*` API talked latin1 by default, Russian Windows tools write CP1251, and the panel has
 * a `cp-1251` setting. We read raw column bytes (the importer turns result-set conversion off) and
 * decide here:
 *
 * 1. column declared cp1251 → CP1251;
 * 2. bytes that are not valid UTF-8 → CP1251 (Cyrillic CP1251 is practically never valid UTF-8);
 * 3. valid UTF-8 whose characters all fit MySQL's latin1 (= Windows-1252) is looked at once more:
 *    - re-encoded as latin1 it is valid multi-byte UTF-8 → it was UTF-8 stored through a latin1
 *      connection ("double-encoded"): use that;
 *    - it looks like CP1251 Cyrillic read as latin1 (`Ïðèâåò`): mostly letters from U+00C0–U+00FF
 *      (plus `¨`/`¸` for Ё/ё), at least two and more than the ASCII letters → decode as CP1251.
 *    Otherwise the text stands as it is (a `Café` stays a `Café`).
 *
 * Pure functions; `repair` says which rule applied so the import report can count them.
 */

export type DeclaredCharset = 'utf8' | 'latin1' | 'cp1251' | 'binary' | 'other';

export type TextRepair = 'none' | 'cp1251' | 'double-utf8' | 'latin1-cp1251';

export interface LegacyText {
  readonly text: string;
  readonly repair: TextRepair;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });
const cp1251 = new TextDecoder('windows-1251');
const cp1252 = new TextDecoder('windows-1252');

/** Character → byte of MySQL's latin1 (WHATWG windows-1252: 0x81, 0x8D… map to C1 controls). */
const LATIN1_BYTE: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (let b = 0; b < 256; b++) m.set(cp1252.decode(Uint8Array.of(b)), b);
  return m;
})();

/** Maps a column's CHARACTER_SET_NAME from information_schema to what we treat it as. */
export function declaredCharset(name: string | null | undefined): DeclaredCharset {
  const n = (name ?? '').toLowerCase();
  if (n === '') return 'binary';
  if (n.startsWith('utf8')) return 'utf8';
  if (n === 'latin1') return 'latin1';
  if (n === 'cp1251') return 'cp1251';
  if (n === 'binary') return 'binary';
  return 'other';
}

function tryUtf8(bytes: Uint8Array): string | null {
  try { return utf8Fatal.decode(bytes); } catch { return null; }
}

/** The latin1 bytes of a text, or null when a character is outside latin1. */
export function latin1Bytes(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  let i = 0;
  for (const ch of text) {
    const b = LATIN1_BYTE.get(ch);
    if (b === undefined) return null;
    out[i++] = b;
  }
  return out.subarray(0, i);
}

/** True when a latin1-range text reads like CP1251 Cyrillic seen through latin1. */
export function looksLikeCp1251Mojibake(text: string): boolean {
  let high = 0;
  let ascii = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0xc0 && c <= 0xff) || c === 0xa8 || c === 0xb8) high++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) ascii++;
  }
  return high >= 2 && high > ascii;
}

/** Decodes raw column bytes into text by the rules above. */
export function decodeLegacyText(bytes: Uint8Array, declared: DeclaredCharset = 'utf8'): LegacyText {
  if (declared === 'cp1251') return { text: cp1251.decode(bytes), repair: 'none' };
  const asUtf8 = tryUtf8(bytes);
  if (asUtf8 === null) return { text: cp1251.decode(bytes), repair: 'cp1251' };
  if (!/[\u0080-\u00ff]/.test(asUtf8)) return { text: asUtf8, repair: 'none' };
  const once = latin1Bytes(asUtf8);
  if (once === null) return { text: asUtf8, repair: 'none' };
  const inner = tryUtf8(once);
  if (inner !== null && /[^\u0000-\u007f]/.test(inner)) return { text: inner, repair: 'double-utf8' };
  if (looksLikeCp1251Mojibake(asUtf8)) return { text: cp1251.decode(once), repair: 'latin1-cp1251' };
  return { text: asUtf8, repair: 'none' };
}

/**
 * The bytes a PHP string had before a latin1 connection mangled it (for re-reading a serialized
 * blob whose `s:<n>:` lengths no longer match); null when the text was not mangled that way.
 */
export function unmangledBytes(bytes: Uint8Array): Uint8Array | null {
  const asUtf8 = tryUtf8(bytes);
  if (asUtf8 === null || !/[\u0080-\u00ff]/.test(asUtf8)) return null;
  return latin1Bytes(asUtf8);
}
