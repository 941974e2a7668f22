/**
 * Unsolicited result codes and call-related lines: `+CMTI` / `+CDSI` (new message / status report
 * stored), `+CLIP` (caller id), `RING`, `+CRING`, `NO CARRIER`, `HANGUP`, `+WIND`, `+CUSD`,
 * `+CREG`-family, `+CPIN`, `Call Ready`, `SMS Ready` (TS 27.005 §3.4.1, TS 27.007 §7.6, §6.11).
 */
import { parseCusdAll, type UssdResult } from './cusd.ts';
import { intField, splitFields, unquote } from './fields.ts';
import { parseRegistration, type Registration } from './creg.ts';

export type Urc =
  | { readonly type: '+CMTI' | '+CDSI'; readonly mem: string; readonly index: number }
  | { readonly type: '+CLIP'; readonly number: string; readonly typeOfAddress: number | null; readonly cliValidity: number | null }
  | { readonly type: 'RING' }
  | { readonly type: '+CRING'; readonly callType: string }
  | { readonly type: 'NO CARRIER' }
  | { readonly type: 'HANGUP'; readonly callId: number | null }
  | { readonly type: '+WIND'; readonly indication: number | null; readonly callId: number | null }
  | ({ readonly type: '+CUSD' } & UssdResult)
  | ({ readonly type: '+CREG' } & Registration)
  | { readonly type: '+CPIN'; readonly state: string }
  | { readonly type: 'Call Ready' | 'SMS Ready' };

/** Parses `+CMTI: "<mem>",<index>` (also `+CDSI`). */
export function parseCmti(line: string): { mem: string; index: number } | null {
  const m = /\+C(?:MTI|DSI):[ \t]*"?([^",]*)"?[ \t]*,[ \t]*(\d+)/.exec(line);
  return m ? { mem: m[1]!, index: Number(m[2]) } : null;
}

/** Parses `+CLIP: "<number>",<type>[,<subaddr>,<satype>,<alpha>,<CLI validity>]`. */
export function parseClip(line: string): { number: string; typeOfAddress: number | null; cliValidity: number | null } | null {
  const m = /\+CLIP:[ \t]*([^\r\n]*)/.exec(line);
  if (!m) return null;
  const f = splitFields(m[1]!);
  return { number: unquote(f[0] ?? ''), typeOfAddress: intField(f[1]), cliValidity: f.length >= 6 ? intField(f[5]) : null };
}

/** Every URC in a chunk of modem output, in order. Lines that are not URCs are skipped. */
export function parseUrcs(text: string): Urc[] {
  const out: Urc[] = [];
  // +CUSD payloads may span lines: take them from the whole text, then walk the other lines.
  const cusd = parseCusdAll(text);
  let cusdIndex = 0;
  let inQuote = false;
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.replace(/^[12]:[ \t]?/, '').trim();
    if (inQuote) {
      if ((line.match(/"/g) ?? []).length % 2 === 1) inQuote = false;
      continue;
    }
    if (line === '') continue;
    if (line.startsWith('+CUSD:')) {
      const c = cusd[cusdIndex++];
      if (c) out.push({ type: '+CUSD', ...c });
      if ((line.match(/"/g) ?? []).length % 2 === 1) inQuote = true;
      continue;
    }
    if (line.startsWith('+CMTI:') || line.startsWith('+CDSI:')) {
      const c = parseCmti(line);
      if (c) out.push({ type: line.startsWith('+CMTI') ? '+CMTI' : '+CDSI', ...c });
    } else if (line.startsWith('+CLIP:')) {
      const c = parseClip(line);
      if (c) out.push({ type: '+CLIP', ...c });
    } else if (line === 'RING') out.push({ type: 'RING' });
    else if (line.startsWith('+CRING:')) out.push({ type: '+CRING', callType: line.slice(7).trim() });
    else if (line === 'NO CARRIER') out.push({ type: 'NO CARRIER' });
    else if (line.startsWith('HANGUP:')) out.push({ type: 'HANGUP', callId: intField(line.slice(7)) });
    else if (line.startsWith('+WIND:')) {
      const f = splitFields(line.slice(6));
      out.push({ type: '+WIND', indication: intField(f[0]), callId: intField(f[1]) });
    } else if (/^\+C(G|E)?REG:/.test(line)) {
      const r = parseRegistration(line, { solicited: false });
      if (r.ok) out.push({ type: '+CREG', ...r.value });
    } else if (line.startsWith('+CPIN:')) out.push({ type: '+CPIN', state: unquote(line.slice(6).trim()) });
    else if (line === 'Call Ready' || line === 'SMS Ready') out.push({ type: line });
  }
  return out;
}
