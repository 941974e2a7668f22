import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects, createTestStore } from '../../src/store/testing.ts';
import type { TestStore } from '../../src/store/testing.ts';
import { migrateToLatest, parseStoreUrl } from '../../src/store/open-store.ts';
import { SEED_OPERATORS } from '../../src/store/migrations/0002-seed-operators.ts';

const T = Date.UTC(2026, 10, 27, 12, 0, 0);

async function addAggregator(s: TestStore, title = 'agg'): Promise<number> {
  const r = await s.db.insertInto('aggregators').values({
    model: 'SR-Train', title, link_token_hash: `h-${title}-${Math.random()}`, link_token_hint: 'abc',
    created_at: T, updated_at: T,
  }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

async function addCard(s: TestStore, aggregator_id: number, place: string, number: string | null): Promise<number> {
  const r = await s.db.insertInto('cards').values({ aggregator_id, place, number, created_at: T, updated_at: T })
    .returning('id').executeTakeFirstOrThrow();
  return r.id;
}

describe('store url', () => {
  it('sqlite:<path> and postgres:// are accepted, anything else is STORE_URL_INVALID', () => {
    assert.deepEqual(parseStoreUrl('sqlite:./data/x.db'), { ok: true, value: { dialect: 'sqlite', path: './data/x.db' } });
    assert.equal(parseStoreUrl('postgres://u@h/db').ok, true);
    const bad = parseStoreUrl('mysql://u:secret@h/db');
    assert.equal(bad.ok, false);
    if (!bad.ok) { assert.equal(bad.error.code, 'STORE_URL_INVALID'); assert.ok(!bad.error.url.includes('secret')); }
    assert.equal(parseStoreUrl('sqlite:').ok, false);
  });
});

for (const dialect of testDialects()) {
  describe(`${dialect}: schema`, () => {
    let s: TestStore;
    before(async () => { s = await createTestStore(dialect); });
    after(async () => { await s.close(); });

    it(`${dialect}: migrating twice changes nothing`, async () => {
      const r = await migrateToLatest(s);
      assert.equal(r.error, undefined);
      assert.deepEqual(r.results, []);
    });

    it(`${dialect}: operator profiles are seeded once`, async () => {
      const ops = await s.db.selectFrom('operators').selectAll().orderBy('id').execute();
      assert.equal(ops.length, SEED_OPERATORS.length);
      assert.equal(ops.length, 20);
      const mts = ops.find((o) => o.title === 'MTS');
      assert.ok(mts);
      assert.deepEqual(JSON.parse(mts.names), ['MTS', 'MTS RUS', 'MTS-RUS']);
      assert.equal(mts.country_prefix, '7');
    });

    it(`${dialect}: many cards may have no number, a known number is unique`, async () => {
      const a = await addAggregator(s, 'uniq');
      await addCard(s, a, '1-1', null);
      await addCard(s, a, '1-2', null);
      await addCard(s, a, '1-3', '79011234567');
      await assert.rejects(addCard(s, a, '1-4', '79011234567'));
      const n = await s.db.selectFrom('cards').where('aggregator_id', '=', a).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 3);
    });

    it(`${dialect}: one card per aggregator and place`, async () => {
      const a = await addAggregator(s, 'place');
      const b = await addAggregator(s, 'place2');
      await addCard(s, a, 'A1', null);
      await addCard(s, b, 'A1', null);
      await assert.rejects(addCard(s, a, 'A1', null));
    });

    it(`${dialect}: times are read back as numbers, not strings`, async () => {
      const a = await addAggregator(s, 'times');
      const row = await s.db.selectFrom('aggregators').select(['created_at', 'last_heard_at', 'step']).where('id', '=', a).executeTakeFirstOrThrow();
      assert.equal(row.created_at, T);
      assert.equal(typeof row.created_at, 'number');
      assert.equal(row.last_heard_at, null);
      assert.equal(row.step, 0);
    });

    it(`${dialect}: deleting an aggregator deletes its cards, pool links and SMS`, async () => {
      const a = await addAggregator(s, 'cascade');
      const c = await addCard(s, a, '2-2', '79990000001');
      const p = await s.db.insertInto('pools').values({ title: 'casc', key_hash: 'k-casc', created_at: T, updated_at: T }).returning('id').executeTakeFirstOrThrow();
      await s.db.insertInto('pool_cards').values({ pool_id: p.id, card_id: c, aggregator_id: a, added_at: T }).execute();
      await s.db.insertInto('sms').values({ card_id: c, sender: 'X', text: 't', received_at: T }).execute();
      await s.db.deleteFrom('aggregators').where('id', '=', a).execute();
      assert.equal((await s.db.selectFrom('pool_cards').where('card_id', '=', c).selectAll().execute()).length, 0);
      assert.equal((await s.db.selectFrom('sms').where('card_id', '=', c).selectAll().execute()).length, 0);
      assert.ok(await s.db.selectFrom('pools').where('id', '=', p.id).selectAll().executeTakeFirst());
    });

    it(`${dialect}: an SMS part is committed once per dedup key`, async () => {
      const a = await addAggregator(s, 'dedup');
      const c = await addCard(s, a, '3-3', null);
      const part = { card_id: c, sender: 'MTS', pdu: '00', dedup_key: `d-${dialect}`, received_at: T };
      await s.db.insertInto('sms_parts').values(part).execute();
      await assert.rejects(s.db.insertInto('sms_parts').values(part).execute());
      const again = await s.db.insertInto('sms_parts').values(part).onConflict((oc) => oc.column('dedup_key').doNothing()).execute();
      assert.equal(Number(again[0]?.numInsertedOrUpdatedRows ?? 0), 0);
    });
  });
}
