/** Comma-separated AT response fields, with double-quoted strings that may contain commas. */

/** Splits `a,"b,c",d` into `['a', '"b,c"', 'd']` (quotes kept, whitespace trimmed). */
export function splitFields(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** Removes one pair of surrounding double quotes. */
export function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

export function isQuoted(s: string): boolean {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"');
}

/** Decimal integer or `null`. */
export function intField(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = unquote(s.trim());
  return /^-?\d{1,9}$/.test(t) ? Number(t) : null;
}

/** Leading hex digits as a number (0 when there are none), as strtoul would read them. */
export function hexField(s: string | undefined): number {
  if (s === undefined) return 0;
  const m = /^[0-9A-Fa-f]{1,8}/.exec(unquote(s.trim()).trim());
  return m ? parseInt(m[0], 16) : 0;
}

/** The text after `<tag>:` on the first line that has it, or `null`. */
export function valueAfterTag(text: string, tag: string): string | null {
  const i = text.indexOf(tag + ':');
  if (i < 0) return null;
  const rest = text.slice(i + tag.length + 1);
  const end = rest.search(/[\r\n]/);
  return (end < 0 ? rest : rest.slice(0, end)).trim();
}
