/**
 * TP-UD decoding (3GPP TS 23.040 §9.2.3.16, §9.2.3.24): the optional user-data header, then text
 * in the alphabet chosen by TP-DCS, or raw octets for 8-bit and compressed data.
 */
import { bytesToHex } from '../hex.ts';
import { fail, ok, type Result } from '../result.ts';
import type { DataCoding } from './dcs.ts';
import { gsm7Text, unpackSeptets } from './gsm7.ts';
import { ucs2Text } from './ucs2.ts';
import { parseUdh, type Udh } from './udh.ts';

export interface UserData {
  readonly udh: Udh | null;
  /** Decoded text; `null` for 8-bit (and compressed) data. */
  readonly text: string | null;
  /** Upper-case hex of the payload after the header, for 8-bit data; `null` for text. */
  readonly data: string | null;
  /** Set in lenient mode when the PDU held less user data than TP-UDL announced. */
  readonly warning: string | null;
}

/**
 * Decodes the user data whose TP-UDL octet is at `offset`. In strict mode (the default) user data
 * shorter than TP-UDL is `PDU_TOO_SHORT`; in lenient mode what is there is decoded with a warning.
 */
export function decodeUserData(bytes: Uint8Array, offset: number, dcs: DataCoding, udhi: boolean, lenient: boolean): Result<UserData> {
  if (offset >= bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-UDL', 'TP-UDL', offset);
  let udl = bytes[offset]!;
  const start = offset + 1;
  const septetMode = dcs.alphabet === 'gsm7' && !dcs.compressed;
  const max = septetMode ? 160 : 140;
  if (udl > max && lenient) udl = max;
  if (udl > max) return fail('BAD_LENGTH', `TP-UDL ${udl} exceeds the maximum for ${septetMode ? '7-bit' : 'octet'} data`, 'TP-UDL', offset);
  const available = bytes.length - start;
  let octets = septetMode ? Math.ceil((udl * 7) / 8) : udl;
  let warning: string | null = null;
  if (octets > available) {
    if (!lenient) return fail('PDU_TOO_SHORT', `PDU too short, cannot read TP-UD (${octets} octets announced, ${available} present)`, 'TP-UD', start);
    warning = 'user data shorter than TP-UDL';
    octets = available;
    udl = septetMode ? Math.floor((available * 8) / 7) : available;
  }
  const end = start + octets;
  let udh: Udh | null = null;
  let bodyStart = start;
  let headerOctets = 0;
  if (udhi) {
    const h = parseUdh(bytes, start, end);
    if (!h.ok) return h;
    udh = h.value.udh;
    bodyStart = h.value.next;
    headerOctets = bodyStart - start;
  }
  if (septetMode) {
    const headerSeptets = Math.ceil((headerOctets * 8) / 7);
    if (headerSeptets > udl) return fail('BAD_UDH', 'user-data header is longer than TP-UDL', 'UDHL', start);
    const fill = headerSeptets * 7 - headerOctets * 8;
    const text = gsm7Text(unpackSeptets(bytes, bodyStart, fill, udl - headerSeptets));
    return ok({ udh, text, data: null, warning });
  }
  if (dcs.alphabet === 'ucs2' && !dcs.compressed) return ok({ udh, text: ucs2Text(bytes, bodyStart, end - bodyStart), data: null, warning });
  return ok({ udh, text: null, data: bytesToHex(bytes, bodyStart, end), warning });
}
