/**
 * User-data header (3GPP TS 23.040 §9.2.3.24): information elements, of which the concatenation
 * IEs 0x00 (8-bit reference) and 0x08 (16-bit reference) are interpreted; others are kept raw.
 */
import { bytesToHex } from '../hex.ts';
import { fail, ok, type Result } from '../result.ts';

/** Concatenation information (one part of a long message). */
export interface Concat {
  readonly ref: number;
  readonly total: number;
  readonly seq: number;
  /** 8 for IE 0x00, 16 for IE 0x08. */
  readonly refBits: 8 | 16;
}

export interface InformationElement {
  readonly iei: number;
  /** The IE data as upper-case hex. */
  readonly data: string;
}

export interface Udh {
  /** The whole header including the UDHL octet, upper-case hex. */
  readonly hex: string;
  readonly elements: readonly InformationElement[];
  /** The concatenation IE when present (the last one wins, as TS 23.040 allows only one). */
  readonly concat: Concat | null;
}

/** Parses the header at `offset` (the UDHL octet); `end` bounds the user data. */
export function parseUdh(bytes: Uint8Array, offset: number, end: number): Result<{ udh: Udh; next: number }> {
  if (offset >= end) return fail('BAD_UDH', 'no octet left for the user-data header length', 'UDHL', offset);
  const udhl = bytes[offset]!;
  const stop = offset + 1 + udhl;
  if (stop > end) return fail('BAD_UDH', `user-data header length ${udhl} exceeds the user data`, 'UDHL', offset);
  const elements: InformationElement[] = [];
  let concat: Concat | null = null;
  let p = offset + 1;
  while (p < stop) {
    if (p + 2 > stop) return fail('BAD_UDH', 'truncated information element', 'UDH', p);
    const iei = bytes[p]!;
    const len = bytes[p + 1]!;
    const d = p + 2;
    if (d + len > stop) return fail('BAD_UDH', `information element 0x${iei.toString(16)} overruns the header`, 'UDH', p);
    if (iei === 0x00 && len === 3) concat = { ref: bytes[d]!, total: bytes[d + 1]!, seq: bytes[d + 2]!, refBits: 8 };
    else if (iei === 0x08 && len === 4) concat = { ref: (bytes[d]! << 8) | bytes[d + 1]!, total: bytes[d + 2]!, seq: bytes[d + 3]!, refBits: 16 };
    elements.push({ iei, data: bytesToHex(bytes, d, d + len) });
    p = d + len;
  }
  return ok({ udh: { hex: bytesToHex(bytes, offset, stop), elements, concat }, next: stop });
}

/** The header bytes (UDHL included) for a concatenation IE. */
export function concatUdh(c: { ref: number; total: number; seq: number }, refBits: 8 | 16 = 8): Uint8Array {
  if (refBits === 16) return new Uint8Array([6, 0x08, 4, (c.ref >> 8) & 0xff, c.ref & 0xff, c.total, c.seq]);
  return new Uint8Array([5, 0x00, 3, c.ref & 0xff, c.total, c.seq]);
}
