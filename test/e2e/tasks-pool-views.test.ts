import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './support/harness.ts';

/**
 * A scan writes numbers straight to the store (the device runtime's repo), not through the pool
 * service: the pool API's caches must hear of it, or getNumbers / getSms keep answering with the
 * old number for a while (and the console's inventory is not told cards changed).
 */
test('e2e / a scan that learns a number: the pool API answers with it at once', async () => {
  const w = await createWorld([{ id: 'n', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '9000000071', sims: [{ place: 'A1', number: '79268000071' }] }], { api: true });
  try {
    const agg = w.aggregators.get('n')!;
    await w.store.db.updateTable('cards').set({ number: '79000000099' }).execute();
    w.pools.invalidate();
    assert.match(await w.api({ action: 'getNumbers' }), /79000000099/, 'the pool API knows the old number');
    let invalidations = 0;
    w.pools.onInvalidated(() => { invalidations++; });
    const taskId = await w.runtime.tasks.createScan(agg, ['A1']);
    assert.ok(await w.until(async () => (await w.runtime.tasks.view(taskId))!.status === 'done', 1_200_000));
    assert.equal((await w.store.db.selectFrom('cards').select('number').executeTakeFirstOrThrow()).number, '79268000071');
    assert.ok(invalidations > 0, 'the pool service was told');
    const numbers = await w.api({ action: 'getNumbers' });
    assert.match(numbers, /79268000071/);
    assert.doesNotMatch(numbers, /79000000099/);
  } finally {
    await w.stop();
  }
});
