/** Hex ⇄ bytes without Buffer (codec stays platform-neutral and fast). */
import { fail, ok, type Result } from './result.ts';

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}
const DIGITS = '0123456789ABCDEF';

/** Parses a hex string (either case, no separators) into bytes; odd length or a non-hex character is `BAD_HEX`. */
export function hexToBytes(hex: string): Result<Uint8Array> {
  if (hex.length % 2 !== 0) return fail('BAD_HEX', `odd number of hex digits (${hex.length})`, 'hex', hex.length);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const a = hex.charCodeAt(2 * i);
    const b = hex.charCodeAt(2 * i + 1);
    const hi = a < 128 ? NIBBLE[a]! : -1;
    const lo = b < 128 ? NIBBLE[b]! : -1;
    if (hi < 0 || lo < 0) return fail('BAD_HEX', `not a hex digit at character ${hi < 0 ? 2 * i : 2 * i + 1}`, 'hex', hi < 0 ? 2 * i : 2 * i + 1);
    out[i] = (hi << 4) | lo;
  }
  return ok(out);
}

/** Upper-case hex of `bytes[start, end)`. */
export function bytesToHex(bytes: ArrayLike<number>, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    s += DIGITS[b >> 4]! + DIGITS[b & 15]!;
  }
  return s;
}

/** True when the string is non-empty, even-length hex. */
export function isHex(s: string): boolean {
  if (s.length === 0 || s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || NIBBLE[c]! < 0) return false;
  }
  return true;
}
