/**
 * The `modem>pack:<AT>##<targets>##<mode>` answer (device-link.md §3.3): for each modem
 * `<m>##<raw modem output>#1#`. Empty outputs (`5###1#`) and garbled sections (`3##AT+CREG?⏎+,⏎/#1#`
 * was logged) are tolerated: a section whose modem number is not a number goes to `garbage`.
 */

export interface PackSection {
  readonly modem: number;
  /** What the modem printed: echo, reply lines, blank line, final result (may be empty). */
  readonly output: string;
}

export interface PackAnswer {
  readonly sections: readonly PackSection[];
  /** Text that could not be attributed to a modem (including an unterminated tail). */
  readonly garbage: readonly string[];
}

export const PACK_TERMINATOR = '#1#';

/** Splits a pack answer into per-modem outputs; never fails. */
export function parsePackAnswer(payload: string): PackAnswer {
  const sections: PackSection[] = [];
  const garbage: string[] = [];
  const parts = payload.split(PACK_TERMINATOR);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const at = part.indexOf('##');
    const m = at > 0 ? part.slice(0, at) : '';
    if (at > 0 && /^\d{1,3}$/.test(m)) sections.push({ modem: Number(m), output: part.slice(at + 2) });
    else garbage.push(part);
  }
  return { sections, garbage };
}

/** Builds the answer byte for byte as the firmware does (inverse of {@link parsePackAnswer}). */
export function buildPackAnswer(sections: readonly PackSection[]): string {
  let s = '';
  for (const sec of sections) s += `${sec.modem}##${sec.output}${PACK_TERMINATOR}`;
  return s;
}
