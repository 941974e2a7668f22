/**
 * Delimited text (CSV with tab, `;` or `,`) → rows of cells, or a typed error naming the line.
 * RFC 4180 quoting ("a ""b""" → a "b"), CRLF or LF line ends; a quote inside an unquoted cell is
 * kept literally (what Excel and PHP's fgetcsv do). Bounded: at most `maxRows` rows and
 * `maxCellChars` characters per cell, so a hostile file cannot exhaust memory.
 */

export type Separator = '\t' | ';' | ',';

export type DelimitedError =
  | { code: 'CSV_UNTERMINATED_QUOTE'; line: number }
  | { code: 'CSV_BAD_QUOTE'; line: number }
  | { code: 'CSV_TOO_MANY_ROWS'; line: number; limit: number }
  | { code: 'CSV_CELL_TOO_LONG'; line: number; limit: number }
  | { code: 'CSV_EMPTY'; line: 0 };

export type DelimitedResult =
  | { ok: true; value: { separator: Separator; rows: { line: number; cells: string[] }[] } }
  | { ok: false; error: DelimitedError };

export interface DelimitedLimits { maxRows: number; maxCellChars: number }

export const DEFAULT_LIMITS: DelimitedLimits = { maxRows: 200_000, maxCellChars: 4096 };

/** Picks the separator that occurs most often (outside quotes) on the first line; `;` on a tie. */
export function detectSeparator(text: string): Separator {
  const counts: Record<Separator, number> = { '\t': 0, ';': 0, ',': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === '\t' || ch === ';' || ch === ',')) counts[ch]++;
  }
  const order: Separator[] = [';', '\t', ','];
  return order.reduce((best, s) => (counts[s] > counts[best] ? s : best), ';' as Separator);
}

export function parseDelimited(text: string, limits: DelimitedLimits = DEFAULT_LIMITS, sep: Separator = detectSeparator(text)): DelimitedResult {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const n = text.length;
  const sepCode = sep.charCodeAt(0);

  const endCell = (): DelimitedError | undefined => {
    if (cell.length > limits.maxCellChars) return { code: 'CSV_CELL_TOO_LONG', line: rowLine, limit: limits.maxCellChars };
    cells.push(cell); cell = '';
    return undefined;
  };
  const endRow = (): DelimitedError | undefined => {
    const e = endCell(); if (e) return e;
    if (!(cells.length === 1 && cells[0] === '')) {
      if (rows.length >= limits.maxRows) return { code: 'CSV_TOO_MANY_ROWS', line: rowLine, limit: limits.maxRows };
      rows.push({ line: rowLine, cells });
    }
    cells = [];
    return undefined;
  };

  while (i < n) {
    const ch = text[i];
    if (ch === '"' && cell === '') {
      // quoted cell: runs to the matching quote, may span lines
      const startLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const q = text.indexOf('"', i);
        if (q < 0) break;
        const chunk = text.slice(i, q);
        for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
        if (cell.length + chunk.length > limits.maxCellChars) return { ok: false, error: { code: 'CSV_CELL_TOO_LONG', line: startLine, limit: limits.maxCellChars } };
        cell += chunk;
        if (text[q + 1] === '"') { cell += '"'; i = q + 2; continue; }
        closed = true; i = q + 1; break;
      }
      if (!closed) return { ok: false, error: { code: 'CSV_UNTERMINATED_QUOTE', line: startLine } };
      const next = text[i];
      if (next !== undefined && next !== sep && next !== '\n' && next !== '\r') return { ok: false, error: { code: 'CSV_BAD_QUOTE', line } };
      continue;
    }
    if (ch === sep) {
      const e = endCell(); if (e) return { ok: false, error: e };
      i++; continue;
    }
    if (ch === '\r' || ch === '\n') {
      const e = endRow(); if (e) return { ok: false, error: e };
      if (ch === '\r' && text[i + 1] === '\n') i++;
      i++; line++; rowLine = line;
      continue;
    }
    // an unquoted run: everything up to the next separator or line end (quotes inside are literal)
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === sepCode || c === 10 || c === 13) break;
      j++;
    }
    if (cell.length + (j - i) > limits.maxCellChars) return { ok: false, error: { code: 'CSV_CELL_TOO_LONG', line: rowLine, limit: limits.maxCellChars } };
    cell += text.slice(i, j);
    i = j;
  }
  if (cell !== '' || cells.length > 0) {
    const e = endRow(); if (e) return { ok: false, error: e };
  }
  if (rows.length === 0) return { ok: false, error: { code: 'CSV_EMPTY', line: 0 } };
  return { ok: true, value: { separator: sep, rows } };
}

/** Quotes a cell when it holds the separator, a quote or a line break. */
export function quoteCell(value: string, sep: Separator): string {
  return /["\r\n]/.test(value) || value.includes(sep) ? `"${value.replaceAll('"', '""')}"` : value;
}
