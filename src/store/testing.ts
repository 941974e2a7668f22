/**
 * Test helpers for suites that run on every dialect (STYLE.md §9):
 *
 *   for (const dialect of testDialects()) describe(`${dialect}: pools`, () => { … createTestStore(dialect) … })
 *
 * `SIMNAV_TEST_DIALECTS=sqlite` (comma list) narrows the loop. A postgres test store is a fresh,
 * uniquely named database on SIMNAV_TEST_PG (default postgres://postgres@127.0.0.1:5432/test),
 * dropped again by `close()`. A sqlite test store is a fresh file in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DIALECTS } from './dialect.ts';
import type { Dialect } from './dialect.ts';
import { openMigratedStore } from './open-store.ts';
import type { Store } from './open-store.ts';

export function testDialects(): Dialect[] {
  const env = process.env.SIMNAV_TEST_DIALECTS;
  if (!env) return [...DIALECTS];
  const wanted = env.split(',').map((s) => s.trim()).filter(Boolean);
  return DIALECTS.filter((d) => wanted.includes(d));
}

export function testPgUrl(): string {
  return process.env.SIMNAV_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export interface TestStore extends Store {
  /** The URL another process (e.g. `simnav serve --db`) can open the same database with. */
  readonly url: string;
}

/** A fresh, migrated, empty store of the given dialect; `close()` removes it. */
export async function createTestStore(dialect: Dialect): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'simnav-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const store = await openMigratedStore(url);
    return {
      ...store, url,
      async close() { await store.close(); rmSync(dir, { recursive: true, force: true }); },
    };
  }
  const admin = new pg.Client({ connectionString: testPgUrl() });
  await admin.connect();
  const name = `simnav_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  try { await admin.query(`CREATE DATABASE ${name}`); } finally { await admin.end(); }
  const u = new URL(testPgUrl());
  u.pathname = `/${name}`;
  const url = u.toString();
  const store = await openMigratedStore(url);
  return {
    ...store, url,
    async close() {
      await store.close();
      const c = new pg.Client({ connectionString: testPgUrl() });
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } finally { await c.end(); }
    },
  };
}
