/**
 * Message storage and sending replies (3GPP TS 27.005 §3.4.2, §3.4.3, §3.5.1, §4.1): `+CMGL`,
 * `+CMGR` in PDU mode and in text mode (including text-mode status reports), `+CMGS`.
 */
import { fail, ok, type Result } from '../result.ts';
import { formatOffset } from '../sms/scts.ts';
import { intField, isQuoted, splitFields, unquote } from './fields.ts';
import { parseFinalLine, type FinalResult } from './lines.ts';
import { parseUrcs, type Urc } from './urc.ts';

export type StoredMessage =
  | {
      readonly mode: 'pdu';
      readonly index: number | null;
      /** 0 unread, 1 read, 2 stored unsent, 3 stored sent; `null` when the modem left it empty. */
      readonly stat: number | null;
      readonly alpha: string;
      readonly length: number | null;
      readonly pdu: string;
    }
  | {
      readonly mode: 'text';
      readonly index: number | null;
      /** `REC UNREAD`, `REC READ`, `STO UNSENT`, `STO SENT`. */
      readonly stat: string;
      readonly sender: string;
      /** ISO 8601 with offset, or `null`. */
      readonly timestamp: string | null;
      readonly text: string;
    }
  | {
      readonly mode: 'text-status-report';
      readonly stat: string | null;
      readonly fo: number | null;
      readonly mr: number | null;
      readonly recipient: string;
      readonly toa: number | null;
      readonly scts: string | null;
      readonly discharge: string | null;
      readonly status: number | null;
    };

/** Text-mode time stamp `yy/MM/dd,hh:mm:ss±zz` (zz in quarter hours) → ISO 8601. */
export function textModeTimestamp(s: string): string | null {
  const m = /^(\d\d)\/(\d\d)\/(\d\d),(\d\d):(\d\d):(\d\d)([+-]\d{1,2})?$/.exec(unquote(s.trim()));
  if (!m) return null;
  return `20${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${formatOffset(m[7] === undefined ? 0 : Number(m[7]))}`;
}

/** Cuts the trailing final result code (and blank lines) off a record's content. */
function stripFinal(content: string): string {
  return content.replace(/(?:\r?\n|\r)+\s*(?:OK|ERROR|\+CM[ES] ERROR:[^\r\n]*)?\s*$/, '').replace(/^(?:\r?\n|\r)/, '');
}

function record(tag: '+CMGL:' | '+CMGR:', header: string, content: string, hasIndex: boolean): StoredMessage | null {
  const f = splitFields(header);
  const index = hasIndex ? intField(f.shift()) : null;
  const first = f[0] ?? '';
  if (isQuoted(first) && !/^"\d*"$/.test(first)) {
    // Text mode: "<stat>","<oa>",[<alpha>],"<scts>"[,<tooa>,<length>]
    return { mode: 'text', index, stat: unquote(first), sender: unquote(f[1] ?? ''), timestamp: textModeTimestamp(f[3] ?? ''), text: stripFinal(content) };
  }
  if (f.length >= 7 && intField(f[1]) !== null && tag === '+CMGR:') {
    // Text-mode status report: <stat>,<fo>,<mr>,[<ra>],[<tora>],<scts>,<dt>,<st>
    return {
      mode: 'text-status-report',
      stat: first === '' ? null : unquote(first),
      fo: intField(f[1]),
      mr: intField(f[2]),
      recipient: unquote(f[3] ?? ''),
      toa: intField(f[4]),
      scts: textModeTimestamp(f[5] ?? ''),
      discharge: textModeTimestamp(f[6] ?? ''),
      status: intField(f[7]),
    };
  }
  // PDU mode: <stat>,[<alpha>],<length> (some modems omit <alpha>; some put the PDU on the same line).
  let last = f[f.length - 1] ?? '';
  let pdu = '';
  const inline = /^(\d+)\s+([0-9A-Fa-f]+)$/.exec(last);
  if (inline) {
    last = inline[1]!;
    pdu = inline[2]!;
  } else {
    pdu = (content.split(/\r?\n|\r/).find((l) => l.trim() !== '') ?? '').trim();
  }
  // The PDU is returned as listed (even a truncated one); decoding it is the decoder's job.
  if (!/^[0-9A-Fa-f]+$/.test(pdu)) return null;
  return { mode: 'pdu', index, stat: intField(first), alpha: f.length >= 3 ? unquote(f[1]!) : '', length: intField(last), pdu };
}

function records(text: string, tag: '+CMGL:' | '+CMGR:'): StoredMessage[] {
  const out: StoredMessage[] = [];
  const starts: number[] = [];
  for (let i = text.indexOf(tag); i >= 0; i = text.indexOf(tag, i + tag.length)) starts.push(i);
  for (let k = 0; k < starts.length; k++) {
    const chunk = text.slice(starts[k]! + tag.length, starts[k + 1] ?? text.length);
    const nl = chunk.search(/[\r\n]/);
    const header = (nl < 0 ? chunk : chunk.slice(0, nl)).trim();
    const content = nl < 0 ? '' : chunk.slice(nl);
    const r = record(tag, header, content, tag === '+CMGL:');
    if (r) out.push(r);
  }
  return out;
}

/** Every message of a `+CMGL` listing (PDU or text mode); malformed records are skipped. */
export function parseCmgl(text: string): StoredMessage[] {
  return records(text, '+CMGL:');
}

/** The message of a `+CMGR` reply. */
export function parseCmgr(text: string): Result<StoredMessage> {
  const r = records(text, '+CMGR:')[0];
  return r ? ok(r) : fail('NO_MATCH', 'no readable +CMGR record', 'CMGR');
}

export interface SendResult {
  /** The `>` prompt was seen. */
  readonly prompt: boolean;
  /** TP-MR the network assigned, or `null` when there is no `+CMGS`. */
  readonly mr: number | null;
  readonly final: FinalResult | null;
  /** Other URCs that arrived in the same output (`+CDSI`, `+CMTI`, …). */
  readonly urcs: readonly Urc[];
}

/** Parses the output of `AT+CMGS` (prompt, `+CMGS: <mr>`, final result, URCs). */
export function parseCmgs(text: string): Result<SendResult> {
  const lines = text.split(/\r?\n|\r/).map((l) => l.trim());
  const prompt = lines.some((l) => l.startsWith('>'));
  const m = /\+CMGS:[ \t]*(\d+)/.exec(text);
  let final: FinalResult | null = null;
  for (const l of lines) final = parseFinalLine(l) ?? final;
  if (!m) {
    if (final && final.type !== 'OK') return ok({ prompt, mr: null, final, urcs: [] });
    return fail('NO_MATCH', 'no +CMGS in the reply', 'CMGS');
  }
  return ok({ prompt, mr: Number(m[1]), final, urcs: parseUrcs(text) });
}
