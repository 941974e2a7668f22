/**
 * GSM 7-bit default alphabet, its extension table and septet packing (3GPP TS 23.038 §6.1.2,
 * §6.2.1; TS 23.040 §9.2.3.24 for the fill bits after a user-data header).
 *
 * National language shift tables (UDH IE 0x24/0x25) are not implemented: such texts decode with
 * the default table, which is what the issue asks for (never fail on them).
 */

/** The 128 characters of the default alphabet, indexed by septet; 0x1B (ESC) is a placeholder. */
export const GSM7_DEFAULT =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà';

/** Septet that switches to the extension table for the next septet. */
export const GSM7_ESCAPE = 0x1b;

/** Extension table (reached through ESC), septet → character. */
export const GSM7_EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

const DEFAULT_BY_CHAR = new Map<string, number>();
for (let i = 0; i < 128; i++) if (i !== GSM7_ESCAPE) DEFAULT_BY_CHAR.set(GSM7_DEFAULT[i]!, i);
const EXTENSION_BY_CHAR = new Map<string, number>();
for (const [septet, ch] of GSM7_EXTENSION) EXTENSION_BY_CHAR.set(ch, septet);

const DEFAULT_CHARS: readonly string[] = Array.from(GSM7_DEFAULT);
const EXT_CHARS: readonly string[] = Array.from({ length: 128 }, (_, i) => {
  const ext = GSM7_EXTENSION.get(i);
  if (ext !== undefined) return ext;
  // TS 23.038 §6.2.1.1: an unknown extension character is shown as its default-table character;
  // ESC ESC (reserved for a further table) is shown as a space.
  return i === GSM7_ESCAPE ? ' ' : DEFAULT_CHARS[i]!;
});

/**
 * The septets that encode `text` (escape pairs for extension characters), or `null` when a
 * character is in neither table.
 */
export function gsm7Septets(text: string): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const d = DEFAULT_BY_CHAR.get(ch);
    if (d !== undefined) {
      out.push(d);
      continue;
    }
    const e = EXTENSION_BY_CHAR.get(ch);
    if (e === undefined) return null;
    out.push(GSM7_ESCAPE, e);
  }
  return out;
}

/** Number of septets `text` needs in GSM 7-bit, or `null` when it is not GSM 7-bit encodable. */
export function gsm7Length(text: string): number | null {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (DEFAULT_BY_CHAR.has(ch)) n += 1;
    else if (EXTENSION_BY_CHAR.has(ch)) n += 2;
    else return null;
  }
  return n;
}

/** Septets of one character (1 or 2), or 0 when not encodable. */
export function gsm7CharSeptets(ch: string): number {
  if (DEFAULT_BY_CHAR.has(ch)) return 1;
  if (EXTENSION_BY_CHAR.has(ch)) return 2;
  return 0;
}

/** Decodes a septet sequence into text (ESC + unknown → default character, trailing ESC dropped). */
export function gsm7Text(septets: ArrayLike<number>): string {
  // Appending one-character strings from the tables is about 4× faster here than building code
  // units and converting them with String.fromCharCode.apply (npm run bench -- codec).
  let s = '';
  for (let i = 0; i < septets.length; i++) {
    const v = septets[i]! & 0x7f;
    if (v === GSM7_ESCAPE) {
      i++;
      if (i < septets.length) s += EXT_CHARS[septets[i]! & 0x7f]!;
    } else s += DEFAULT_CHARS[v]!;
  }
  return s;
}

/**
 * Packs septets LSB-first into octets, after `fillBits` zero bits (0–6; TS 23.040 §9.2.3.24: the
 * fill bits that align text to a septet boundary after a user-data header).
 */
export function packSeptets(septets: ArrayLike<number>, fillBits = 0): Uint8Array {
  const out = new Uint8Array(Math.ceil((fillBits + 7 * septets.length) / 8));
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]! & 0x7f;
    const bit = fillBits + 7 * i;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte]! |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1]! |= s >> (8 - shift);
  }
  return out;
}

/**
 * Reads `count` septets from `bytes`, starting at octet `start` after `fillBits` bits. The caller
 * guarantees the bytes are there (`Math.ceil((fillBits + 7 * count) / 8)` octets from `start`).
 */
export function unpackSeptets(bytes: Uint8Array, start: number, fillBits: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  const base = start * 8 + fillBits;
  for (let i = 0; i < count; i++) {
    const bit = base + 7 * i;
    const byte = bit >> 3;
    const shift = bit & 7;
    let v = bytes[byte]! >> shift;
    if (shift > 1) v |= (bytes[byte + 1] ?? 0) << (8 - shift);
    out[i] = v & 0x7f;
  }
  return out;
}
