/**
 * The legacy SIM-card CSV layout (panel-features.md §2.6 "CSV format"; import and export are
 * symmetrical): model; aggregator id; ICCID; number (+ allowed); place prefixed `P:`; balance;
 * operator; time `dd.mm.yyyy hh:mm:ss`; title; comment. The first line is a header and is skipped.
 * Blocked cards carry the word "Blocked" in the number column.
 *
 * Export defends against spreadsheet formula injection (OWASP "CSV Injection"): a text cell that
 * begins with = + - @ (or a tab / CR) is prefixed with an apostrophe, which import strips again.
 * Plain numbers such as a negative balance `-12.5` are left alone: they cannot be formulas. A cell
 * that itself starts with an apostrophe gets one more, so the round trip is exact.
 */
import { parseDelimited, quoteCell, type DelimitedError, type DelimitedLimits, DEFAULT_LIMITS, type Separator } from './delimited.ts';

/** One card as the CSV carries it. Times are Unix milliseconds; the CSV text is in UTC. */
export interface CardCsvRow {
  model: string;
  aggregatorId: number | null;
  iccid: string | null;
  number: string | null;
  blocked: boolean;
  place: string;
  balance: number | null;
  operator: string | null;
  updatedAt: number | null;
  title: string | null;
  comment: string | null;
}

export type CardCsvField = 'model' | 'aggregator' | 'iccid' | 'number' | 'place' | 'balance' | 'operator' | 'time' | 'title' | 'comment';

export interface CardCsvRowError { code: 'CSV_BAD_FIELD'; line: number; field: CardCsvField }

export const CARD_CSV_HEADER = ['Model', 'Aggregator', 'ICCID', 'Number', 'Place', 'Balance', 'Operator', 'Time', 'Title', 'Comment'] as const;

const BLOCKED_WORDS = new Set(['blocked', 'заблокирована', 'блок']);
const NUMBER = /^\d{3,20}$/;
const ICCID = /^\d{10,22}[Ff]?$/;
const PLACE = /^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/;
const BALANCE = /^[-+]?\d{1,12}(?:[.,]\d{1,4})?$/;
const TIME = /^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const TEXT_MAX = 255;

/** Undoes the export's formula guard: `'=x` → `=x`. */
function unguard(cell: string): string {
  return cell.length > 1 && cell[0] === "'" && "=+-@\t\r'".includes(cell[1] ?? '') ? cell.slice(1) : cell;
}

/** Prefixes a text cell that a spreadsheet would run as a formula. */
export function guardFormula(cell: string): string {
  if (cell === '' || !"=+-@\t\r'".includes(cell[0] ?? '')) return cell;
  return /^[-+]?\d+(?:\.\d+)?$/.test(cell) ? cell : `'${cell}`;
}

function parseTime(s: string): number | null | undefined {
  const m = TIME.exec(s);
  if (!m) return undefined;
  const [d, mo, y, h, mi, se] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!);
  const back = new Date(t);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== mo! - 1 || h! > 23 || mi! > 59 || se! > 59) return undefined;
  return t;
}

export function formatCsvTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function text(s: string): string | null | undefined {
  const t = s.trim();
  if (t === '') return null;
  return t.length > TEXT_MAX ? undefined : t;
}

/** Reads one data row; cells beyond the tenth are ignored, missing ones are empty. */
export function parseCardRow(line: number, rawCells: readonly string[]): { ok: true; value: CardCsvRow } | { ok: false; error: CardCsvRowError } {
  const c = (i: number) => unguard(rawCells[i] ?? '').trim();
  const bad = (field: CardCsvField) => ({ ok: false as const, error: { code: 'CSV_BAD_FIELD' as const, line, field } });

  const model = c(0);
  if (model.length > 40) return bad('model');
  const aggRaw = c(1);
  const aggregatorId = aggRaw === '' ? null : /^\d{1,9}$/.test(aggRaw) ? Number(aggRaw) : undefined;
  if (aggregatorId === undefined) return bad('aggregator');
  if (model === '' && aggregatorId === null) return bad('aggregator');

  const iccid = c(2) === '' ? null : c(2);
  if (iccid !== null && !ICCID.test(iccid)) return bad('iccid');

  const numRaw = c(3).replace(/[\s()-]/g, '');
  const blocked = BLOCKED_WORDS.has(numRaw.toLowerCase());
  const number = blocked || numRaw === '' ? null : numRaw.replace(/^\+/, '');
  if (number !== null && !NUMBER.test(number)) return bad('number');

  const place = c(4).replace(/^P:/i, '').trim();
  if (!PLACE.test(place)) return bad('place');

  const balRaw = c(5);
  if (balRaw !== '' && !BALANCE.test(balRaw)) return bad('balance');
  const balance = balRaw === '' ? null : Number(balRaw.replace(',', '.'));

  const operator = text(c(6));
  if (operator === undefined) return bad('operator');
  const updatedAt = c(7) === '' ? null : parseTime(c(7));
  if (updatedAt === undefined) return bad('time');
  const title = text(c(8));
  if (title === undefined) return bad('title');
  const comment = text(c(9));
  if (comment === undefined) return bad('comment');

  return { ok: true, value: { model, aggregatorId, iccid: iccid?.toUpperCase() ?? null, number, blocked, place, balance, operator, updatedAt, title, comment } };
}

export interface ParsedCardCsv {
  separator: Separator;
  rows: { line: number; row: CardCsvRow }[];
  errors: CardCsvRowError[];
}

/** Parses a whole file (already decoded to text): structural errors fail it, bad rows are listed. */
export function parseCardCsv(textIn: string, limits: DelimitedLimits = DEFAULT_LIMITS): { ok: true; value: ParsedCardCsv } | { ok: false; error: DelimitedError } {
  const r = parseDelimited(textIn, { ...limits, maxRows: limits.maxRows + 1 });
  if (!r.ok) return r;
  const out: ParsedCardCsv = { separator: r.value.separator, rows: [], errors: [] };
  for (const { line, cells } of r.value.rows.slice(1)) {
    const p = parseCardRow(line, cells);
    if (p.ok) out.rows.push({ line, row: p.value }); else out.errors.push(p.error);
  }
  return { ok: true, value: out };
}

function balanceText(b: number | null): string {
  return b === null ? '' : String(Math.round(b * 100) / 100);
}

/** Writes rows in the legacy layout with a header, `;`-separated, CRLF line ends. */
export function formatCardCsv(rows: Iterable<CardCsvRow>, sep: Separator = ';'): string {
  const lines = [CARD_CSV_HEADER.join(sep)];
  for (const r of rows) {
    const cells = [
      r.model, r.aggregatorId === null ? '' : String(r.aggregatorId), r.iccid ?? '',
      r.blocked ? 'Blocked' : r.number ?? '', `P:${r.place}`, balanceText(r.balance), r.operator ?? '',
      r.updatedAt === null ? '' : formatCsvTime(r.updatedAt), r.title ?? '', r.comment ?? '',
    ];
    lines.push(cells.map((x) => quoteCell(guardFormula(x), sep)).join(sep));
  }
  return lines.join('\r\n') + '\r\n';
}
