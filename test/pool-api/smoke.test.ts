import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../src/store/testing.ts';
import { startPanel, call, addAggregator, addCards, addPool } from './support.ts';
import type { Panel } from './support.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: pool api smoke`, () => {
    let p: Panel;
    let key: string;
    before(async () => {
      p = await startPanel(dialect);
      const a = await addAggregator(p, 'SR-Nano-500');
      const ids = await addCards(p, a, [{ place: 'A0', number: '79010000001' }, { place: 'A1', number: '79010000002' }]);
      key = (await addPool(p, ids)).key;
    });
    after(async () => { await p.close(); });

    it(`${dialect}: openNumber hands out the first FREE number, then BUSY on a Nano`, async () => {
      const r = await call(p, { pool_key: key, action: 'openNumber' });
      assert.equal(r.status, 200);
      assert.equal(r.body, '79010000001');
      assert.equal(r.type, 'text/plain; charset=utf-8');
      assert.equal((await call(p, { pool_key: key, action: 'openNumber' })).body, 'BUSY');
      assert.deepEqual((await call(p, { pool_key: key, action: 'getPoolStatus' })).json(), [{ total: 2, used: 1, free: 1, channels: 0 }]);
    });
  });
}
