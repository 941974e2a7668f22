/**
 * The importer against hostile legacy data (an in-memory LegacySource: a test double of the
 * MariaDB reader, whose real counterpart is covered by test/import/): random values in every
 * column never make it throw, every legacy row is accounted for in the report, and a second run
 * changes nothing. The MariaDB end-to-end suite asserts the actual rows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openMigratedStore } from '../../store/open-store.ts';
import type { Store } from '../../store/open-store.ts';
import { createTestStore, testDialects } from '../../store/testing.ts';
import { FakeClock } from '../../lib/clock.ts';
import { importLegacy } from './import-legacy.ts';
import type { LegacyColumn, LegacySource, RawValue } from './legacy-source.ts';

type Tables = Record<string, Array<Record<string, RawValue>>>;

function memorySource(tables: Tables): LegacySource {
  const schema = new Map<string, Map<string, LegacyColumn>>();
  for (const [t, rows] of Object.entries(tables)) {
    const cols = new Map<string, LegacyColumn>();
    for (const r of rows) for (const k of Object.keys(r)) cols.set(k, { name: k, dataType: 'varchar', charset: 'utf8' });
    schema.set(t, cols);
  }
  return {
    label: 'memory',
    async schema() { return schema; },
    async read(table, wanted) {
      const all = schema.get(table);
      if (!all) return undefined;
      const columns = new Map([...all].filter(([k]) => wanted.includes(k)));
      return { name: table, columns, rows: (tables[table] ?? []).map((r) => new Map(Object.entries(r).filter(([k]) => columns.has(k)))) };
    },
    async close() {},
  };
}

const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

/** A value a hostile or broken legacy column could hold. */
const junk = fc.oneof(
  fc.constant(null), fc.integer({ min: -5, max: 2_000_000_000 }), fc.uint8Array({ maxLength: 24 }),
  pick([1e15, -1e15, 2 ** 53, 99_999_999_999_999, 0.5]), pick(['a\u0000b', '12\u0000', '\u0000']).map(text),
  fc.string({ maxLength: 12 }).map(text),
  pick(['A5', 'a05', '4-7', '04-07', 'C12', '12-3', 'C', 'Z99', '2-5', 'B8', '', '79161234567', '+7 (916) 123-45-67', '9161234567', '4-8']).map(text),
  pick(['a:1:{s:3:"map";s:8:"11110000";}', 'a:2:{s:5:"lines";i:3;s:6:"modems";i:1;}', 'O:3:"Foo":0:{}', 's:99:"x";', 'a:1:{s:2:"id";i:1;}', '050003CD0201', '050003CD0202']).map(text),
);
const id = fc.integer({ min: 1, max: 6 });
const model = pick(['SR-Train', 'SR-Nano-500', 'SR-Box-Bank', 'SR-Box-8', 'SR-Organizer', 'SR-Organizer-Smart', 'SR-Board', 'SR-Box-2-Bank', 'nonsense']).map(text);
const token = pick(['1234567890', '2345678901', '3456789012', '4567890123', '5678901234', '', 'x y']).map(text);
const place = fc.oneof(
  { arbitrary: pick(['A5', 'a05', '4-7', '04-07', '5-1', 'C12', '12-3', 'B20', 'C', 'A', '2-5', '1-1', 'B8', 'A1', 'H64', 'D3']).map(text), weight: 8 },
  { arbitrary: junk, weight: 2 },
);
const number = pick(['79161234567', '79161234568', '79161234569', '79260001122', '+7 (916) 123-45-67', '9161234567', '4-7', 'A5', '', 'junk']).map(text);

const legacyDb = fc.record({
  devices: fc.uniqueArray(fc.record({ id: fc.integer({ min: 1, max: 4 }), title: junk, model, token_remote: token, type: junk, ip: junk, token_local: junk, modems: junk, step: junk, data: junk, folder: junk, ver: junk }), { selector: (d) => d.id, minLength: 1, maxLength: 4 }),
  cards: fc.array(fc.record({ id: fc.integer({ min: 1, max: 40 }), device: fc.integer({ min: 1, max: 4 }), place, number, iccid: junk, operator: junk, title: junk, comment: junk, balance: junk, time: junk }), { minLength: 5, maxLength: 25 }),
  operators: fc.array(fc.record({ id, title: junk, name: junk, color: junk, prefix: junk, get_number: junk, get_number_type: junk }), { maxLength: 4 }),
  operators_uniq: fc.array(fc.record({ id, name: junk }), { maxLength: 4 }),
  folders: fc.array(fc.record({ id, title: junk, comment: junk, time: junk }), { maxLength: 3 }),
  cards2folder: fc.array(fc.record({ id, folder_id: fc.integer({ min: -2, max: 4 }), place, number, balance: junk }), { maxLength: 5 }),
  pools: fc.uniqueArray(fc.record({
    id: fc.integer({ min: 1, max: 3 }), title: fc.oneof(pick(['Main', 'Spare', 'Главный']).map(text), junk),
    key: pick(['a3f5c2e1b4d6978812345678abcdef01', 'ffeeddccbbaa99887766554433221100', '0123456789abcdef0123456789abcdef', '', 'short']).map(text), time: junk,
  }), { selector: (p) => p.id, maxLength: 3 }),
  card2pool: fc.array(fc.record({ id, pool: fc.integer({ min: 1, max: 3 }), card: number, done: junk }), { minLength: 3, maxLength: 10 }),
  sms_incoming: fc.array(fc.record({
    id, card_id: fc.integer({ min: 0, max: 40 }), number, sender: junk, txt: junk, time: junk, readed: junk,
    header: fc.oneof({ arbitrary: fc.constant(text('')), weight: 3 }, { arbitrary: junk, weight: 1 }),
    time_receive: fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_600_000_100 }), junk),
  }), { minLength: 3, maxLength: 10 }),
  call_incoming: fc.array(fc.record({ id, number, incoming: junk, time: fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_600_000_100 }), junk), device: id }), { maxLength: 5 }),
});

async function snapshot(store: Store): Promise<string> {
  const out: unknown[] = [];
  for (const t of ['aggregators', 'cards', 'operators', 'network_names', 'pools', 'pool_cards', 'disks', 'disk_cards', 'sms', 'calls'] as const) {
    out.push((await store.db.selectFrom(t).selectAll().execute()).map((r) => JSON.stringify(r)).sort());
  }
  return JSON.stringify(out);
}

/** One property run: import twice into a fresh store, check the accounting and idempotency. */
async function importTwice(store: Store, tables: Tables): Promise<void> {
  const clock = new FakeClock(1_700_000_000_000);
  const first = await importLegacy(memorySource(tables), store, { clock });
  assert.ok(first.ok, JSON.stringify(!first.ok && first.error));
  for (const [entity, c] of Object.entries(first.value.counts)) {
    const accounted = c.imported + c.present + c.updated + c.skipped;
    // Unmerged SMS parts become one message: fewer messages than rows.
    if (entity === 'sms') assert.ok(accounted <= c.read, entity);
    else assert.equal(accounted, c.read, entity);
  }
  const before = await snapshot(store);
  await clock.advance(60_000);
  const second = await importLegacy(memorySource(tables), store, { clock });
  assert.ok(second.ok, JSON.stringify(!second.ok && second.error));
  assert.equal(await snapshot(store), before);
  for (const c of Object.values(second.value.counts)) assert.equal(c.imported + c.updated, 0);
}

describe('import / hostile legacy data (in-memory source)', () => {
  it('sqlite: never throws, accounts for every row, and a second run changes nothing', async () => {
    await fc.assert(fc.asyncProperty(legacyDb, async (tables) => {
      const store = await openMigratedStore('sqlite::memory:');
      try { await importTwice(store, tables as Tables); } finally { await store.close(); }
    }), { numRuns: 60 });
  });

  if (testDialects().includes('postgres')) {
    it('postgres: the same on a real PostgreSQL (NUL bytes, large numbers, one transaction)', async () => {
      await fc.assert(fc.asyncProperty(legacyDb, async (tables) => {
        const store = await createTestStore('postgres');
        try { await importTwice(store, tables as Tables); } finally { await store.close(); }
      }), { numRuns: 5 });
    });
  }

  it('a source without devices and cards tables → NOT_A_LEGACY_DATABASE, nothing written', async () => {
    const store = await openMigratedStore('sqlite::memory:');
    try {
      const r = await importLegacy(memorySource({ users: [{ id: 1 }] }), store, { clock: new FakeClock(0) });
      assert.deepEqual(!r.ok && r.error.code, 'NOT_A_LEGACY_DATABASE');
      assert.equal((await store.db.selectFrom('aggregators').select('id').execute()).length, 0);
    } finally { await store.close(); }
  });
});
