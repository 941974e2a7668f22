/**
 * Encodes SMS-SUBMIT PDUs for `AT+CMGS` in PDU mode (3GPP TS 23.040 §9.2.2.2): GSM 7-bit when the
 * text fits the default alphabet and its extension table, UCS2 otherwise; long texts become
 * concatenated parts.
 */
import { bytesToHex } from '../hex.ts';
import { fail, ok, type Result } from '../result.ts';
import { encodeSmsc, encodeTpAddress, numberType, type AddressType } from './address.ts';
import { dcsByte } from './dcs.ts';
import { relativeValidityOctet } from './pdu.ts';
import { encodeScts } from './scts.ts';
import { planText, type TextEncoding } from './split.ts';
import { concatUdh } from './udh.ts';
import { concatBytes, encodeUserData } from './user-data-encode.ts';

export type SubmitValidity =
  | { readonly kind: 'relative'; readonly seconds: number }
  | { readonly kind: 'absolute'; readonly at: Date | number; readonly tzQuarterHours: number };

export interface SubmitOptions {
  /** Recipient: `+<digits>` = international; other numbers take `toType` (default `national`). */
  readonly to: string;
  readonly text: string;
  readonly toType?: AddressType;
  /** SMSC number; absent = `00`, the modem's configured SMSC. */
  readonly smsc?: string | null;
  readonly encoding?: TextEncoding;
  /** TP-MR (0–255); default 0 (modems usually assign their own). */
  readonly reference?: number;
  /** Concatenation reference; default `reference`. */
  readonly concatRef?: number;
  /** Concatenation IE: 8-bit reference (IE 0x00, default) or 16-bit (IE 0x08). */
  readonly concatRefBits?: 8 | 16;
  readonly validity?: SubmitValidity | null;
  readonly requestStatusReport?: boolean;
  readonly rejectDuplicates?: boolean;
  /** Message class (0 = flash); default none. */
  readonly messageClass?: 0 | 1 | 2 | 3 | null;
}

/** One PDU ready for `AT+CMGS=<cmgsLength>` followed by `hex` and Ctrl-Z. */
export interface OutgoingPdu {
  readonly hex: string;
  /** Octets after the SMSC field — the `AT+CMGS` length. */
  readonly cmgsLength: number;
  readonly seq: number;
  readonly total: number;
}

/** Encodes every part of an outgoing message. */
export function encodeSubmit(o: SubmitOptions): Result<readonly OutgoingPdu[]> {
  const smsc = encodeSmsc(o.smsc);
  if (!smsc.ok) return smsc;
  const { digits, type } = numberType(o.to, o.toType ?? 'national');
  const da = encodeTpAddress(digits, type);
  if (!da.ok) return da;
  const refBits = o.concatRefBits ?? 8;
  const plan = planText(o.text, o.encoding ?? 'auto', refBits);
  if (!plan.ok) return plan;
  const reference = (o.reference ?? 0) & 0xff;
  const concatRef = o.concatRef ?? reference;
  let vpf = 0;
  let vp: Uint8Array = new Uint8Array(0);
  if (o.validity) {
    if (o.validity.kind === 'relative') {
      vpf = 2;
      vp = new Uint8Array([relativeValidityOctet(o.validity.seconds)]);
    } else {
      const at = typeof o.validity.at === 'number' ? o.validity.at : o.validity.at.getTime();
      if (!Number.isFinite(at)) return fail('BAD_TIMESTAMP', 'the validity date is not a valid date', 'validity');
      vpf = 3;
      vp = encodeScts(o.validity.at, o.validity.tzQuarterHours);
    }
  }
  const { alphabet, parts } = plan.value;
  const total = parts.length;
  const dcs = dcsByte(alphabet, o.messageClass ?? null);
  const out: OutgoingPdu[] = [];
  for (let i = 0; i < total; i++) {
    const udh = total > 1 ? concatUdh({ ref: concatRef, total, seq: i + 1 }, refBits) : null;
    const fo = 0x01 | (o.rejectDuplicates ? 0x04 : 0) | (vpf << 3) | (o.requestStatusReport ? 0x20 : 0) | (udh ? 0x40 : 0);
    const tpdu = concatBytes([new Uint8Array([fo, reference]), da.value, new Uint8Array([0, dcs]), vp, encodeUserData(alphabet, parts[i]!, udh)]);
    out.push({ hex: bytesToHex(smsc.value) + bytesToHex(tpdu), cmgsLength: tpdu.length, seq: i + 1, total });
  }
  return ok(out);
}
