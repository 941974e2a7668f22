/**
 * Service-centre time stamps and absolute validity periods (3GPP TS 23.040 §9.2.3.11): seven
 * swapped-BCD octets YY MM DD hh mm ss TZ; TZ counts quarter hours, bit 3 of its first digit = minus.
 */

/** A decoded time stamp. */
export interface Scts {
  /** ISO 8601 local time with its offset, e.g. `2011-02-28T11:50:50-05:00` (`+00:00` for zero). */
  readonly iso: string;
  /** The same instant as epoch milliseconds (NaN when the digits are not a valid date). */
  readonly epochMs: number;
  /** Offset from UTC in quarter hours (−79 … +79). */
  readonly tzQuarterHours: number;
}

function bcd(b: number): number {
  return (b & 15) * 10 + (b >> 4);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Formats a quarter-hour offset as `±hh:mm`. */
export function formatOffset(quarters: number): string {
  const sign = quarters < 0 ? '-' : '+';
  const q = Math.abs(quarters);
  return `${sign}${pad2(Math.floor(q / 4))}:${pad2((q % 4) * 15)}`;
}

/** Decodes the 7 octets at `offset` (caller checks bounds). Years are 20YY. */
export function decodeScts(bytes: Uint8Array, offset: number): Scts {
  const y = 2000 + bcd(bytes[offset]!);
  const mo = bcd(bytes[offset + 1]!);
  const d = bcd(bytes[offset + 2]!);
  const h = bcd(bytes[offset + 3]!);
  const mi = bcd(bytes[offset + 4]!);
  const s = bcd(bytes[offset + 5]!);
  const tz = bytes[offset + 6]!;
  const mag = (tz & 7) * 10 + (tz >> 4);
  const quarters = tz & 8 ? -mag : mag;
  const iso = `${y}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}${formatOffset(quarters)}`;
  const valid = mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 60;
  const epochMs = valid ? Date.UTC(y, mo - 1, d, h, mi, s) - quarters * 900_000 : Number.NaN;
  return { iso, epochMs, tzQuarterHours: quarters };
}

function toBcd(n: number): number {
  return ((n % 10) << 4) | Math.floor(n / 10) % 10;
}

/**
 * Encodes an instant as it reads in the zone `tzQuarterHours` (−79 … +79, clamped). Years outside
 * 2000–2099 wrap modulo 100, as the field holds two digits.
 */
export function encodeScts(at: Date | number, tzQuarterHours: number): Uint8Array {
  const q = Math.max(-79, Math.min(79, Math.trunc(tzQuarterHours)));
  const ms = typeof at === 'number' ? at : at.getTime();
  const local = new Date(ms + q * 900_000);
  const out = new Uint8Array(7);
  out[0] = toBcd(local.getUTCFullYear() % 100);
  out[1] = toBcd(local.getUTCMonth() + 1);
  out[2] = toBcd(local.getUTCDate());
  out[3] = toBcd(local.getUTCHours());
  out[4] = toBcd(local.getUTCMinutes());
  out[5] = toBcd(local.getUTCSeconds());
  const mag = Math.abs(q);
  out[6] = ((mag % 10) << 4) | Math.floor(mag / 10) | (q < 0 ? 8 : 0);
  return out;
}
