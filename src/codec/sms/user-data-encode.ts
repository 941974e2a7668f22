/** Builds TP-UDL + TP-UD for one part (3GPP TS 23.040 §9.2.3.16, fill bits per §9.2.3.24). */
import { gsm7Septets, packSeptets } from './gsm7.ts';
import { ucs2Bytes } from './ucs2.ts';

/**
 * TP-UDL followed by TP-UD. `text` must already be valid for `alphabet` (see `planText`).
 */
export function encodeUserData(alphabet: 'gsm7' | 'ucs2', text: string, udh: Uint8Array | null): Uint8Array {
  const h = udh ?? new Uint8Array(0);
  if (alphabet === 'gsm7') {
    const septets = gsm7Septets(text) ?? [];
    const headerSeptets = Math.ceil((h.length * 8) / 7);
    const fill = headerSeptets * 7 - h.length * 8;
    const packed = packSeptets(septets, fill);
    const out = new Uint8Array(1 + h.length + packed.length);
    out[0] = headerSeptets + septets.length;
    out.set(h, 1);
    out.set(packed, 1 + h.length);
    return out;
  }
  const body = ucs2Bytes(text);
  const out = new Uint8Array(1 + h.length + body.length);
  out[0] = h.length + body.length;
  out.set(h, 1);
  out.set(body, 1 + h.length);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
