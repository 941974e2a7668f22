/**
 * Address fields: TP-OA / TP-DA / TP-RA (3GPP TS 23.040 §9.1.2.5) and the SMSC address
 * (TS 24.011 §8.2.5.1). Semi-octet digits, type of address, alphanumeric (GSM 7-bit packed) values.
 */
import { fail, ok, type Result } from '../result.ts';
import { gsm7Septets, gsm7Text, packSeptets, unpackSeptets } from './gsm7.ts';

/** Type of number (TON, bits 6–4 of the type-of-address octet). */
export type AddressType =
  | 'unknown'
  | 'international'
  | 'national'
  | 'network_specific'
  | 'subscriber'
  | 'alphanumeric'
  | 'abbreviated'
  | 'reserved';

const TON: readonly AddressType[] = ['unknown', 'international', 'national', 'network_specific', 'subscriber', 'alphanumeric', 'abbreviated', 'reserved'];

/** A decoded address. */
export interface Address {
  /** Display form: digits with a leading `+` when international, decoded text when alphanumeric. */
  readonly text: string;
  /** Digits without `+` (or the alphanumeric text). */
  readonly digits: string;
  readonly type: AddressType;
  /** The raw type-of-address octet. */
  readonly toa: number;
}

/** Longest TP address value: 10 octets. */
const MAX_ADDRESS_SEMI_OCTETS = 20;

/** Semi-octet values 0–14 (TS 23.040 §9.1.2.3); 15 is the filler. */
const SEMI = '0123456789*#abc';

export function addressTypeOf(toa: number): AddressType {
  return TON[(toa >> 4) & 7]!;
}

function semiOctets(bytes: Uint8Array, start: number, octets: number, maxDigits: number): string {
  let s = '';
  for (let i = 0; i < octets && s.length < maxDigits; i++) {
    const b = bytes[start + i]!;
    const lo = b & 15;
    const hi = b >> 4;
    if (lo !== 15) s += SEMI[lo]!;
    if (s.length < maxDigits && hi !== 15) s += SEMI[hi]!;
  }
  return s;
}

function build(digits: string, toa: number): Address {
  const type = addressTypeOf(toa);
  return { text: type === 'international' && digits.length > 0 ? '+' + digits : digits, digits, type, toa };
}

/**
 * Reads a TP address at `offset` (length in semi-octets, TOA, value). Returns the address and the
 * offset after it.
 */
export function readTpAddress(bytes: Uint8Array, offset: number, field: string): Result<{ address: Address; next: number }> {
  if (offset + 2 > bytes.length) return fail('PDU_TOO_SHORT', `PDU too short, cannot read ${field} length and type`, field, offset);
  const len = bytes[offset]!;
  const toa = bytes[offset + 1]!;
  // TS 23.040 §9.1.2.5: the address value is at most 10 octets (20 digits, or 11 packed
  // alphanumeric characters); a longer one is a corrupt PDU, not a long number.
  if (len > MAX_ADDRESS_SEMI_OCTETS) return fail('BAD_LENGTH', `${field} length ${len} exceeds ${MAX_ADDRESS_SEMI_OCTETS} semi-octets`, field, offset);
  const octets = (len + 1) >> 1;
  if (offset + 2 + octets > bytes.length) return fail('PDU_TOO_SHORT', `PDU too short, cannot read ${field} (${len} semi-octets)`, field, offset);
  const start = offset + 2;
  if (addressTypeOf(toa) === 'alphanumeric') {
    const septets = Math.floor((len * 4) / 7);
    const text = gsm7Text(unpackSeptets(bytes, start, 0, septets));
    return ok({ address: { text, digits: text, type: 'alphanumeric', toa }, next: start + octets });
  }
  return ok({ address: build(semiOctets(bytes, start, octets, len), toa), next: start + octets });
}

/** Reads the SMSC field at offset 0 (length in octets including the TOA); `null` when the length is 0. */
export function readSmsc(bytes: Uint8Array): Result<{ address: Address | null; next: number }> {
  if (bytes.length < 1) return fail('PDU_TOO_SHORT', 'PDU is empty, cannot read SMSC length', 'SMSC', 0);
  const len = bytes[0]!;
  if (len === 0) return ok({ address: null, next: 1 });
  if (1 + len > bytes.length) return fail('PDU_TOO_SHORT', `PDU too short for the SMSC field (${len} octets)`, 'SMSC', 0);
  if (len > 12) return fail('BAD_LENGTH', `SMSC length ${len} exceeds 12 octets`, 'SMSC', 0);
  const toa = bytes[1]!;
  if (addressTypeOf(toa) === 'alphanumeric') {
    const text = gsm7Text(unpackSeptets(bytes, 2, 0, Math.floor(((len - 1) * 8) / 7)));
    return ok({ address: { text, digits: text, type: 'alphanumeric', toa }, next: 1 + len });
  }
  return ok({ address: build(semiOctets(bytes, 2, len - 1, 2 * (len - 1)), toa), next: 1 + len });
}

/** The TOA octet for a type of number with numbering plan ISDN/E.164 (or 0 for alphanumeric). */
export function toaOf(type: AddressType): number {
  if (type === 'alphanumeric') return 0xd0;
  const ton = TON.indexOf(type);
  return 0x80 | (ton << 4) | 1;
}

function digitBytes(digits: string): Result<Uint8Array> {
  const out = new Uint8Array((digits.length + 1) >> 1);
  for (let i = 0; i < digits.length; i++) {
    const v = SEMI.indexOf(digits[i]!);
    if (v < 0) return fail('BAD_ADDRESS', `character '${digits[i]}' cannot be sent as an address digit`, 'address', i);
    out[i >> 1]! |= i % 2 === 0 ? v : v << 4;
  }
  if (digits.length % 2 === 1) out[out.length - 1]! |= 0xf0;
  return ok(out);
}

/** Splits a number into digits and a type: `+` → international, otherwise `fallback`. */
export function numberType(number: string, fallback: AddressType): { digits: string; type: AddressType } {
  return number.startsWith('+') ? { digits: number.slice(1), type: 'international' } : { digits: number, type: fallback };
}

/**
 * Encodes a TP address (TP-DA / TP-OA). Numeric addresses take semi-octet digits (`0-9 * # a b c`,
 * at most 20); alphanumeric addresses take up to 11 GSM 7-bit characters.
 */
export function encodeTpAddress(value: string, type: AddressType): Result<Uint8Array> {
  if (type === 'alphanumeric') {
    const septets = gsm7Septets(value);
    if (septets === null) return fail('BAD_ADDRESS', 'alphanumeric address is not GSM 7-bit text', 'address');
    if (septets.length === 0 || septets.length > 11) return fail('BAD_ADDRESS', 'alphanumeric address must be 1–11 septets', 'address');
    const packed = packSeptets(septets);
    const out = new Uint8Array(2 + packed.length);
    out[0] = Math.ceil((septets.length * 7) / 4);
    out[1] = 0xd0;
    out.set(packed, 2);
    return ok(out);
  }
  if (value.length === 0 || value.length > 20) return fail('BAD_ADDRESS', 'a number must have 1–20 digits', 'address');
  const d = digitBytes(value);
  if (!d.ok) return d;
  const out = new Uint8Array(2 + d.value.length);
  out[0] = value.length;
  out[1] = toaOf(type);
  out.set(d.value, 2);
  return ok(out);
}

/** Encodes the SMSC field; no SMSC (`null`/empty) is the single octet `00` (the modem's default). */
export function encodeSmsc(smsc: string | null | undefined, fallback: AddressType = 'national'): Result<Uint8Array> {
  if (smsc === null || smsc === undefined || smsc === '') return ok(new Uint8Array([0]));
  const { digits, type } = numberType(smsc, fallback);
  if (digits.length === 0 || digits.length > 20) return fail('BAD_ADDRESS', 'an SMSC number must have 1–20 digits', 'SMSC');
  const d = digitBytes(digits);
  if (!d.ok) return d;
  const out = new Uint8Array(2 + d.value.length);
  out[0] = 1 + d.value.length;
  out[1] = toaOf(type);
  out.set(d.value, 2);
  return ok(out);
}
