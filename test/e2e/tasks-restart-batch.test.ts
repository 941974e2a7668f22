/**
 * A panel restart in the middle of a multi-modem batch: the units the batch had claimed are still
 * `running`, so the new runtime seats them again (with the rest of the task) and every card is
 * reported exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createWorld } from './support/harness.ts';
import { restartPanel } from './support/restart.ts';

const PLACES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

test('e2e / restart mid-batch on an SR-Box-8: claimed units run again after the restart; each card reported once, every number filled', async () => {
  const w = await createWorld([{ id: 'b', model: 'SR-Box-8', simModel: 'sr-box-8', token: '6100000001', sims: PLACES.map((place, i) => ({ place, number: `7916410000${i}` })) }]);
  let runtime = w.runtime;
  let app2: FastifyInstance | null = null;
  const agg = w.aggregators.get('b')!;
  try {
    await w.store.db.updateTable('cards').set({ number: null, iccid: null }).execute();
    const id = await runtime.tasks.createScan(agg, PLACES);
    assert.ok(await w.until(async () => (await runtime.tasks.view(id))!.progress >= 2, 900_000));
    const running = await w.store.db.selectFrom('task_units').select('id').where('task_id', '=', id).where('status', '=', 'running').execute();
    assert.ok(running.length >= 2, `claimed units left running: ${running.length}`);

    ({ runtime, app: app2 } = await restartPanel(w, runtime));
    assert.ok(await w.until(async () => (await runtime.tasks.view(id))!.status === 'done', 1_800_000));
    const v = (await runtime.tasks.view(id))!;
    assert.deepEqual([v.progress, v.success], [8, 8], JSON.stringify(v.report));
    assert.deepEqual(v.report.map((r) => r.place).sort(), PLACES, 'each card once');
    const sims = new Map(w.sim.sims().map((s) => [String(s.place), String(s.number)]));
    for (const c of await w.store.db.selectFrom('cards').select(['place', 'number']).execute()) assert.equal(c.number, sims.get(c.place), c.place);
  } finally {
    await runtime.stop();
    if (app2) await app2.close(); else await w.app.close();
    await w.sim.stop();
    await w.store.close();
  }
});
