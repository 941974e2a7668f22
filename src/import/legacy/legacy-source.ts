/**
 * Reading a legacy SR-Navigator MySQL/MariaDB database without assuming its shape
 * (panel-features.md §1.6, device-link.md §10.3: installs differ by version and drift).
 *
 * The tables and columns that exist are read from information_schema; a query only ever names
 * columns found there (identifiers are checked against that list and quoted, values are bound).
 * Result-set charset conversion is switched off so text arrives as the bytes stored, and
 * `legacy-text.ts` decides per value how to read them. TIMESTAMP/DATETIME columns are fetched as
 * `UNIX_TIMESTAMP(col)` so the server's own time zone converts them.
 */
import mysql from 'mysql2/promise';
import type { Connection, FieldPacket, TypeCastField, TypeCastNext } from 'mysql2/promise';
import { decodeLegacyText, declaredCharset } from './legacy-text.ts';
import type { DeclaredCharset, TextRepair } from './legacy-text.ts';

export interface LegacyColumn {
  readonly name: string;
  /** information_schema DATA_TYPE, lower-case (`int`, `varchar`, `timestamp`, …). */
  readonly dataType: string;
  readonly charset: DeclaredCharset;
}

/** Tables (lower-case names) → their columns (lower-case names). */
export type LegacySchema = ReadonlyMap<string, ReadonlyMap<string, LegacyColumn>>;

/** One value as it came off the wire: integers and doubles as numbers, text as raw bytes. */
export type RawValue = number | string | Uint8Array | null;

export interface LegacyTable {
  readonly name: string;
  readonly columns: ReadonlyMap<string, LegacyColumn>;
  readonly rows: ReadonlyArray<ReadonlyMap<string, RawValue>>;
}

/** What the importer reads from: the real database, or anything shaped like it. */
export interface LegacySource {
  readonly label: string;
  schema(): Promise<LegacySchema>;
  /** Every row of a table, with the wanted columns that exist (others are simply absent). */
  read(table: string, wanted: readonly string[]): Promise<LegacyTable | undefined>;
  close(): Promise<void>;
}

export type SourceError = { code: 'SOURCE_URL_INVALID' | 'SOURCE_UNREACHABLE' | 'SOURCE_QUERY_FAILED'; message: string };
export type SourceResult<T> = { ok: true; value: T } | { ok: false; error: SourceError };

/** Most rows read from one table (a legacy inbox is purged after 7 days; far below this). */
export const MAX_ROWS_PER_TABLE = 2_000_000;

/** `mysql://user:pass@host:3306/db` → connection options; typed error for anything else. */
export function parseMysqlUrl(url: string): SourceResult<{ host: string; port: number; user: string; password: string; database: string }> {
  const bad = (message: string): SourceResult<never> => ({ ok: false, error: { code: 'SOURCE_URL_INVALID', message } });
  let u: URL;
  try { u = new URL(url); } catch { return bad('not a URL: expected mysql://user:pass@host[:port]/database'); }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') return bad('the source must be a mysql:// (or mariadb://) URL');
  // A stray `%` (a password typed without percent-encoding it) would make decodeURIComponent throw.
  const decode = (s: string): string | null => { try { return decodeURIComponent(s); } catch { return null; } };
  const database = decode(u.pathname.replace(/^\//, ''));
  if (database === null || !/^[A-Za-z0-9_$-]{1,64}$/.test(database)) return bad('the URL must name the database: mysql://user:pass@host/database');
  const user = decode(u.username || 'root');
  const password = decode(u.password);
  if (user === null || password === null) return bad('user or password is not valid percent-encoding (write % as %25)');
  const port = u.port === '' ? 3306 : Number(u.port);
  return { ok: true, value: { host: u.hostname || '127.0.0.1', port, user, password, database } };
}

export function maskMysqlUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

const TEXT_TYPES = new Set(['STRING', 'VAR_STRING', 'VARCHAR', 'BLOB', 'TINY_BLOB', 'MEDIUM_BLOB', 'LONG_BLOB', 'ENUM', 'SET', 'JSON']);

/** Text columns as raw bytes; DECIMAL as a decimal string; integers and doubles as numbers. */
function typeCast(field: TypeCastField, next: TypeCastNext): unknown {
  if (TEXT_TYPES.has(field.type)) return field.buffer();
  if (field.type === 'NEWDECIMAL' || field.type === 'DECIMAL') return field.string();
  if (field.type === 'LONGLONG') {
    const s = field.string();
    return s === null ? null : Number(s);
  }
  return next();
}

const ident = (name: string) => '`' + name.replace(/`/g, '``') + '`';

/** Opens a legacy database by URL. */
export async function openMysqlSource(url: string): Promise<SourceResult<LegacySource>> {
  const parsed = parseMysqlUrl(url);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  let conn: Connection;
  try {
    conn = await mysql.createConnection({
      host: o.host, port: o.port, user: o.user, password: o.password, database: o.database,
      charset: 'utf8mb4', typeCast, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, connectTimeout: 10_000,
    });
    // Raw stored bytes, no server-side conversion (legacy-text.ts reads them).
    await conn.query('SET character_set_results = NULL');
  } catch (e) {
    return { ok: false, error: { code: 'SOURCE_UNREACHABLE', message: `${maskMysqlUrl(url)}: ${(e as Error).message}` } };
  }
  return { ok: true, value: mysqlSource(conn, o.database, maskMysqlUrl(url)) };
}

function text(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return v === null || v === undefined ? '' : String(v);
}

function mysqlSource(conn: Connection, database: string, label: string): LegacySource {
  let cached: LegacySchema | undefined;
  /** Lower-case table name → the name as the server spells it (table names are case-sensitive on Linux). */
  const spelled = new Map<string, string>();
  return {
    label,
    async schema() {
      if (cached) return cached;
      const [rows] = await conn.query(
        'SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
        [database],
      ) as [Array<Record<string, unknown>>, FieldPacket[]];
      const tables = new Map<string, Map<string, LegacyColumn>>();
      for (const r of rows) {
        const table = text(r.TABLE_NAME).toLowerCase();
        if (!spelled.has(table)) spelled.set(table, text(r.TABLE_NAME));
        const name = text(r.COLUMN_NAME).toLowerCase();
        const cols = tables.get(table) ?? new Map<string, LegacyColumn>();
        cols.set(name, { name, dataType: text(r.DATA_TYPE).toLowerCase(), charset: declaredCharset(r.CHARACTER_SET_NAME === null ? null : text(r.CHARACTER_SET_NAME)) });
        tables.set(table, cols);
      }
      cached = tables;
      return tables;
    },
    async read(table, wanted) {
      const schema = await this.schema();
      const all = schema.get(table);
      if (!all) return undefined;
      const columns = new Map<string, LegacyColumn>();
      for (const w of wanted) { const c = all.get(w); if (c) columns.set(w, c); }
      if (columns.size === 0) return { name: table, columns, rows: [] };
      const list = [...columns.values()].map((c) =>
        c.dataType === 'timestamp' || c.dataType === 'datetime' ? `UNIX_TIMESTAMP(${ident(c.name)}) AS ${ident(c.name)}` : ident(c.name));
      const order = columns.has('id') ? ` ORDER BY ${ident('id')}` : '';
      const [rows] = await conn.query(`SELECT ${list.join(', ')} FROM ${ident(spelled.get(table) ?? table)}${order} LIMIT ${MAX_ROWS_PER_TABLE}`) as [Array<Record<string, unknown>>, FieldPacket[]];
      const out = rows.map((r) => {
        const m = new Map<string, RawValue>();
        // mysql2 keys rows by the column label as the server spelled it; compare case-insensitively.
        for (const [k, v] of Object.entries(r)) {
          const key = k.toLowerCase();
          if (!columns.has(key)) continue;
          m.set(key, v === null || v === undefined ? null : v instanceof Uint8Array || typeof v === 'number' || typeof v === 'string' ? v : String(v));
        }
        return m;
      });
      return { name: table, columns, rows: out };
    },
    async close() { await conn.end().catch(() => undefined); },
  };
}

/** Typed access to one legacy row; counts charset repairs for the report. */
export class RowReader {
  constructor(
    private readonly table: LegacyTable,
    private readonly onRepair: (table: string, column: string, repair: TextRepair) => void = () => undefined,
  ) {}

  has(column: string): boolean {
    return this.table.columns.has(column);
  }

  raw(row: ReadonlyMap<string, RawValue>, column: string): RawValue | undefined {
    return this.table.columns.has(column) ? row.get(column) ?? null : undefined;
  }

  /**
   * Text of a column (undefined when the column does not exist, null for SQL NULL). NUL characters
   * are dropped: PostgreSQL text cannot hold them, and no legacy field means one.
   */
  text(row: ReadonlyMap<string, RawValue>, column: string): string | null | undefined {
    const v = this.raw(row, column);
    if (v === undefined || v === null) return v;
    if (typeof v === 'number' || typeof v === 'string') return String(v).replace(/\u0000/g, '');
    const decoded = decodeLegacyText(v, this.table.columns.get(column)?.charset ?? 'utf8');
    if (decoded.repair !== 'none') this.onRepair(this.table.name, column, decoded.repair);
    return decoded.text.replace(/\u0000/g, '');
  }

  /** Raw bytes of a text column (for serialized blobs), undefined/null as `text`. */
  bytes(row: ReadonlyMap<string, RawValue>, column: string): Uint8Array | null | undefined {
    const v = this.raw(row, column);
    if (v === undefined || v === null) return v;
    if (v instanceof Uint8Array) return v;
    return new TextEncoder().encode(String(v));
  }

  /** An integer column (or an integer written as text); undefined when absent or not an integer. */
  int(row: ReadonlyMap<string, RawValue>, column: string): number | undefined {
    const v = this.raw(row, column);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
    const s = typeof v === 'string' ? v : Buffer.from(v).toString('latin1');
    return /^\s*-?\d{1,15}(\.\d*)?\s*$/.test(s) ? Math.trunc(Number(s)) : undefined;
  }

  /** A decimal column or a decimal written as text (`12,50` accepted); undefined otherwise. */
  num(row: ReadonlyMap<string, RawValue>, column: string): number | undefined {
    const v = this.raw(row, column);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
    const s = (typeof v === 'string' ? v : Buffer.from(v).toString('latin1')).trim().replace(',', '.');
    return /^-?\d{1,15}(\.\d{0,10})?$/.test(s) ? Number(s) : undefined;
  }
}
