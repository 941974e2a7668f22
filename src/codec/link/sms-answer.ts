/**
 * The `modem>sms:<stat>` answer (device-link.md §3.3): `1` alone when no modem has messages;
 * otherwise per-modem sections terminated by `#3#`: `<m>##E#3#` (list unreadable) or
 * `<m>##<entry>[##<entry>…]#3#`, an entry being a +CMGL header without its tag, CR LF, the PDU.
 * Entries of one modem are separated by CR LF CR LF `##`. The single-modem SR-Nano sends one
 * section without `#3#`. Leaked text (`1+CPIN: NOT READY#3#`) is tolerated and reported as garbage.
 */

export interface SmsEntry {
  /** Storage index (the text before the first comma). */
  readonly index: number;
  /** +CMGL stat: 0 unread, 1 read, 2 stored unsent, 3 stored sent. */
  readonly stat: number;
  /** The (usually empty) alpha field, without quotes. */
  readonly alpha: string;
  /** TPDU length from the header. */
  readonly length: number;
  /** The PDU hex (with SMSC field). */
  readonly pdu: string;
}

export type SmsSection =
  | { readonly modem: number; readonly status: 'error' }
  /** Text that leaked into a modem's slot instead of a list (`1+CPIN: NOT READY#3#`). */
  | { readonly modem: number; readonly status: 'raw'; readonly text: string }
  | { readonly modem: number; readonly status: 'ok'; readonly entries: readonly SmsEntry[] };

export type SmsAnswer =
  /** `1`: nothing stored, no errors. */
  | { readonly kind: 'empty' }
  /** Nano literals: `Error` (SMS memory unreadable) and `NO RESPONSE`. */
  | { readonly kind: 'device-error'; readonly text: string }
  | { readonly kind: 'sections'; readonly sections: readonly SmsSection[]; readonly garbage: readonly string[] };

export const SMS_TERMINATOR = '#3#';
const HEADER = /^\s*(\d{1,5}),(\d{1,3}),(?:"([^"]*)"|([^,]*)),(\d{1,3})\s*$/;

/** Parses one entry (` 3,0,"",79⏎<PDU>⏎⏎`); `null` when it is not a header line plus a hex PDU. */
export function parseSmsEntry(text: string): SmsEntry | null {
  const lines = text.split(/\r*\n/);
  const m = HEADER.exec(lines[0] ?? '');
  if (!m) return null;
  const pdu = (lines[1] ?? '').trim();
  if (!/^[0-9A-Fa-f]+$/.test(pdu)) return null;
  return { index: Number(m[1]), stat: Number(m[2]), alpha: m[3] ?? m[4] ?? '', length: Number(m[5]), pdu };
}

/** Splits a `modem>sms` answer into sections and entries; never fails. */
export function parseSmsAnswer(payload: string): SmsAnswer {
  const t = payload.trim();
  if (t === '1') return { kind: 'empty' };
  if (t === 'Error' || t === 'NO RESPONSE' || t === 'NULL') return { kind: 'device-error', text: t };
  const sections: SmsSection[] = [];
  const garbage: string[] = [];
  for (const part of payload.split(SMS_TERMINATOR)) {
    if (part.trim() === '') continue;
    const at = part.indexOf('##');
    const m = at > 0 ? part.slice(0, at) : '';
    if (!(at > 0 && /^\d{1,3}$/.test(m))) {
      const leak = /^(\d{1,3})([^\d#][\s\S]*)$/.exec(part);
      if (leak) sections.push({ modem: Number(leak[1]), status: 'raw', text: leak[2]! });
      else garbage.push(part);
      continue;
    }
    const modem = Number(m);
    const body = part.slice(at + 2);
    if (body.trim() === 'E') {
      sections.push({ modem, status: 'error' });
      continue;
    }
    const entries: SmsEntry[] = [];
    for (const e of body.split('##')) {
      if (e.trim() === '') continue;
      const entry = parseSmsEntry(e);
      if (entry) entries.push(entry);
      else garbage.push(e);
    }
    sections.push({ modem, status: 'ok', entries });
  }
  return { kind: 'sections', sections, garbage };
}

/** One entry as the firmware prints it (no trailing line break). */
export function buildSmsEntry(e: { index: number; stat: number; alpha?: string; length: number; pdu: string }): string {
  return ` ${e.index},${e.stat},"${e.alpha ?? ''}",${e.length}\r\n${e.pdu}`;
}

/**
 * Builds the answer byte for byte (inverse of {@link parseSmsAnswer}): `1` when there are no
 * sections; `terminator: false` gives the SR-Nano form without `#3#`.
 */
export function buildSmsAnswer(sections: readonly SmsSection[], options: { terminator?: boolean } = {}): string {
  if (sections.length === 0) return '1';
  const term = options.terminator === false ? '' : SMS_TERMINATOR;
  let s = '';
  for (const sec of sections) {
    if (sec.status === 'raw') s += `${sec.modem}${sec.text}${term}`;
    else s += `${sec.modem}##${sec.status === 'error' ? 'E' : sec.entries.map(buildSmsEntry).join('\r\n\r\n##')}${term}`;
  }
  return s;
}
