import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './support/harness.ts';
import { restartPanel } from './support/restart.ts';

const PLACES = Array.from({ length: 40 }, (_, i) => `A${i + 1}`);

test('e2e / task: number scan of an SR-Nano with 40 SIMs fills every number and ICCID; suspend, resume, a panel restart mid-task resumes it; cancel stops the rest', async () => {
  const w = await createWorld([{ id: 'n', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '9000000001', sims: PLACES.map((p, i) => ({ place: p, number: `792680000${String(i).padStart(2, '0')}` })) }]);
  let runtime = w.runtime;
  let restarted = false;
  const agg = w.aggregators.get('n')!;
  try {
    await w.store.db.updateTable('cards').set({ number: null, iccid: null }).execute();
    const taskId = await runtime.tasks.createScan(agg, PLACES.slice(0, 36));
    const progress = async () => (await runtime.tasks.view(taskId))!.progress;
    assert.ok(await w.until(async () => (await progress()) >= 8, 1_200_000), `progress ${await progress()}`);
    assert.ok(await runtime.tasks.suspend(taskId));
    await w.drive(180_000); // the unit in flight finishes; no new one starts
    const held = await progress();
    await w.drive(240_000);
    assert.equal(await progress(), held, 'suspended: no unit finishes');
    assert.equal((await runtime.tasks.view(taskId))!.status, 'suspended');
    assert.ok(await runtime.tasks.resume(taskId));
    assert.ok(await w.until(async () => (await progress()) >= held + 8, 1_200_000));
    const v = (await runtime.tasks.view(taskId))!;
    assert.ok(v.etaMs !== null && v.etaMs > 0, 'ETA while running');

    // restart the panel side mid-task: a new runtime on the same store and port picks the task up
    restarted = true;
    const next = await restartPanel(w, runtime);
    runtime = next.runtime;
    const app2 = next.app;
    try {
      assert.ok(await w.until(async () => (await runtime.tasks.view(taskId))!.status === 'done', 2_400_000), `after restart: ${JSON.stringify(await runtime.tasks.view(taskId))}`);
      const done = (await runtime.tasks.view(taskId))!;
      assert.equal(done.progress, 36);
      assert.equal(done.success, 36, JSON.stringify(done.report.filter((r) => r.code !== 'ok')));
      const cards = await w.store.db.selectFrom('cards').select(['place', 'number', 'iccid']).execute();
      const sims = new Map(w.sim.sims().map((s) => [s.place as string, s]));
      for (const c of cards.filter((x) => PLACES.slice(0, 36).includes(x.place))) {
        assert.equal(c.number, sims.get(c.place)!.number, `number of ${c.place}`);
        assert.equal(c.iccid, sims.get(c.place)!.iccid, `ICCID of ${c.place}`);
      }
      // cancel: a second task over the last 4 places, cancelled at once, leaves them unscanned
      const t2 = await runtime.tasks.createScan(agg, PLACES.slice(36));
      assert.ok(await runtime.tasks.cancel(t2));
      await w.drive(120_000);
      const v2 = (await runtime.tasks.view(t2))!;
      assert.equal(v2.status, 'cancelled');
      assert.ok(v2.progress <= 1);
      const rest = await w.store.db.selectFrom('cards').select('number').where('place', 'in', PLACES.slice(37)).execute();
      assert.ok(rest.every((r) => r.number === null));
    } finally {
      await runtime.stop();
      await app2.close();
    }
  } finally {
    if (!restarted) { await w.runtime.stop(); await w.app.close(); }
    await w.sim.stop();
    await w.store.close();
  }
});
