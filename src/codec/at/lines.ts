/**
 * Generic shape of a modem's output (3GPP TS 27.007 §4–5, V.250): optional command echo, response
 * lines, unsolicited result codes, a final result code. SIM Roulette boards forward the output
 * verbatim (echo + CR CR CR LF + reply, no trailing CR LF); two-modem boxes prefix lines with
 * `1:` / `2:` (device-link.md §2.3).
 */
import { cmeErrorMeaning, cmsErrorMeaning } from './errors.ts';

export type FinalResult =
  | { readonly type: 'OK' }
  | { readonly type: 'ERROR'; readonly text: string }
  | { readonly type: 'CME'; readonly code: number | null; readonly meaning: string; readonly text: string }
  | { readonly type: 'CMS'; readonly code: number | null; readonly meaning: string; readonly text: string }
  | { readonly type: 'NO CARRIER' | 'BUSY' | 'NO ANSWER' | 'NO DIALTONE' | 'CONNECT' };

/** Splits on any CR/LF run and drops empty lines (after trimming). */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split(/[\r\n]+/)) {
    const t = l.trim();
    if (t !== '') out.push(t);
  }
  return out;
}

/**
 * Removes `1:` / `2:` modem prefixes from every line. `modem` is the prefix of the first prefixed
 * line, or `null` when no line was prefixed.
 */
export function stripModemPrefix(text: string): { modem: number | null; text: string } {
  let modem: number | null = null;
  const stripped = text.replace(/(^|[\r\n])([12]):[ \t]?/g, (_m, lead: string, n: string) => {
    if (modem === null) modem = Number(n);
    return lead;
  });
  return { modem, text: stripped };
}

/**
 * Removes the command echo: the first line when it starts with `AT` (any case). Returns the echo
 * (or `null`) and the rest of the text.
 */
export function stripEcho(text: string): { echo: string | null; rest: string } {
  const lead = /^[\r\n]*/.exec(text)![0].length;
  if (!/^at/i.test(text.slice(lead))) return { echo: null, rest: text };
  const m = /[\r\n]/.exec(text.slice(lead));
  if (!m) return { echo: text.slice(lead).trim(), rest: '' };
  return { echo: text.slice(lead, lead + m.index).trim(), rest: text.slice(lead + m.index) };
}

/** A final result code line, or `null` when the line is not one. */
export function parseFinalLine(line: string): FinalResult | null {
  const t = line.trim();
  if (t === 'OK') return { type: 'OK' };
  if (t === 'ERROR' || t === 'COMMAND NOT SUPPORT' || t === 'TOO MANY PARAMETERS') return { type: 'ERROR', text: t };
  const cme = /^\+CME ERROR:\s*(.*)$/.exec(t);
  if (cme) {
    const code = /^\d+$/.test(cme[1]!) ? Number(cme[1]) : null;
    return { type: 'CME', code, meaning: code === null ? cme[1]! : cmeErrorMeaning(code), text: t };
  }
  const cms = /^\+CMS ERROR:\s*(.*)$/.exec(t);
  if (cms) {
    const code = /^\d+$/.test(cms[1]!) ? Number(cms[1]) : null;
    return { type: 'CMS', code, meaning: code === null ? cms[1]! : cmsErrorMeaning(code), text: t };
  }
  if (t === 'NO CARRIER' || t === 'BUSY' || t === 'NO ANSWER' || t === 'NO DIALTONE' || t === 'CONNECT') return { type: t };
  return null;
}

export interface ModemOutput {
  /** Modem number from a `1:` / `2:` prefix, else `null`. */
  readonly modem: number | null;
  readonly echo: string | null;
  /** Non-empty lines between the echo and the final result (URCs included). */
  readonly lines: readonly string[];
  /** The last final result code (`OK`, `ERROR`, `+CME ERROR: n`, …), or `null`. */
  readonly final: FinalResult | null;
  /** Lines after the final result (URCs that arrived in the same message). */
  readonly after: readonly string[];
  /** The text after the echo with prefixes removed, for parsers that need multi-line fields. */
  readonly body: string;
}

/** Splits one modem output into echo, lines and final result; never fails. */
export function parseModemOutput(raw: string): ModemOutput {
  const p = stripModemPrefix(raw);
  const { echo, rest } = stripEcho(p.text);
  const all = splitLines(rest);
  let finalAt = -1;
  let final: FinalResult | null = null;
  for (let i = 0; i < all.length; i++) {
    const f = parseFinalLine(all[i]!);
    // NO CARRIER etc. are final only for a dial; as the first final-looking line they still count.
    if (f && (final === null || f.type === 'OK' || f.type === 'ERROR' || f.type === 'CME' || f.type === 'CMS')) {
      final = f;
      finalAt = i;
    }
  }
  return {
    modem: p.modem,
    echo,
    lines: finalAt < 0 ? all : all.slice(0, finalAt),
    final,
    after: finalAt < 0 ? [] : all.slice(finalAt + 1),
    body: rest,
  };
}
