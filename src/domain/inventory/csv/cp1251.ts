/**
 * Windows-1251 (Cyrillic), the encoding Excel on Russian Windows reads and writes CSV in
 * (panel-features.md §2.6: "Windows-1251 is auto-detected", §2.3 "Export CSV in Windows-1251").
 * Decoding uses the platform's WHATWG decoder; encoding uses the table below, written from the
 * WHATWG index-windows-1251 (encoding.spec.whatwg.org): bytes 0x00–0x7F are ASCII, 0x80–0xFF map to
 * the code points listed here in byte order.
 */

/** Code points of bytes 0x80…0xFF; 0x98 is unassigned (WHATWG maps it to U+0098). */
const HIGH: readonly number[] = [
  0x0402, 0x0403, 0x201a, 0x0453, 0x201e, 0x2026, 0x2020, 0x2021, 0x20ac, 0x2030, 0x0409, 0x2039, 0x040a, 0x040c, 0x040b, 0x040f,
  0x0452, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x0098, 0x2122, 0x0459, 0x203a, 0x045a, 0x045c, 0x045b, 0x045f,
  0x00a0, 0x040e, 0x045e, 0x0408, 0x00a4, 0x0490, 0x00a6, 0x00a7, 0x0401, 0x00a9, 0x0404, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x0407,
  0x00b0, 0x00b1, 0x0406, 0x0456, 0x0491, 0x00b5, 0x00b6, 0x00b7, 0x0451, 0x2116, 0x0454, 0x00bb, 0x0458, 0x0405, 0x0455, 0x0457,
  // 0xC0–0xFF: А…я, contiguous U+0410…U+044F
  ...Array.from({ length: 64 }, (_, i) => 0x0410 + i),
];

const ENCODE = new Map<number, number>(HIGH.map((cp, i) => [cp, 0x80 + i]));

/** The byte written for a character CP1251 cannot represent. */
export const CP1251_REPLACEMENT = 0x3f; // '?'

/** Encodes text as Windows-1251; characters outside the code page become '?'. */
export function encodeCp1251(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2); // a surrogate pair is two UTF-16 units → one byte
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    out[n++] = cp < 0x80 ? cp : ENCODE.get(cp) ?? CP1251_REPLACEMENT;
  }
  return out.slice(0, n);
}

/** Decodes Windows-1251 bytes (every byte sequence is valid). */
export function decodeCp1251(bytes: Uint8Array): string {
  return new TextDecoder('windows-1251').decode(bytes);
}

export type TextEncodingName = 'utf-8' | 'windows-1251';

/**
 * Decodes an uploaded file: a UTF-8 BOM or valid UTF-8 means UTF-8, anything else is read as
 * Windows-1251 (Cyrillic text in CP1251 is practically never valid UTF-8).
 */
export function decodeUpload(bytes: Uint8Array): { encoding: TextEncodingName; text: string } {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { encoding: 'utf-8', text };
  } catch {
    if (hasBom) return { encoding: 'utf-8', text: new TextDecoder('utf-8').decode(bytes) };
    return { encoding: 'windows-1251', text: decodeCp1251(bytes) };
  }
}
