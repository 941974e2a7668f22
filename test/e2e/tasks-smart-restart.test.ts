/**
 * SMART firmware pushes a modem's `state` only when it changes. After a panel restart nothing is
 * known about cards that stayed in place: the task runner moves the modem to another card and
 * back so the device reports a fresh state, instead of failing the unit as "not registered".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createWorld } from './support/harness.ts';
import { restartPanel } from './support/restart.ts';

test('e2e / task on SMART after a panel restart: cards already in place are re-seated for a fresh state; ICCIDs read', async () => {
  const w = await createWorld([{ id: 's', model: 'SR-Organizer-Smart', simModel: 'sr-organizer-smart', token: '6000000001', sims: [{ place: 'A1', number: '79164000001' }, { place: 'B1', number: '79164000002' }] }]);
  let runtime = w.runtime;
  let app2: FastifyInstance | null = null;
  const agg = w.aggregators.get('s')!;
  try {
    const places = ['A1', 'B1'];
    const first = await runtime.tasks.create(agg, 'read_iccid', places.map((place) => ({ place })));
    assert.ok(await w.until(async () => (await runtime.tasks.view(first))!.status === 'done', 600_000));
    assert.equal((await runtime.tasks.view(first))!.success, 2, JSON.stringify((await runtime.tasks.view(first))!.report));

    ({ runtime, app: app2 } = await restartPanel(w, runtime));
    await w.store.db.updateTable('cards').set({ iccid: null }).execute();
    const second = await runtime.tasks.create(agg, 'read_iccid', places.map((place) => ({ place })));
    assert.ok(await w.until(async () => (await runtime.tasks.view(second))!.status === 'done', 900_000));
    const v = (await runtime.tasks.view(second))!;
    assert.equal(v.success, 2, JSON.stringify(v.report));
    const sims = new Map(w.sim.sims().map((s) => [String(s.place), String(s.iccid).toUpperCase()]));
    for (const c of await w.store.db.selectFrom('cards').select(['place', 'iccid']).execute()) assert.equal(c.iccid, sims.get(c.place), c.place);
  } finally {
    await runtime.stop();
    if (app2) await app2.close(); else await w.app.close();
    await w.sim.stop();
    await w.store.close();
  }
});
