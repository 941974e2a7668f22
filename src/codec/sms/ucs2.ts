/** UCS2 / UTF-16BE user data (3GPP TS 23.038 §6.2.3); surrogate pairs carry characters beyond the BMP. */

/** UTF-16BE bytes of `text` (two octets per UTF-16 code unit). */
export function ucs2Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/**
 * Text of UTF-16BE `bytes[start, start + length)`; an odd final octet is ignored. Lone surrogates
 * are kept as they are (a pair may be split across two parts of a concatenated message); use
 * {@link wellFormed} before storing or displaying a text.
 */
export function ucs2Text(bytes: Uint8Array, start: number, length: number): string {
  // Appending per code unit is several times faster here than String.fromCharCode.apply on a
  // Uint16Array (npm run bench -- codec).
  let s = '';
  const end = start + (length & ~1);
  for (let i = start; i < end; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return s;
}

/** Replaces lone surrogates by U+FFFD (storage engines reject them in UTF-8 text). */
export function wellFormed(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    out += text.slice(last, i) + '\ufffd';
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}
