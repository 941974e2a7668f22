import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMigratedStore, type Store } from '../../src/store/open-store.ts';
import { verifyPassword } from '../../src/domain/auth/secrets.ts';
import { resolveApiToken } from '../../src/domain/auth/api-tokens.ts';
import { findPoolByKey } from '../../src/domain/pools/membership.ts';
import { createPoolService } from '../../src/domain/pools/service.ts';
import { realClock } from '../../src/lib/clock.ts';
import { encodeCp1251 } from '../../src/domain/inventory/csv/cp1251.ts';

const runner = new URL('./cli-runner.ts', import.meta.url).pathname;
const bin = new URL('../../bin/simnav.mjs', import.meta.url).pathname;

interface Run { code: number; out: string; err: string }

describe('cli: user, token, pool, import-csv, export-csv', () => {
  let dir: string;
  let db: string;
  let r: Run[];
  const withStore = async <T>(fn: (s: Store) => Promise<T>): Promise<T> => {
    const s = await openMigratedStore(db);
    try { return await fn(s); } finally { await s.close(); }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simnav-cli-'));
    db = `sqlite:${join(dir, 'cli.db')}`;
    await withStore(async (s) => {
      const now = Date.now();
      await s.db.insertInto('aggregators').values({ model: 'SR-Box-Bank', title: 'B', link_token_hash: 'h', link_token_hint: 'h', created_at: now, updated_at: now }).execute();
    });
    writeFileSync(join(dir, 'cards.csv'), encodeCp1251('Модель;Агрегатор;ICCID;Номер\nSR-Box-Bank;1;;79160000301;P:A1;;МТС\nSR-Box-Bank;1;;79160000302;P:A2;;Билайн\nSR-Box-Bank;1;;bad;P:A3\n'));
    const d = ['--db', db];
    const runs = [
      ...['user', 'token', 'pool', 'import-csv', 'export-csv'].map((c) => [c, '--help']), //        0–4
      ['user', 'add', '--login', 'ops', '--role', 'operator', '--password', 'long enough password', ...d], // 5
      ['user', 'add', '--login', 'boss', '--role', 'admin', ...d], //                                         6
      ['user', 'add', '--login', 'boss', '--role', 'admin', ...d], //                                         7 duplicate
      ['user', 'add', '--login', 'x', '--role', 'root', ...d], //                                             8 bad role
      ['user', 'list', ...d], //                                                                              9
      ['token', 'create', '--name', 'ci', '--role', 'viewer', '--user', 'ops', ...d], //                      10
      ['token', 'list', ...d], //                                                                             11
      ['import-csv', join(dir, 'cards.csv'), ...d], //                                                        12
      ['import-csv', join(dir, 'missing.csv'), ...d], //                                                      13
      ['pool', 'create', '--name', 'MTS only', '--filter', 'operator=МТС', ...d], //                          14
      ['pool', 'list', ...d], //                                                                              15
      ['pool', 'create', '--name', 'x', '--filter', 'password=1', ...d], //                                   16
      ['export-csv', join(dir, 'out.csv'), '--encoding', 'windows-1251', ...d], //                            17
      ['token', 'create', '--name', 'revoked', '--role', 'admin', ...d], //                                   18
      ['token', 'revoke', '--id', '2', ...d], //                                                              19
    ];
    const outFile = join(dir, 'runs.json');
    const p = spawnSync(process.execPath, ['--import', 'tsx', runner, outFile, JSON.stringify(runs)], { encoding: 'utf8', env: { ...process.env, SIMNAV_DB: '' } });
    assert.equal(p.status, 0, p.stderr);
    r = JSON.parse(readFileSync(outFile, 'utf8')) as Run[];
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  test('--help works for every admin command; the real binary runs too', () => {
    for (const [i, cmd] of ['user', 'token', 'pool', 'import-csv', 'export-csv'].entries()) {
      assert.equal(r[i]!.code, 0, cmd);
      assert.match(r[i]!.out, new RegExp(`usage: simnav ${cmd}`));
    }
    const b = spawnSync(process.execPath, [bin, 'pool', 'list', '--db', db], { encoding: 'utf8', env: { ...process.env, SIMNAV_DB: '' } });
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /MTS only/);
  });

  test('user add: with a password, and with a generated one printed once; duplicate → 1, bad role → 2', async () => {
    assert.equal(r[5]!.code, 0, r[5]!.err);
    assert.doesNotMatch(r[5]!.out, /password/);
    assert.equal(r[6]!.code, 0, r[6]!.err);
    const pw = /password \(shown once\): (\S+)/.exec(r[6]!.out)?.[1];
    assert.ok(pw);
    const row = await withStore((s) => s.db.selectFrom('users').select('password_hash').where('login', '=', 'boss').executeTakeFirstOrThrow());
    assert.equal(await verifyPassword(pw!, row.password_hash), true);
    assert.equal(r[7]!.code, 1);
    assert.equal(r[8]!.code, 2);
    assert.match(r[9]!.out, /boss\s+admin/);
  });

  test('token create prints a working token once; list never shows it; revoke stops it', async () => {
    assert.equal(r[10]!.code, 0, r[10]!.err);
    const token = r[10]!.out.trim();
    assert.match(token, /^snt_/);
    const who = await withStore((s) => resolveApiToken({ db: s.db, clock: realClock() }, token));
    assert.equal(who?.role, 'viewer');
    assert.ok(!r[11]!.out.includes(token));
    assert.equal(r[19]!.code, 0, r[19]!.err);
    assert.equal(await withStore((s) => resolveApiToken({ db: s.db, clock: realClock() }, r[18]!.out.trim())), null);
  });

  test('import-csv (CP1251) reports rows by line; pool create --filter prints a key the pool domain accepts; export-csv', async () => {
    assert.equal(r[12]!.code, 1, 'a skipped row makes the exit code 1');
    assert.match(r[12]!.out, /windows-1251: 3 rows, 2 inserted, 0 updated, 1 skipped/);
    assert.match(r[12]!.out, /line 4: CSV_BAD_FIELD \(number\)/);
    assert.equal(r[13]!.code, 2);
    assert.equal(r[14]!.code, 0, r[14]!.err);
    const key = r[14]!.out.trim();
    assert.match(key, /^[0-9a-f]{32}$/);
    assert.match(r[14]!.err, /with 1 cards/);
    await withStore(async (s) => {
      const pools = createPoolService({ store: s, clock: realClock() });
      assert.equal((await findPoolByKey(pools.ctx, key))?.title, 'MTS only');
    });
    assert.match(r[15]!.out, /MTS only\s+cards:1 free:1 used:0 online:0/);
    assert.equal(r[16]!.code, 2);
    assert.equal(r[17]!.code, 0, r[17]!.err);
    assert.ok(readFileSync(join(dir, 'out.csv')).includes(Buffer.from(encodeCp1251('Билайн'))));
  });
});
