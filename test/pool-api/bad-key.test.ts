/** BAD_KEY rate limiting per address (api.md §5), in simulated time; valid keys are never slowed. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.ts';
import { startPanel, call, addAggregator, addCards, addPool } from './support.ts';
import type { Panel } from './support.ts';
import { testDialects } from '../../src/store/testing.ts';

for (const dialect of testDialects()) describe(`${dialect}: pool api BAD_KEY limit`, () => {
  let p: Panel;
  let key: string;
  const clock = new FakeClock(Date.now());
  before(async () => {
    p = await startPanel(dialect, { clock, badKey: { limit: 3, windowMs: 60_000, delayMs: 1_000, maxWaiting: 4 } });
    const a = await addAggregator(p, 'SR-Nano-500');
    key = (await addPool(p, await addCards(p, a, [{ place: 'A0', number: '79010000001' }]))).key;
  });
  after(async () => { await p.close(); });

  it('bad key / over the limit the answer waits for the delay; a valid key from the same address does not', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await call(p, { pool_key: `wrong${i}`, action: 'getPoolStatus' })).body, 'BAD_KEY');
    let settled = false;
    const timersBefore = clock.timers;
    const limited = call(p, { pool_key: 'wrong-again', action: 'getPoolStatus' }).then((r) => { settled = true; return r; });
    const valid = await call(p, { pool_key: key, action: 'getPoolStatus' });
    assert.deepEqual(valid.json(), [{ total: 1, used: 0, free: 1, channels: 1 }]);
    for (let i = 0; i < 400 && clock.timers === timersBefore; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(clock.timers, timersBefore + 1, 'the limited BAD_KEY is held');
    assert.equal(settled, false, 'the limited BAD_KEY answered before its delay');
    await clock.advance(1_000);
    assert.equal((await limited).body, 'BAD_KEY');
    const metrics = await (await fetch(`${p.base}/metrics`)).text();
    assert.match(metrics, /simnav_pool_api_bad_key_limited_total 1/);
  });

  it('bad key / the window slides: after it, answers are immediate again', async () => {
    await clock.advance(61_000);
    assert.equal((await call(p, { pool_key: 'wrong', action: 'getPoolStatus' })).body, 'BAD_KEY');
  });
});
