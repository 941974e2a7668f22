/**
 * Decodes one SMS PDU as a modem prints it in PDU mode (+CMGL, +CMGR, +CMT): SMSC field, then the
 * TPDU — SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT (3GPP TS 23.040 §9.2.2). Every read is
 * bounds-checked and names the field it could not read; nothing throws.
 */
import { bytesToHex, hexToBytes } from '../hex.ts';
import { fail, ok, type Result } from '../result.ts';
import { readSmsc, readTpAddress, type Address } from './address.ts';
import { parseDcs } from './dcs.ts';
import { relativeValiditySeconds, type SmsDeliver, type SmsPdu, type SmsStatusReport, type SmsSubmit, type Validity } from './pdu.ts';
import { decodeScts } from './scts.ts';
import { decodeUserData } from './user-data.ts';

export interface DecodeOptions {
  /** `false` when the hex is a bare TPDU (the modem was told the SMSC length is 0). Default `true`. */
  readonly smsc?: boolean;
  /** Decode what is there when TP-UD is shorter than TP-UDL (with a warning) instead of failing. */
  readonly lenient?: boolean;
}

/** Decodes a PDU given as hex (either case; surrounding whitespace ignored). */
export function decodePdu(hex: string, options: DecodeOptions = {}): Result<SmsPdu> {
  const bytes = hexToBytes(hex.trim());
  if (!bytes.ok) return bytes;
  return decodePduBytes(bytes.value, options);
}

/** Decodes a PDU given as bytes. */
export function decodePduBytes(bytes: Uint8Array, options: DecodeOptions = {}): Result<SmsPdu> {
  let smsc: Address | null = null;
  let p = 0;
  if (options.smsc !== false) {
    const s = readSmsc(bytes);
    if (!s.ok) return s;
    smsc = s.value.address;
    p = s.value.next;
  }
  if (p >= bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read the first TPDU octet', 'TP-MTI', p);
  const fo = bytes[p]!;
  const head = { smsc, firstOctet: fo, tpduLength: bytes.length - p, lenient: options.lenient === true };
  switch (fo & 3) {
    case 0:
      return deliver(bytes, p + 1, head);
    case 1:
      return submit(bytes, p + 1, head);
    case 2:
      return statusReport(bytes, p + 1, head);
    default:
      return fail('UNSUPPORTED_TYPE', 'TP-MTI 3 is a reserved message type', 'TP-MTI', p);
  }
}

interface Head {
  readonly smsc: Address | null;
  readonly firstOctet: number;
  readonly tpduLength: number;
  readonly lenient: boolean;
}

/** Fields every decoded SMS-DELIVER and SMS-SUBMIT carries from the PDU's head and user data. */
function headFields(h: Head, u: UserData) {
  return { smsc: h.smsc, firstOctet: h.firstOctet, tpduLength: h.tpduLength, warning: u.warning };
}

function userDataFields(fo: number, pid: number, dcs: ReturnType<typeof parseDcs>, u: UserData) {
  return { replyPath: (fo & 0x80) !== 0, pid, dcs, udh: u.udh, concat: u.udh?.concat ?? null, text: u.text, data: u.data };
}

type UserData = Extract<ReturnType<typeof decodeUserData>, { ok: true }>['value'];

function deliver(bytes: Uint8Array, p: number, h: Head): Result<SmsDeliver> {
  const oa = readTpAddress(bytes, p, 'TP-OA');
  if (!oa.ok) return oa;
  p = oa.value.next;
  if (p + 9 > bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-PID, TP-DCS and TP-SCTS', 'TP-SCTS', p);
  const pid = bytes[p]!;
  const dcs = parseDcs(bytes[p + 1]!);
  const timestamp = decodeScts(bytes, p + 2);
  const fo = h.firstOctet;
  const ud = decodeUserData(bytes, p + 9, dcs, (fo & 0x40) !== 0, h.lenient);
  if (!ud.ok) return ud;
  const u = ud.value;
  return ok({
    kind: 'deliver',
    ...headFields(h, u),
    sender: oa.value.address,
    timestamp,
    moreMessages: (fo & 0x04) === 0,
    statusReportIndication: (fo & 0x20) !== 0,
    ...userDataFields(fo, pid, dcs, u),
  });
}

function submit(bytes: Uint8Array, p: number, h: Head): Result<SmsSubmit> {
  if (p >= bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-MR', 'TP-MR', p);
  const reference = bytes[p]!;
  const da = readTpAddress(bytes, p + 1, 'TP-DA');
  if (!da.ok) return da;
  p = da.value.next;
  if (p + 2 > bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-PID and TP-DCS', 'TP-DCS', p);
  const pid = bytes[p]!;
  const dcs = parseDcs(bytes[p + 1]!);
  p += 2;
  const fo = h.firstOctet;
  const vpf = (fo >> 3) & 3;
  let validity: Validity | null = null;
  if (vpf === 2) {
    if (p + 1 > bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-VP', 'TP-VP', p);
    validity = { kind: 'relative', raw: bytes[p]!, seconds: relativeValiditySeconds(bytes[p]!) };
    p += 1;
  } else if (vpf !== 0) {
    if (p + 7 > bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-VP', 'TP-VP', p);
    validity = vpf === 3 ? { kind: 'absolute', at: decodeScts(bytes, p) } : { kind: 'enhanced', hex: bytesToHex(bytes, p, p + 7) };
    p += 7;
  }
  const ud = decodeUserData(bytes, p, dcs, (fo & 0x40) !== 0, h.lenient);
  if (!ud.ok) return ud;
  const u = ud.value;
  return ok({
    kind: 'submit',
    ...headFields(h, u),
    reference,
    recipient: da.value.address,
    validity,
    rejectDuplicates: (fo & 0x04) !== 0,
    statusReportRequest: (fo & 0x20) !== 0,
    ...userDataFields(fo, pid, dcs, u),
  });
}

function statusReport(bytes: Uint8Array, p: number, h: Head): Result<SmsStatusReport> {
  if (p >= bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-MR', 'TP-MR', p);
  const reference = bytes[p]!;
  const ra = readTpAddress(bytes, p + 1, 'TP-RA');
  if (!ra.ok) return ra;
  p = ra.value.next;
  if (p + 15 > bytes.length) return fail('PDU_TOO_SHORT', 'PDU too short, cannot read TP-SCTS, TP-DT and TP-ST', 'TP-ST', p);
  // Optional TP-PI / PID / DCS / UD after TP-ST are not needed by the panel and are not read.
  return ok({
    kind: 'status-report',
    smsc: h.smsc,
    firstOctet: h.firstOctet,
    tpduLength: h.tpduLength,
    warning: null,
    reference,
    recipient: ra.value.address,
    timestamp: decodeScts(bytes, p),
    discharge: decodeScts(bytes, p + 7),
    status: bytes[p + 14]!,
  });
}
