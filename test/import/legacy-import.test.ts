/**
 * `simnav import` against the MariaDB on this machine (issue #7 item 3): legacy databases in the
 * May-2021 and Sept-2021 shapes (test/import/legacy-db.ts) imported into fresh SQLite and
 * PostgreSQL stores; every row and the report asserted; a second run changes nothing; a dry run
 * writes nothing; the imported pool key answers the pool API and the imported link token is
 * accepted by the device link endpoint (both through buildApp on a loopback port).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStore, testDialects } from '../../src/store/testing.ts';
import type { TestStore } from '../../src/store/testing.ts';
import type { Store } from '../../src/store/open-store.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { hashSecret } from '../../src/domain/auth/secrets.ts';
import { openMysqlSource } from '../../src/import/legacy/legacy-source.ts';
import { importLegacy } from '../../src/import/legacy/import-legacy.ts';
import type { ImportReport } from '../../src/import/legacy/report.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLegacyDb, createLegacyReader, MAY, SEPT } from './legacy-db.ts';
import type { LegacyDb } from './legacy-db.ts';

const T = 1_666_358_130;
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

async function runImport(url: string, store: Store, dryRun = false, now = NOW): Promise<ImportReport> {
  const src = await openMysqlSource(url);
  assert.ok(src.ok, JSON.stringify(!src.ok && src.error));
  try {
    const r = await importLegacy(src.value, store, { clock: new FakeClock(now), dryRun });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    return r.value;
  } finally { await src.value.close(); }
}

const TABLES = ['aggregators', 'cards', 'operators', 'network_names', 'pools', 'pool_cards', 'disks', 'disk_cards', 'sms', 'calls'] as const;

/** Every row of every table the import writes, in a stable order. */
async function snapshot(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    const rows = await store.db.selectFrom(t).selectAll().execute();
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

const counts = (r: ImportReport) => Object.fromEntries(Object.entries(r.counts).map(([k, c]) => [k, [c.read, c.imported, c.present, c.updated, c.skipped]]));
const skips = (r: ImportReport) => r.skipped.map((s) => `${s.entity}#${s.legacyId} ${s.reason}`).sort();

async function aggregatorByToken(store: Store, token: string) {
  return store.db.selectFrom('aggregators').selectAll().where('link_token_hash', '=', hashSecret(token)).executeTakeFirstOrThrow();
}
async function cardsOf(store: Store, aggregatorId: number) {
  const rows = await store.db.selectFrom('cards').selectAll().where('aggregator_id', '=', aggregatorId).orderBy('place_sort').execute();
  return new Map(rows.map((r) => [r.place, r]));
}

/** The real app (buildApp) on a loopback port, as API clients and devices reach it. */
async function withApp<T>(store: Store, fn: (base: string) => Promise<T>): Promise<T> {
  const app = await buildApp({ store, logLevel: false, timeZone: 'Europe/Moscow' });
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    return await fn(base);
  } finally { await app.close(); }
}

async function poolStatus(store: Store, key: string): Promise<unknown> {
  return withApp(store, async (base) => {
    const r = await fetch(`${base}/api/handler.php?pool_key=${key}&action=getPoolStatus`);
    assert.equal(r.status, 200);
    const body = await r.text();
    return body.startsWith('[') ? JSON.parse(body) : body;
  });
}

async function linkPoll(store: Store, token: string): Promise<string> {
  return withApp(store, async (base) => {
    const r = await fetch(`${base}/sr/link.php?token=${token}&step=0&data=REQUEST`);
    assert.equal(r.status, 200);
    return r.text();
  });
}

let sept: LegacyDb;
let may: LegacyDb;
before(async () => { [sept, may] = await Promise.all([createLegacyDb('sept-2021'), createLegacyDb('may-2021')]); });
after(async () => { await Promise.all([sept?.drop(), may?.drop()]); });

for (const dialect of testDialects()) {
  describe(`${dialect}: import / Sept-2021 legacy database with drift and quirks`, () => {
    let store: TestStore;
    let first: ImportReport;
    before(async () => { store = await createTestStore(dialect); first = await runImport(sept.url, store); });
    after(async () => { await store?.close(); });

    it('report: shape, unknown columns, counts, every skip with its reason, untouched tables', () => {
      assert.equal(first.schema.shape, 'sept-2021');
      assert.deepEqual(first.schema.extraColumns, ['cards.extra_note']);
      assert.deepEqual(first.schema.missingColumns, []);
      assert.deepEqual(first.schema.missingTables, []);
      assert.deepEqual(first.schema.extraTables, ['staff']);
      assert.deepEqual(counts(first), {
        operators: [4, 1, 0, 1, 2], networkNames: [5, 2, 2, 0, 1], disks: [3, 3, 0, 0, 0], diskCards: [4, 2, 0, 0, 2],
        aggregators: [6, 4, 0, 0, 2], cards: [10, 7, 0, 0, 3], pools: [2, 1, 0, 0, 1], poolCards: [7, 4, 0, 0, 3],
        sms: [7, 4, 0, 0, 2], calls: [3, 1, 0, 0, 2],
      });
      assert.deepEqual(skips(first), [
        'aggregators#4 NO_LINK_TOKEN', 'aggregators#5 UNKNOWN_MODEL', 'calls#2 NO_CARD', 'calls#3 NO_TIME',
        'cards#6 BAD_PLACE', 'cards#7 NO_AGGREGATOR', 'cards#8 DUPLICATE_PLACE',
        'diskCards#2 DISK_SWAP_IN_PROGRESS', 'diskCards#3 NO_DISK', 'networkNames#3 EMPTY', 'operators#3 EMPTY', 'operators#4 DUPLICATE',
        'poolCards#5 NO_CARD', 'poolCards#6 NO_POOL', 'poolCards#7 NO_POOL', 'pools#2 NO_KEY',
        'sms#5 NO_CARD', 'sms#7 BAD_MULTIPART',
      ]);
      assert.deepEqual(first.charsetRepairs, { 'cards.title cp1251': 1, 'sms_incoming.txt latin1-cp1251': 1 });
      assert.deepEqual(Object.keys(first.notImported).sort(), ['flags', 'modems', 'values']);
      assert.ok(first.warnings.some((w) => w.legacyId === '6' && /devices\.data unreadable \(PHP_SYNTAX/.test(w.detail)));
      assert.ok(first.warnings.some((w) => w.legacyId === '2' && /bank map widened to 11100000/.test(w.detail)));
    });

    it('aggregators keep their link tokens (stored hashed), model, settings, step, server mode, inserted disk', async () => {
      const train = await aggregatorByToken(store, SEPT.trainToken);
      assert.equal(train.model, 'SR-Train');
      assert.equal(train.title, 'Поезд 1');
      assert.equal(train.link_token_hint, '890');
      assert.equal(train.step, 812);
      assert.equal(train.serial, 'TR-001');
      assert.deepEqual(JSON.parse(train.settings), { rowBegin: 0, rowEnd: 19, timeLimit: 300, carrierLimit: 90, activation: true, enabledChannels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] });
      assert.deepEqual(JSON.parse(train.modems), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
      const bank = await aggregatorByToken(store, SEPT.bankToken);
      assert.deepEqual(JSON.parse(bank.settings), { bankMap: '11100000', timeLimit: 200 });
      const nano = await aggregatorByToken(store, SEPT.nanoToken);
      assert.equal(nano.model, 'SR-Nano-500');
      assert.deepEqual(JSON.parse(nano.settings), { modemType: 'SIM800', activation: true, storage: false });
      const disk = await store.db.selectFrom('disks').selectAll().where('id', '=', nano.disk_id!).executeTakeFirstOrThrow();
      assert.equal(disk.title, 'Диск B');
      const box = await aggregatorByToken(store, SEPT.box8Token);
      assert.deepEqual([box.model, box.link_mode, box.server_ip, box.server_token, box.settings], ['SR-Box-8', 'server', '192.168.1.50:8080', 'ab12c', '{"enabledChannels":[1,2,3,4]}']);
      assert.equal((await store.db.selectFrom('aggregators').select('id').execute()).length, 4);
    });

    it('cards: canonical places, numbers as digits, blocked quirk → number cleared and blocked, balances, CP1251 title', async () => {
      const train = await cardsOf(store, (await aggregatorByToken(store, SEPT.trainToken)).id);
      assert.deepEqual([...train.keys()], ['4-7', '4-8', '5-1']);
      const c47 = train.get('4-7')!;
      assert.deepEqual([c47.number, c47.iccid, c47.operator, c47.balance, c47.last_balance, c47.comment, c47.blocked, c47.place_sort],
        ['79161234567', '8970101234567890123', 'MTS RUS', 12.5, 10, 'first', 0, 4007]);
      assert.deepEqual([c47.created_at, c47.number_at, c47.balance_at], [T * 1000, T * 1000, T * 1000]);
      assert.deepEqual([train.get('4-8')!.number, train.get('4-8')!.blocked], [null, 1]);
      const bank = await cardsOf(store, (await aggregatorByToken(store, SEPT.bankToken)).id);
      assert.deepEqual([...bank.keys()], ['B20', 'C12']);
      assert.deepEqual([bank.get('C12')!.number, bank.get('C12')!.balance], ['79260001122', -3.2]);
      const nano = await cardsOf(store, (await aggregatorByToken(store, SEPT.nanoToken)).id);
      assert.deepEqual([...nano.keys()], ['A5']);
      assert.equal(nano.get('A5')!.title, 'Моя SIM');
      const box = await cardsOf(store, (await aggregatorByToken(store, SEPT.box8Token)).id);
      assert.deepEqual([...box.keys()], ['C']);
    });

    it('operators: a legacy profile replaces the unedited seed of the same title; custom profiles and network names added', async () => {
      const mts = await store.db.selectFrom('operators').selectAll().where('title', '=', 'MTS').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(mts.names), ['MTS', 'MTS RUS']);
      assert.equal(mts.updated_at, NOW);
      const custom = await store.db.selectFrom('operators').selectAll().where('title', '=', 'Custom Op').executeTakeFirstOrThrow();
      assert.deepEqual([custom.names, custom.country_prefix, custom.number_method, custom.number_code, custom.balance_method, custom.color],
        ['["CUSTOM NET"]', '995', 'ussd', '*1#|2', 'none', '#00ff00']);
      const names = (await store.db.selectFrom('network_names').select('name').execute()).map((r) => r.name);
      assert.ok(names.includes('CUSTOM NET') && names.includes('NEW NET') && names.includes('MTS RUS'));
    });

    it('disks and their archived cards; a blocked archived card loses its slot-number', async () => {
      const disks = await store.db.selectFrom('disks').select(['id', 'title', 'comment', 'created_at']).orderBy('created_at').execute();
      assert.deepEqual(disks.map((d) => [d.title, d.created_at]), [['default', 0], ['Диск B', T * 1000], ['Disk C', (T + 1) * 1000]]);
      const diskC = disks.find((d) => d.title === 'Disk C')!;
      const dc = await store.db.selectFrom('disk_cards').selectAll().where('disk_id', '=', diskC.id).orderBy('place').execute();
      assert.deepEqual(dc.map((r) => [r.place, r.number, r.balance, r.title, r.comment]), [
        ['B7', '79035550001', 5, 'archived', ''], ['C3', null, 0, '', 'blocked'],
      ]);
    });

    it('pools keep their keys (sha256) and membership by number: exact, formatted, blocked slot-number, last 10 digits', async () => {
      const pool = await store.db.selectFrom('pools').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([pool.title, pool.key_hash, pool.key_hint, pool.created_at], ['Main', hashSecret(SEPT.mainKey), 'a3f5', T * 1000]);
      const members = await store.db.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id')
        .select(['c.place', 'pc.used', 'pc.aggregator_id', 'c.aggregator_id as card_agg', 'pc.place_sort', 'c.place_sort as card_sort'])
        .where('pc.pool_id', '=', pool.id).orderBy('c.place').execute();
      assert.deepEqual(members.map((m) => m.place), ['4-7', '4-8', '5-1', 'C12']);
      for (const m of members) { assert.equal(m.aggregator_id, m.card_agg); assert.equal(m.place_sort, m.card_sort); assert.equal(m.used, 0); }
    });

    it('SMS: by card id or number, charset repaired, unmerged parts merged (missing parts marked); calls by number', async () => {
      const sms = await store.db.selectFrom('sms as s').innerJoin('cards as c', 'c.id', 's.card_id')
        .select(['c.place', 's.number', 's.sender', 's.text', 's.sent_at', 's.received_at', 's.read', 's.parts_missing']).orderBy('s.received_at').execute();
      assert.deepEqual(sms.map((s) => [s.place, s.number, s.sender, s.text, s.sent_at, s.received_at, s.read, s.parts_missing]), [
        ['4-7', '79161234567', 'MTS', 'Ваш код 1234', T * 1000, (T + 1) * 1000, 1, 0],
        ['C12', '79260001122', 'Bank', 'Hello world', (T + 10) * 1000, (T + 11) * 1000, 0, 0],
        ['4-7', '79161234567', 'Shop', 'part one ...  ... ', T * 1000, (T + 20) * 1000, 0, 1],
        ['A5', '79031112233', '111', 'Баланс 10 р.', (T + 30) * 1000, (T + 31) * 1000, 0, 0],
      ]);
      const calls = await store.db.selectFrom('calls as k').innerJoin('cards as c', 'c.id', 'k.card_id').select(['c.place', 'k.number', 'k.caller', 'k.at']).execute();
      assert.deepEqual(calls.map((k) => [k.place, k.number, k.caller, k.at]), [['4-7', '79161234567', '79035556677', (T + 40) * 1000]]);
    });

    it('second run changes nothing: every row identical, everything reported present', async () => {
      const before = await snapshot(store);
      const again = await runImport(sept.url, store, false, NOW + 3_600_000);
      assert.deepEqual(await snapshot(store), before);
      for (const [entity, c] of Object.entries(again.counts)) {
        assert.equal(c.imported, 0, entity);
        assert.equal(c.updated, 0, entity);
        assert.equal(c.skipped, first.counts[entity as keyof typeof first.counts].skipped, entity);
      }
      assert.deepEqual(skips(again), skips(first));
    });

    it('the imported pool key answers getPoolStatus; an unknown key is BAD_KEY', async () => {
      const status = await poolStatus(store, SEPT.mainKey) as Array<Record<string, number>>;
      assert.equal(status.length, 1);
      assert.deepEqual([status[0]!.total, status[0]!.used, status[0]!.free], [3, 0, 3]);
      assert.equal(await poolStatus(store, 'ffffffffffffffffffffffffffffffff'), 'BAD_KEY');
    });

    it('the imported 10-digit link token is accepted by the link endpoint; a skipped device’s is not', async () => {
      assert.equal(await linkPoll(store, SEPT.trainToken), '{data}0#!#REQUEST');
      assert.equal(await linkPoll(store, '9999999999'), '');
    });
  });

  describe(`${dialect}: import / May-2021 legacy database (missing columns, card2pool.done, cp1251 SMS column)`, () => {
    let store: TestStore;
    let first: ImportReport;
    before(async () => { store = await createTestStore(dialect); first = await runImport(may.url, store); });
    after(async () => { await store?.close(); });

    it('report: May-2021 shape, missing columns listed, counts, skips', () => {
      assert.equal(first.schema.shape, 'may-2021');
      assert.deepEqual(first.schema.missingColumns, ['devices.serial', 'cards.iccid', 'cards.last_balance', 'sms_incoming.modified']);
      assert.deepEqual(first.schema.extraColumns, []);
      assert.deepEqual(first.schema.extraTables, []);
      assert.deepEqual(first.schema.missingTables, ['operators_uniq', 'folders', 'cards2folder']);
      assert.deepEqual(counts(first), {
        operators: [0, 0, 0, 0, 0], networkNames: [0, 0, 0, 0, 0], disks: [0, 0, 0, 0, 0], diskCards: [0, 0, 0, 0, 0],
        aggregators: [3, 2, 0, 0, 1], cards: [4, 3, 0, 0, 1], pools: [1, 1, 0, 0, 0], poolCards: [2, 2, 0, 0, 0],
        sms: [1, 1, 0, 0, 0], calls: [2, 2, 0, 0, 0],
      });
      assert.deepEqual(skips(first), ['aggregators#3 TOKEN_TAKEN', 'cards#3 BAD_PLACE']);
      assert.deepEqual(first.warnings.map((w) => `${w.entity}#${w.legacyId}: ${w.detail}`), ['cards#4: number 380501112233 already belongs to card 1; imported without a number']);
    });

    it('firmware from devices.ver, Organizer-Smart type from lines/modems (CP1251 blob), handed-out marks → used', async () => {
      const box = await aggregatorByToken(store, MAY.box8Token);
      assert.deepEqual([box.firmware, box.serial, JSON.parse(box.settings)], ['6.41', null, { timeLimit: 300, carrierLimit: 120 }]);
      const org = await aggregatorByToken(store, MAY.smartToken);
      assert.deepEqual(JSON.parse(org.settings), { smartType: 52, review: 60 });
      assert.deepEqual([...(await cardsOf(store, box.id)).keys()], ['A']);
      const orgCards = await cardsOf(store, org.id);
      assert.deepEqual([...orgCards.keys()], ['A1', 'B8']);
      assert.equal(orgCards.get('A1')!.number, null);
      const used = await store.db.selectFrom('pool_cards as pc').innerJoin('cards as c', 'c.id', 'pc.card_id').select(['c.number', 'pc.used', 'pc.used_at']).orderBy('c.number').execute();
      assert.deepEqual(used.map((u) => [u.number, u.used, u.used_at]), [['380501112233', 1, NOW], ['380502223344', 0, null]]);
      const sms = await store.db.selectFrom('sms').select(['text', 'received_at']).execute();
      assert.deepEqual(sms, [{ text: 'Привет', received_at: (T + 2) * 1000 }]);
      // A duplicated number: the pool link goes to the card holding it, the call to the card on its device.
      const calls = await store.db.selectFrom('calls as k').innerJoin('cards as c', 'c.id', 'k.card_id').select(['c.place', 'k.caller', 'k.number']).orderBy('k.at').execute();
      assert.deepEqual(calls, [{ place: 'B8', caller: 'Unknown', number: '380502223344' }, { place: 'A1', caller: '380671234567', number: '380501112233' }]);
    });

    it('second run changes nothing; the pool answers with its USED count', async () => {
      const before = await snapshot(store);
      const again = await runImport(may.url, store, false, NOW + 3_600_000);
      assert.deepEqual(await snapshot(store), before);
      assert.ok(Object.values(again.counts).every((c) => c.imported === 0 && c.updated === 0));
      const status = await poolStatus(store, MAY.uaKey) as Array<Record<string, number>>;
      assert.deepEqual([status[0]!.total, status[0]!.used, status[0]!.free], [2, 1, 1]);
    });
  });

  describe(`${dialect}: import / dry run`, () => {
    it('reports what it would import and writes nothing', async () => {
      const store = await createTestStore(dialect);
      try {
        const empty = await snapshot(store);
        const r = await runImport(sept.url, store, true);
        assert.equal(r.dryRun, true);
        assert.equal(r.counts.cards.imported, 7);
        assert.equal(r.counts.sms.imported, 4);
        assert.deepEqual(await snapshot(store), empty);
      } finally { await store.close(); }
    });
  });
}

describe('import / command line', () => {
  it('simnav import <url> --db sqlite:… prints the report and exits 0; a bad URL exits 2; no legacy tables exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simnav-import-'));
    const root = new URL('../../', import.meta.url).pathname;
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/simnav.mjs'), 'import', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    try {
      const ok = cli(may.url, '--db', `sqlite:${join(dir, 'a.db')}`);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /^import from mysql:\/\/root@127\.0\.0\.1:3306\/srnav_may2021_\S+ \(may-2021 schema\)$/m);
      assert.match(ok.stdout, /^aggregators\s+3\s+2\s+0\s+0\s+1$/m);
      assert.match(ok.stdout, /cards BAD_PLACE \(1\)\n\s+#3: 'C1' is not a SR-Organizer-Smart place/);
      const bad = cli('postgres://x@y/z', '--db', `sqlite:${join(dir, 'b.db')}`);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /SOURCE_URL_INVALID/);
      const notLegacy = cli('mysql://root@127.0.0.1:3306/mysql', '--db', `sqlite:${join(dir, 'c.db')}`);
      assert.equal(notLegacy.status, 1);
      assert.match(notLegacy.stderr, /NOT_A_LEGACY_DATABASE/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('simnav import mysql://user:pass@host/db: a read-only account, its password percent-encoded; a wrong password exits 2 and is never printed', async () => {
    const password = 'p@ss:w/rd%1?#';
    const reader = await createLegacyReader(may, password);
    const dir = mkdtempSync(join(tmpdir(), 'simnav-import-'));
    const root = new URL('../../', import.meta.url).pathname;
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/simnav.mjs'), 'import', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    try {
      const url = `mysql://${reader.user}:${encodeURIComponent(password)}@127.0.0.1/${may.name}`;
      const ok = cli(url, '--db', `sqlite:${join(dir, 'a.db')}`, '--json');
      assert.equal(ok.status, 0, ok.stderr);
      const report = JSON.parse(ok.stdout) as ImportReport;
      assert.deepEqual([report.counts.aggregators.imported, report.counts.pools.imported, report.counts.sms.imported], [2, 1, 1]);
      assert.ok(!ok.stdout.includes(password) && !ok.stdout.includes(encodeURIComponent(password)), 'the password reached the report');
      const wrong = cli(`mysql://${reader.user}:Wrong%25Secret@127.0.0.1/${may.name}`, '--db', `sqlite:${join(dir, 'b.db')}`);
      assert.equal(wrong.status, 2);
      assert.match(wrong.stderr, /SOURCE_UNREACHABLE/);
      assert.ok(!wrong.stderr.includes('Wrong'), wrong.stderr);
      const unencoded = cli(`mysql://${reader.user}:50%off@127.0.0.1/${may.name}`, '--db', `sqlite:${join(dir, 'c.db')}`);
      assert.equal(unencoded.status, 2);
      assert.match(unencoded.stderr, /SOURCE_URL_INVALID: .*percent-encoding/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await reader.drop();
    }
  });
});
