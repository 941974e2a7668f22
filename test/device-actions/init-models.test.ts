/**
 * `POST /aggregators/:id/init` on every model family over real HTTP, the simulator as hardware:
 * the driver's init sequence (device-link.md §4 "Init") is queued (202) and the simulated device
 * answers every command truthily; afterwards its modems are powered and a card can still be put
 * online.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type World, type WorldDevice } from '../e2e/support/harness.ts';
import { adminApi } from '../e2e/support/admin-api.ts';
import { createUser } from '../../src/domain/users/users.ts';
import { createApiToken } from '../../src/domain/auth/api-tokens.ts';
import { driverFor } from '../../src/devices/drivers/driver.ts';

const DEVICES: WorldDevice[] = [
  { id: 'train', model: 'SR-Train', simModel: 'sr-train', token: '5000000001', sims: [{ place: '4-7', number: '79163000001' }] },
  { id: 'box8', model: 'SR-Box-8', simModel: 'sr-box-8', token: '5000000002', sims: [{ place: 'C', number: '79163000002' }] },
  { id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '5000000003', sims: [{ place: 'D12', number: '79163000003' }] },
  { id: 'box2', model: 'SR-Box-2', simModel: 'sr-box-2', token: '5000000004', sims: [{ place: 'F3', number: '79163000004' }] },
  { id: 'org', model: 'SR-Organizer', simModel: 'sr-organizer', token: '5000000005', sims: [{ place: '2-5', number: '79163000005' }] },
  { id: 'orgsmart', model: 'SR-Organizer-Smart', simModel: 'sr-organizer-smart', token: '5000000006', sims: [{ place: 'B3', number: '79163000006' }] },
];

describe('init on every model family over HTTP against the simulator', () => {
  let w: World;
  let admin = '';

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    return adminApi(w, method, path, admin, body ?? {});
  }

  before(async () => {
    w = await createWorld(DEVICES, { api: true });
    const ctx = { db: w.store.db, clock: w.clock };
    const u = await createUser(ctx, { login: 'init-admin', role: 'admin', password: 'password-admin-123', poolScope: null });
    assert.ok(u.ok);
    const t = await createApiToken(ctx, { name: 'init-admin', role: 'admin', userId: u.value.user.id });
    assert.ok(t.ok);
    admin = t.value.token;
    await w.drive(20_000); // every device polled once: sessions run
  });
  after(async () => { await w?.stop(); });

  for (const d of DEVICES) {
    test(`init / ${d.model}: 202, every command answered truthily, modems powered, a card goes online after`, async () => {
      const id = w.aggregators.get(d.id)!;
      const r = await call('POST', `/aggregators/${id}/init`);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal(r.body.commands, driverFor(d.model)!.init().length);
      const audit = await w.store.db.selectFrom('audit_log').select('details').where('action', '=', 'device.init').where('target', '=', `aggregator:${id}`).executeTakeFirstOrThrow();
      const steps = (JSON.parse(audit.details) as { steps: number[] }).steps;
      const sequence = driverFor(d.model)!.init();
      const ch = w.runtime.hub.get(id)!.channel;
      // SMART answers only commands with a leading dot (device-link.md §2.6).
      const answering = steps.filter((_, i) => driverFor(d.model)!.family === 'classic' || sequence[i]!.startsWith('.'));
      assert.ok(await w.until(() => answering.every((s) => ch.answersOf(s).answers.length > 0), 180_000), `answers ${JSON.stringify(answering.map((s) => ch.answersOf(s).answers))}`);
      const answers = answering.flatMap((s) => ch.answersOf(s).answers);
      assert.ok(answers.every((a) => a.trim() !== '' && a.trim() !== 'NULL'), JSON.stringify(answers));
      const dev = w.sim.snapshot().find((x) => x.id === d.id) as { modems?: Array<{ powered?: boolean }> };
      assert.ok(dev.modems?.every((m) => m.powered === true), JSON.stringify(dev.modems?.slice(0, 3)));
      const number = d.sims[0]!.number;
      assert.ok(await w.open(number));
      assert.ok(await w.until(async () => /^WAIT_SMS/.test(await w.status(number)), 300_000), await w.status(number));
      await w.close(number);
    });
  }
});
