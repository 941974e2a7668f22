/** Allocation under concurrency: parallel openNumber(s) never share a number nor exceed a model's capacity. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../src/store/testing.ts';
import { canBeOnlineTogether, getModel, resolveSettings } from '../../src/models/index.ts';
import { startPanel, call, addAggregator, addCards, addPool } from './support.ts';
import type { Panel } from './support.ts';

/** Every aggregator's online set must be a legal combination of its model. */
async function assertCapacityRespected(p: Panel): Promise<void> {
  const rows = await p.store.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id')
    .innerJoin('aggregators as a', 'a.id', 'co.aggregator_id')
    .select(['a.id', 'a.model', 'c.place']).where('co.desired', '=', 'online').execute();
  const byAgg = new Map<number, { model: string; places: string[] }>();
  for (const r of rows) {
    const e = byAgg.get(r.id) ?? { model: r.model, places: [] };
    e.places.push(r.place);
    byAgg.set(r.id, e);
  }
  const s = resolveSettings({});
  assert.ok(s.ok);
  for (const [id, e] of byAgg) {
    const model = getModel(e.model)!;
    const places = e.places.map((t) => { const r = model.parsePlace(t, s.value); assert.ok(r.ok); return r.value; });
    assert.ok(canBeOnlineTogether(model, s.value, places), `aggregator ${id} (${e.model}) online together: ${e.places.join(',')}`);
  }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: pool api concurrency`, () => {
    let p: Panel;
    let key: string;
    let capacity = 0;
    before(async () => {
      p = await startPanel(dialect);
      const ids: number[] = [];
      let n = 0;
      const num = () => `7900${String(++n).padStart(7, '0')}`;
      for (let i = 0; i < 12; i++) {
        const a = await addAggregator(p, 'SR-Nano-500');
        ids.push(...await addCards(p, a, ['A0', 'A1', 'A2', 'B0'].map((place) => ({ place, number: num() }))));
        capacity += 1;
      }
      for (let i = 0; i < 6; i++) {
        const a = await addAggregator(p, 'SR-Organizer');
        ids.push(...await addCards(p, a, ['1-1', '1-2', '2-1', '2-2', '2-3'].map((place) => ({ place, number: num() }))));
        capacity += 2;
      }
      const train = await addAggregator(p, 'SR-Train');
      const trainPlaces: string[] = [];
      for (let row = 0; row <= 4; row++) for (let pos = 1; pos <= 8; pos++) trainPlaces.push(`${row}-${pos}`);
      ids.push(...await addCards(p, train, trainPlaces.map((place) => ({ place, number: num() }))));
      capacity += 16;
      const bank = await addAggregator(p, 'SR-Box-Bank');
      ids.push(...await addCards(p, bank, ['A1', 'A2', 'B1', 'B2', 'C1', 'D1', 'E1', 'F1', 'G1', 'H1', 'H2'].map((place) => ({ place, number: num() }))));
      capacity += 8;
      key = (await addPool(p, ids)).key;
    });
    after(async () => { await p.close(); });

    it(`${dialect}: 64 parallel openNumber → distinct numbers, exactly the capacity, legal combinations`, async () => {
      const answers = await Promise.all(Array.from({ length: 64 }, () => call(p, { pool_key: key, action: 'openNumber' })));
      assert.ok(answers.every((a) => a.status === 200));
      const numbers = answers.map((a) => a.body).filter((b) => /^\d+$/.test(b));
      const others = answers.map((a) => a.body).filter((b) => !/^\d+$/.test(b));
      assert.equal(new Set(numbers).size, numbers.length, 'a number was handed out twice');
      assert.equal(numbers.length, capacity);
      assert.ok(others.every((b) => b === 'BUSY'), others.join(','));
      await assertCapacityRespected(p);
      const st = (await call(p, { pool_key: key, action: 'getPoolStatus' })).json() as Array<{ used: number; channels: number }>;
      assert.equal(st[0]!.used, capacity);
      assert.equal(st[0]!.channels, 0);
    });

    it(`${dialect}: parallel openNumbers max and closes keep every set legal and distinct`, async () => {
      assert.equal((await call(p, { pool_key: key, action: 'poolRestart' })).body, 'DONE');
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call(p, i % 2 === 0
        ? { pool_key: key, action: 'openNumbers', channels: 'max' }
        : { pool_key: key, action: 'openNumber' })));
      const handed: string[] = [];
      for (const a of answers) {
        if (a.type.startsWith('application/json')) handed.push(...(a.json() as { numbers: string }).numbers.split(','));
        else if (/^\d+$/.test(a.body)) handed.push(a.body);
      }
      assert.equal(new Set(handed).size, handed.length);
      assert.equal(handed.length, capacity);
      await assertCapacityRespected(p);
    });
  });
}
