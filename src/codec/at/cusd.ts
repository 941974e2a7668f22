/**
 * `+CUSD: <m>[,"<str>"[,<dcs>]]` USSD results (3GPP TS 27.007 §7.15). The payload is decoded by
 * the CBS data coding scheme (TS 23.038 §5) and by its content: UCS2 hex, packed GSM 7-bit hex, or
 * text the modem already converted. The legacy panel decoded only UCS2 hex (device-link.md §3.4).
 */
import { bytesToHex, hexToBytes, isHex } from '../hex.ts';
import { gsm7Text, unpackSeptets } from '../sms/gsm7.ts';
import { ucs2Bytes, ucs2Text } from '../sms/ucs2.ts';

export type UssdAlphabet = 'gsm7' | '8bit' | 'ucs2';

/** Alphabet of a CBS/USSD data coding scheme (TS 23.038 §5). */
export function ussdAlphabet(dcs: number): UssdAlphabet {
  const hi = dcs >> 4;
  if (dcs === 0x11) return 'ucs2';
  if ((hi >= 4 && hi <= 7) || hi === 9) {
    const a = (dcs >> 2) & 3;
    return a === 1 ? '8bit' : a === 2 ? 'ucs2' : 'gsm7';
  }
  if (hi === 0xf) return dcs & 4 ? '8bit' : 'gsm7';
  return 'gsm7';
}

export interface UssdResult {
  /** 0 no further action, 1 further action required (session open), 2 terminated by network, 3 other client, 4 not supported, 5 timeout. */
  readonly m: number;
  /** Session still open (m = 1). */
  readonly sessionActive: boolean;
  /** The payload as sent (without quotes), or `null`. */
  readonly payload: string | null;
  readonly dcs: number | null;
  /** Decoded text, or `null` when there was no payload. */
  readonly text: string | null;
  readonly encoding: 'ucs2' | 'gsm7-packed' | 'text' | null;
}

function looksUcs2(p: string): boolean {
  return p.length >= 4 && p.length % 4 === 0 && isHex(p);
}

function looksPackedGsm7(p: string): boolean {
  return p.length >= 8 && isHex(p) && /[A-Fa-f]/.test(p);
}

/** Decodes a USSD payload according to its DCS (or, without one, its content). */
export function decodeUssdPayload(payload: string, dcs: number | null): { text: string; encoding: 'ucs2' | 'gsm7-packed' | 'text' } {
  const alphabet = dcs === null ? null : ussdAlphabet(dcs);
  if ((alphabet === 'ucs2' || alphabet === null) && looksUcs2(payload) && (alphabet === 'ucs2' || payload.length >= 10)) {
    const b = hexToBytes(payload);
    if (b.ok) return { text: ucs2Text(b.value, 0, b.value.length), encoding: 'ucs2' };
  }
  if (alphabet === 'gsm7' && looksPackedGsm7(payload)) {
    const b = hexToBytes(payload);
    if (b.ok) {
      const n = Math.floor((b.value.length * 8) / 7);
      let text = gsm7Text(unpackSeptets(b.value, 0, 0, n));
      // TS 23.038 §6.1.2.3.1: CR pads the last octet when 7 bits would be left over.
      if ((b.value.length * 8) % 7 === 0 && text.endsWith('\r')) text = text.slice(0, -1);
      return { text, encoding: 'gsm7-packed' };
    }
  }
  return { text: payload, encoding: 'text' };
}

const CUSD = /\+CUSD:[ \t]*(\d+)(?:[ \t]*,[ \t]*"([^"]*)"(?:[ \t]*,[ \t]*(\d+))?)?/g;

/** Every `+CUSD` in the text, in order (the quoted payload may span lines). */
export function parseCusdAll(text: string): UssdResult[] {
  const out: UssdResult[] = [];
  CUSD.lastIndex = 0;
  for (let m = CUSD.exec(text); m; m = CUSD.exec(text)) {
    const mode = Number(m[1]);
    const payload = m[2] ?? null;
    const dcs = m[3] === undefined ? null : Number(m[3]);
    const d = payload === null ? null : decodeUssdPayload(payload, dcs);
    out.push({ m: mode, sessionActive: mode === 1, payload, dcs, text: d?.text ?? null, encoding: d?.encoding ?? null });
  }
  return out;
}

/**
 * The result that answers a request: the last `+CUSD` in the text (earlier `2`/`3` notices such
 * as "Initiating Release" or "Other local client responded" are superseded), or `null`.
 */
export function parseCusd(text: string): UssdResult | null {
  const all = parseCusdAll(text);
  return all[all.length - 1] ?? null;
}

/** UCS2 hex of a text, as modems print a `+CUSD` payload with DCS 72. */
export function ussdUcs2Hex(text: string): string {
  return bytesToHex(ucs2Bytes(text));
}

/** A `+CUSD` line as the logged modems print it: `+CUSD: 0, "<UCS2 hex>", 72`. */
export function buildCusdLine(m: number, text: string, dcs = 72): string {
  return `+CUSD: ${m}, "${ussdAlphabet(dcs) === 'ucs2' ? ussdUcs2Hex(text) : text}", ${dcs}`;
}
