/**
 * Encodes SMS-DELIVER PDUs (3GPP TS 23.040 §9.2.2.1) as a modem would list them: what the
 * simulator's mobile network puts into a virtual SIM.
 */
import { bytesToHex } from '../hex.ts';
import { fail, ok, type Result } from '../result.ts';
import { encodeSmsc, encodeTpAddress, numberType, type AddressType } from './address.ts';
import { dcsByte } from './dcs.ts';
import { encodeScts } from './scts.ts';
import { planText, type TextEncoding } from './split.ts';
import { concatUdh } from './udh.ts';
import { concatBytes, encodeUserData } from './user-data-encode.ts';

export interface DeliverOptions {
  /** SMSC number (`+…` international); absent = SMSC length 0. */
  readonly smsc?: string | null;
  /** Originator: a number (`+…` = international) or an alphanumeric name. */
  readonly sender: string;
  /**
   * Type of the originator. Default: `international` for `+digits`, `unknown` for digits only,
   * `alphanumeric` otherwise.
   */
  readonly senderType?: 'international' | 'national' | 'unknown' | 'alphanumeric';
  readonly text: string;
  /** Service-centre time stamp (Date or epoch ms). */
  readonly timestamp: Date | number;
  /** Zone of the time stamp in quarter hours (Moscow = 12). Default 0. */
  readonly tzQuarterHours?: number;
  readonly encoding?: TextEncoding;
  /** Concatenation IE for one part of a long message. */
  readonly concat?: { readonly ref: number; readonly total: number; readonly seq: number; readonly refBits?: 8 | 16 };
  readonly pid?: number;
  /** TP-MMS: true clears the "no more messages" bit (first octet 0x00/0x40 instead of 0x04/0x44). */
  readonly moreMessages?: boolean;
  readonly messageClass?: 0 | 1 | 2 | 3 | null;
}

export interface DeliverPdu {
  /** Upper-case hex including the SMSC field. */
  readonly hex: string;
  /** Octets after the SMSC field (the `<length>` a +CMGL / +CMGR header shows). */
  readonly tpduLength: number;
}

function senderAddress(sender: string, senderType: DeliverOptions['senderType']): Result<Uint8Array> {
  let type: AddressType;
  let value = sender;
  if (senderType === 'alphanumeric') type = 'alphanumeric';
  else if (senderType !== undefined) {
    const n = numberType(sender, senderType);
    value = n.digits;
    type = senderType === 'international' ? 'international' : n.type;
  } else if (/^\+\d+$/.test(sender)) {
    value = sender.slice(1);
    type = 'international';
  } else if (/^[0-9*#]+$/.test(sender)) type = 'unknown';
  else type = 'alphanumeric';
  return encodeTpAddress(value, type);
}

/** Encodes one SMS-DELIVER; the text must fit one part (160 septets / 70 UCS2 units, less with `concat`). */
export function encodeDeliver(o: DeliverOptions): Result<DeliverPdu> {
  const smsc = encodeSmsc(o.smsc, 'international');
  if (!smsc.ok) return smsc;
  const ms = typeof o.timestamp === 'number' ? o.timestamp : o.timestamp.getTime();
  if (!Number.isFinite(ms)) return fail('BAD_TIMESTAMP', 'the time stamp is not a valid date', 'timestamp');
  const oa = senderAddress(o.sender, o.senderType);
  if (!oa.ok) return oa;
  const refBits = o.concat?.refBits ?? 8;
  const plan = planText(o.text, o.encoding ?? 'auto', refBits);
  if (!plan.ok) return plan;
  const { alphabet, parts } = plan.value;
  const udh = o.concat ? concatUdh(o.concat, refBits) : null;
  if (parts.length > 1 || (udh && !fitsWithHeader(alphabet, parts[0] ?? '', udh.length))) {
    return fail('TEXT_TOO_LONG', 'the text does not fit one SMS-DELIVER; use encodeDeliverParts', 'text');
  }
  if (o.concat && (o.concat.total < 1 || o.concat.total > 255 || o.concat.seq < 1 || o.concat.seq > o.concat.total)) {
    return fail('BAD_CONCAT', 'concat needs 1 ≤ seq ≤ total ≤ 255', 'concat');
  }
  const fo = (o.moreMessages ? 0 : 0x04) | (udh ? 0x40 : 0);
  const tpdu = concatBytes([
    new Uint8Array([fo]),
    oa.value,
    new Uint8Array([(o.pid ?? 0) & 0xff, dcsByte(alphabet, o.messageClass ?? null)]),
    encodeScts(o.timestamp, o.tzQuarterHours ?? 0),
    encodeUserData(alphabet, o.text, udh),
  ]);
  return ok({ hex: bytesToHex(smsc.value) + bytesToHex(tpdu), tpduLength: tpdu.length });
}

function fitsWithHeader(alphabet: 'gsm7' | 'ucs2', text: string, udhOctets: number): boolean {
  if (alphabet === 'ucs2') return udhOctets + 2 * text.length <= 140;
  const ud = encodeUserData('gsm7', text, new Uint8Array(udhOctets));
  return ud[0]! <= 160;
}

/**
 * Splits a text into as many SMS-DELIVER parts as it needs, with concatenation reference `ref`
 * (a single PDU without UDH when the text fits one part).
 */
export function encodeDeliverParts(o: Omit<DeliverOptions, 'concat'> & { readonly ref: number; readonly refBits?: 8 | 16 }): Result<readonly DeliverPdu[]> {
  const refBits = o.refBits ?? 8;
  const plan = planText(o.text, o.encoding ?? 'auto', refBits);
  if (!plan.ok) return plan;
  const { alphabet, parts } = plan.value;
  const out: DeliverPdu[] = [];
  for (let i = 0; i < parts.length; i++) {
    const concat = parts.length > 1 ? { ref: o.ref, total: parts.length, seq: i + 1, refBits } : undefined;
    const base = { ...o, text: parts[i]!, encoding: alphabet };
    const r = encodeDeliver(concat ? { ...base, concat } : base);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}
