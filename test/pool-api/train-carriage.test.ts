/** SR-Train: a card online on a known channel pins the carriage row for the next open (api.md §3, device-link.md §4). */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../src/store/testing.ts';
import { startPanel, call, addAggregator, addCards, addPool, onlineOn, T0 } from './support.ts';
import type { Panel } from './support.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: SR-Train carriage`, () => {
    let p: Panel;
    let key: string;
    let train: number;
    const q = (params: Record<string, string>) => call(p, { pool_key: key, ...params });

    /** Card 5-1 (outside the pool) online on `channel`: 1 = carriage at row 5, 9 = carriage at row 2. */
    async function seatFiveOne(channel: number): Promise<void> {
      const [id] = await addCards(p, train, [{ place: '5-1', number: '79110000051' }]);
      await p.store.db.insertInto('card_online').values({
        card_id: id!, aggregator_id: train, desired: 'online', opened_at: T0, channel, status_code: 1, status_at: T0, generation: 1, updated_at: T0,
      }).execute();
    }

    beforeEach(async () => {
      p = await startPanel(dialect);
      train = await addAggregator(p, 'SR-Train');
      const ids = await addCards(p, train, [{ place: '2-2', number: '79110000022' }, { place: '8-3', number: '79110000083' }]);
      key = (await addPool(p, ids)).key;
    });
    afterEach(async () => { await p.close(); });

    it(`${dialect}: 5-1 on channel 1 (row 5) → openNumber takes 8-3, never 2-2 (that would move the carriage)`, async () => {
      await seatFiveOne(1);
      assert.equal((await q({ action: 'openNumber' })).body, '79110000083');
      assert.equal((await q({ action: 'openNumber', number: '79110000022' })).body, 'BUSY');
      assert.deepEqual(await onlineOn(p, train), ['79110000051', '79110000083']);
    });

    it(`${dialect}: 5-1 on channel 9 (row 2) → openNumber takes 2-2, and 8-3 is BUSY`, async () => {
      await seatFiveOne(9);
      assert.equal((await q({ action: 'openNumber' })).body, '79110000022');
      assert.equal((await q({ action: 'openNumber', number: '79110000083' })).body, 'BUSY');
    });

    it(`${dialect}: openNumbers max with 5-1 on channel 1 opens only 8-3`, async () => {
      await seatFiveOne(1);
      assert.deepEqual((await q({ action: 'openNumbers', channels: 'max' })).json(), { total: 1, numbers: '79110000083' });
    });
  });
}
