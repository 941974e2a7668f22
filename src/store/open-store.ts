/**
 * Opens the database named by a URL: `sqlite:<path>` (or `sqlite::memory:`) with better-sqlite3,
 * or `postgres://…` / `postgresql://…` with a pg Pool. Same Kysely<Db> either way.
 */
import { TextSafeClient } from './pg-text.ts';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { MigrationResultSet } from 'kysely';
import type { Db } from './schema.ts';
import type { Dialect } from './dialect.ts';
import { migrationProvider } from './migrations/index.ts';

export interface Store {
  readonly db: Kysely<Db>;
  readonly dialect: Dialect;
  /** The URL it was opened with, with any password masked (safe to log). */
  readonly label: string;
  close(): Promise<void>;
}

export type StoreUrlError = { code: 'STORE_URL_INVALID'; url: string; reason: string };

export type ParsedStoreUrl =
  | { ok: true; value: { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string } }
  | { ok: false; error: StoreUrlError };

export function parseStoreUrl(url: string): ParsedStoreUrl {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return { ok: false, error: { code: 'STORE_URL_INVALID', url, reason: 'empty sqlite path' } };
    return { ok: true, value: { dialect: 'sqlite', path } };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try { new URL(url); } catch {
      return { ok: false, error: { code: 'STORE_URL_INVALID', url: maskUrl(url), reason: 'not a URL' } };
    }
    return { ok: true, value: { dialect: 'postgres', url } };
  }
  return { ok: false, error: { code: 'STORE_URL_INVALID', url: maskUrl(url), reason: 'expected sqlite:<path> or postgres://…' } };
}

export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export interface OpenOptions {
  /** pg pool size (default 10). */
  poolSize?: number;
}

/** Prepared statements kept per SQL text (Kysely's SQLite driver prepares on every query). */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 with a small LRU of prepared statements. Safe because Kysely's SQLite driver runs
 * one query at a time on its single connection; a statement is only ever used by one query.
 */
function withStatementCache(database: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string): BetterSqlite3.Statement {
      let stmt = cache.get(sqlText);
      if (stmt) { cache.delete(sqlText); cache.set(sqlText, stmt); return stmt; }
      stmt = database.prepare(sqlText);
      cache.set(sqlText, stmt);
      if (cache.size > STATEMENT_CACHE_SIZE) { const oldest = cache.keys().next(); if (!oldest.done) cache.delete(oldest.value); }
      return stmt;
    },
  };
}

/** Opens a store; throws a typed error object only for a malformed URL (a boot-time failure). */
export async function openStore(url: string, opts: OpenOptions = {}): Promise<Store> {
  const parsed = parseStoreUrl(url);
  if (!parsed.ok) throw Object.assign(new Error(`${parsed.error.code}: ${parsed.error.reason}`), parsed.error);
  const target = parsed.value;
  if (target.dialect === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(resolve(target.path)), { recursive: true });
    const database = new BetterSqlite3(target.path);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    // A checkpoint (every 1000 WAL pages by default) syncs the WAL and the database file on the
    // writer's thread: with openNumber/closeNumber under load that was ten times a second, each a
    // stall of every request. Every 10 000 pages (~40 MB of WAL) instead; commits are exactly as
    // durable (synchronous=NORMAL never synced a commit; a checkpoint only moves pages).
    database.pragma('wal_autocheckpoint = 10000');
    // Gather planner statistics where they are missing or stale (cheap when nothing to do).
    database.pragma('optimize = 0x10002');
    const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    return { db, dialect: 'sqlite', label: url, close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: opts.poolSize ?? 10,
    Client: TextSafeClient, // NUL in text parameters (./pg-text.ts)
    // int8 (counts, bigint millis) as JS numbers: every value we store fits in 2^53.
    types: { getTypeParser: ((oid: number, format?: string) => oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser },
  });
  const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', label: maskUrl(url), close: () => db.destroy() };
}

/** Runs every pending migration. Resolves to Kysely's result set (an error is a value there). */
export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.dialect) });
  return migrator.migrateToLatest();
}

/** Opens and migrates; throws when a migration fails (boot must stop). */
export async function openMigratedStore(url: string, opts: OpenOptions = {}): Promise<Store> {
  const store = await openStore(url, opts);
  const result = await migrateToLatest(store);
  if (result.error) {
    await store.close();
    throw result.error instanceof Error ? result.error : new Error(String(result.error));
  }
  return store;
}
