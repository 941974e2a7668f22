/**
 * Where the simulator's SMS PDUs and USSD payloads come from: the codec's encoders (the simulator
 * never builds wire bytes by hand). Wraps them into the shapes the network needs.
 */
import { bytesToHex, decodePdu, encodeDeliverParts, ucs2Bytes } from '../codec/index.ts';

export type SmsAlphabet = 'gsm7' | 'ucs2';

/** UCS2 hex of a text, as `+CUSD` answers carry it (DCS 72). */
export function ucs2Hex(text: string): string {
  return bytesToHex(ucs2Bytes(text));
}

/** Validates a raw SMS-DELIVER PDU (hex with SMSC field) given to the control API. */
export function parsePduHex(hex: unknown): { ok: true; pdu: string } | { ok: false; message: string } {
  if (typeof hex !== 'string' || hex.length === 0) return { ok: false, message: 'pdu must be a hex string' };
  const pdu = hex.trim().toUpperCase();
  const decoded = decodePdu(pdu);
  if (!decoded.ok) return { ok: false, message: `${decoded.error.code}: ${decoded.error.reason}` };
  if (decoded.value.kind !== 'deliver') return { ok: false, message: `an SMS-DELIVER PDU is needed, got ${decoded.value.kind}` };
  return { ok: true, pdu };
}

export interface DeliverRequest {
  readonly smsc: string;
  readonly sender: string;
  readonly text: string;
  readonly timestampMs: number;
  /** Concatenation reference (8-bit). */
  readonly ref: number;
  readonly alphabet?: SmsAlphabet | undefined;
}

/** SMS-DELIVER PDUs (hex with SMSC) for a text, split into concatenated parts when long. */
export function deliverPdus(req: DeliverRequest): { ok: true; pdus: string[] } | { ok: false; code: string; message: string } {
  const r = encodeDeliverParts({
    smsc: req.smsc, sender: req.sender, text: req.text, timestamp: req.timestampMs,
    tzQuarterHours: 12, // Moscow time, as the logged SMSCs stamp it
    encoding: req.alphabet ?? 'auto', ref: req.ref & 0xff,
  });
  if (!r.ok) return { ok: false, code: r.error.code, message: r.error.reason };
  return { ok: true, pdus: r.value.map((p) => p.hex) };
}
