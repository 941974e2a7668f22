/**
 * The values an SMS PDU decodes to (3GPP TS 23.040 §9.2.2): SMS-DELIVER (received),
 * SMS-SUBMIT (as stored on a SIM and listed by +CMGL) and SMS-STATUS-REPORT. Plain, readonly, tagged.
 */
import type { Address } from './address.ts';
import type { DataCoding } from './dcs.ts';
import type { Scts } from './scts.ts';
import type { Concat, Udh } from './udh.ts';

interface Common {
  /** SMSC address, `null` when the SMSC length was 0 or the PDU was a bare TPDU. */
  readonly smsc: Address | null;
  /** The first TPDU octet. */
  readonly firstOctet: number;
  /** Octets after the SMSC field (the `<length>` of +CMGL / +CMGR / AT+CMGS). */
  readonly tpduLength: number;
  /** Lenient-mode note (user data shorter than announced), else `null`. */
  readonly warning: string | null;
}

interface Payload {
  /** TP-PID. */
  readonly pid: number;
  readonly dcs: DataCoding;
  readonly udh: Udh | null;
  /** Shortcut to `udh.concat`. */
  readonly concat: Concat | null;
  /** Decoded text; `null` for 8-bit data. May hold a lone surrogate when a pair is split across parts. */
  readonly text: string | null;
  /** 8-bit payload (after any UDH) as upper-case hex, else `null`. */
  readonly data: string | null;
}

export interface SmsDeliver extends Common, Payload {
  readonly kind: 'deliver';
  /** TP-OA. */
  readonly sender: Address;
  /** TP-SCTS. */
  readonly timestamp: Scts;
  /** TP-MMS inverted: true when the SMSC has more messages waiting. */
  readonly moreMessages: boolean;
  readonly statusReportIndication: boolean;
  readonly replyPath: boolean;
}

export type Validity =
  | { readonly kind: 'relative'; readonly raw: number; readonly seconds: number }
  | { readonly kind: 'absolute'; readonly at: Scts }
  | { readonly kind: 'enhanced'; readonly hex: string };

export interface SmsSubmit extends Common, Payload {
  readonly kind: 'submit';
  /** TP-MR. */
  readonly reference: number;
  /** TP-DA. */
  readonly recipient: Address;
  readonly validity: Validity | null;
  readonly rejectDuplicates: boolean;
  readonly statusReportRequest: boolean;
  readonly replyPath: boolean;
}

export interface SmsStatusReport extends Common {
  readonly kind: 'status-report';
  /** TP-MR of the message this report is about. */
  readonly reference: number;
  /** TP-RA. */
  readonly recipient: Address;
  /** TP-SCTS: when the SMSC received the original message. */
  readonly timestamp: Scts;
  /** TP-DT: discharge time. */
  readonly discharge: Scts;
  /** TP-ST: 0x00–0x1F delivered, 0x20–0x3F still trying, 0x40+ permanent failure. */
  readonly status: number;
}

export type SmsPdu = SmsDeliver | SmsSubmit | SmsStatusReport;

/** TP-VP relative value → seconds (TS 23.040 §9.2.3.12.1). */
export function relativeValiditySeconds(vp: number): number {
  if (vp <= 143) return (vp + 1) * 300;
  if (vp <= 167) return 12 * 3600 + (vp - 143) * 1800;
  if (vp <= 196) return (vp - 166) * 86400;
  return (vp - 192) * 7 * 86400;
}

/** Seconds → the smallest TP-VP relative value that covers them (capped at 63 weeks). */
export function relativeValidityOctet(seconds: number): number {
  const s = Math.max(0, seconds);
  if (s <= 12 * 3600) return Math.max(0, Math.ceil(s / 300) - 1);
  if (s <= 24 * 3600) return 143 + Math.ceil((s - 12 * 3600) / 1800);
  if (s <= 30 * 86400) return 166 + Math.ceil(s / 86400);
  return Math.min(255, 192 + Math.ceil(s / (7 * 86400)));
}
