/** TP-DCS, the data coding scheme (3GPP TS 23.038 §4). */

export type Alphabet = 'gsm7' | '8bit' | 'ucs2';

export interface DataCoding {
  /** The raw TP-DCS octet. */
  readonly byte: number;
  readonly alphabet: Alphabet;
  /** Message class 0–3 when the DCS carries one (class 0 = flash), else `null`. */
  readonly messageClass: 0 | 1 | 2 | 3 | null;
  /** Compressed user data (never produced by networks in practice; its bytes are kept as data). */
  readonly compressed: boolean;
}

const ALPHABET: readonly Alphabet[] = ['gsm7', '8bit', 'ucs2', 'gsm7'];

/** Interprets a TP-DCS octet; reserved values fall back to GSM 7-bit as TS 23.038 §4 asks. */
export function parseDcs(byte: number): DataCoding {
  const group = byte >> 4;
  if (group <= 7) {
    // 00xx / 01xx: general data coding (01xx = marked for automatic deletion).
    const hasClass = (byte & 0x10) !== 0;
    return {
      byte,
      alphabet: ALPHABET[(byte >> 2) & 3]!,
      messageClass: hasClass ? ((byte & 3) as 0 | 1 | 2 | 3) : null,
      compressed: (byte & 0x20) !== 0,
    };
  }
  if (group === 0xe) return { byte, alphabet: 'ucs2', messageClass: null, compressed: false };
  if (group === 0xf) {
    return { byte, alphabet: byte & 4 ? '8bit' : 'gsm7', messageClass: (byte & 3) as 0 | 1 | 2 | 3, compressed: false };
  }
  // 1100 / 1101 (message waiting, GSM 7-bit) and the reserved groups 1000–1011.
  return { byte, alphabet: 'gsm7', messageClass: null, compressed: false };
}

/** The TP-DCS octet for an alphabet and an optional message class. */
export function dcsByte(alphabet: Alphabet, messageClass: 0 | 1 | 2 | 3 | null = null): number {
  const a = alphabet === 'gsm7' ? 0 : alphabet === '8bit' ? 4 : 8;
  return messageClass === null ? a : 0x10 | a | messageClass;
}
