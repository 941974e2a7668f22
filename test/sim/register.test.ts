/**
 * Against the real panel (buildApp on SQLite, real HTTP): `--register` creates the aggregators and
 * cards through the admin API, the simulated devices poll `link.php` with the tokens it returned and
 * are heard by the panel; registering again reuses them with fresh tokens; `startDemo` prints a
 * pool key that the pool API accepts and the control URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFleet } from '../../src/sim/fleet.ts';
import { registerFleet, tokenMap } from '../../src/sim/register.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { startDemo } from '../../src/sim/demo.ts';
import { startPanel } from '../admin/support.ts';

const fleetOf = (smartType: 52 | 54 = 54) => {
  const f = parseFleet({ seed: 4, timings: { device: { pollMs: 200, jitterMs: 50 } }, devices: [
    { id: 'reg-board', model: 'sr-board', sims: [{ place: 'A1', operator: 'mts' }, { place: 'B1', operator: 'tele2' }] },
    { id: 'reg-smart', model: 'sr-organizer-smart', smartType, fill: { count: 2 } },
    { id: 'reg-bank', model: 'sr-box-bank', bankMap: '11000000' },
  ] });
  assert.ok(f.ok);
  return f.value;
};

test('register / aggregators and cards through /api/v1; the devices are heard on link.php; a second run reuses them', async () => {
  const p = await startPanel();
  try {
    const sim = new Simulator({ fleet: fleetOf(), panelUrl: p.origin });
    const r = await registerFleet(sim, { panelUrl: p.origin, adminToken: p.admin });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    assert.deepEqual(Object.keys(r.value.tokens).sort(), ['reg-bank', 'reg-board', 'reg-smart']);
    assert.equal(r.value.cards, 4, JSON.stringify(r.value.warnings));
    sim.setLinks(tokenMap(r.value));
    sim.start();
    let heard = 0;
    for (let i = 0; i < 300 && heard < 3; i++) {
      await new Promise((res) => setTimeout(res, 100));
      heard = [...sim.devices.values()].filter((d) => d.stats.polls > 1 && d.stats.httpErrors === 0).length;
    }
    await sim.stop();
    assert.equal(heard, 3, 'every device polls the real link endpoint without errors');
    type Agg = { title: string; id: number; settings: Record<string, unknown> };
    const aggs = (await p.call('GET', '/aggregators', { token: p.admin })).body.items as Agg[];
    assert.deepEqual(aggs.map((a) => a.title).sort(), ['reg-bank', 'reg-board', 'reg-smart']);
    const settings = (title: string, list: Agg[]) => list.find((a) => a.title === title)!.settings;
    assert.equal(settings('reg-smart', aggs)['smartType'], 54, 'the panel knows the hardware type');
    assert.equal(settings('reg-bank', aggs)['bankMap'], '11000000', 'the panel knows the banks (its default is one)');
    const cards = await p.call('GET', '/cards', { token: p.admin });
    assert.equal(cards.status, 200);

    const again = await registerFleet(new Simulator({ fleet: fleetOf(52), panelUrl: p.origin }), { panelUrl: p.origin, adminToken: p.admin });
    assert.ok(again.ok, JSON.stringify(!again.ok && again.error));
    assert.equal(again.value.cards, 0, 'the cards are already there');
    const aggs2 = (await p.call('GET', '/aggregators', { token: p.admin })).body.items as Agg[];
    assert.equal(aggs2.length, 3, 'no duplicate aggregators');
    assert.equal(settings('reg-smart', aggs2)['smartType'], 52, 'a changed hardware type is patched');
    assert.equal(settings('reg-bank', aggs2)['bankMap'], '11000000');
    assert.notEqual(again.value.tokens['reg-board']!.token, r.value.tokens['reg-board']!.token, 'a fresh link token');

    const refused = await registerFleet(new Simulator({ fleet: fleetOf(), panelUrl: p.origin }), { panelUrl: p.origin, adminToken: 'nope' });
    assert.ok(!refused.ok && refused.error.code === 'REGISTER_FORBIDDEN');
  } finally {
    await p.close();
  }
});

test('register / a server-mode device goes in through /api/v1/aggregators with link mode server, its address and local token; a second run points it at the new address', async () => {
  const p = await startPanel();
  const fleet = () => {
    const f = parseFleet({ seed: 4, devices: [{ id: 'lan-board', model: 'sr-board', link: 'server', serverToken: 'Ab3d5', sims: [{ place: 'A1', operator: 'mts' }] }] });
    assert.ok(f.ok);
    return f.value;
  };
  const sims: Simulator[] = [];
  try {
    const sim = new Simulator({ fleet: fleet(), panelUrl: p.origin });
    sims.push(sim);
    const early = await registerFleet(sim, { panelUrl: p.origin, adminToken: p.admin });
    assert.ok(!early.ok && /listen/.test(early.error.message), 'the address must be known first');
    await sim.listen();
    const r = await registerFleet(sim, { panelUrl: p.origin, adminToken: p.admin });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    type Agg = { id: number; title: string; linkMode: string; serverIp: string | null };
    const one = async () => ((await p.call('GET', '/aggregators', { token: p.admin })).body.items as Agg[]).filter((a) => a.title === 'lan-board');
    const [agg] = await one();
    assert.deepEqual([agg!.linkMode, agg!.serverIp], ['server', sim.serverLink('lan-board')!.address]);
    const row = await p.store.db.selectFrom('aggregators').select('server_token').where('id', '=', agg!.id).executeTakeFirstOrThrow();
    assert.equal(row.server_token, 'Ab3d5');

    const sim2 = new Simulator({ fleet: fleet(), panelUrl: p.origin });
    sims.push(sim2);
    await sim2.listen();
    assert.notEqual(sim2.serverLink('lan-board')!.address, sim.serverLink('lan-board')!.address);
    const again = await registerFleet(sim2, { panelUrl: p.origin, adminToken: p.admin });
    assert.ok(again.ok, JSON.stringify(!again.ok && again.error));
    const after = await one();
    assert.equal(after.length, 1);
    assert.equal(after[0]!.serverIp, sim2.serverLink('lan-board')!.address);

    // The admin API's own checks on the server-mode fields.
    const bad = await p.call('PATCH', `/aggregators/${agg!.id}`, { token: p.admin, json: { serverToken: 'toolong' } });
    assert.equal(bad.status, 400);
    const badIp = await p.call('PATCH', `/aggregators/${agg!.id}`, { token: p.admin, json: { serverIp: 'evil.example/x?y' } });
    assert.equal(badIp.status, 400);
  } finally {
    for (const s of sims) await s.stop();
    await p.close();
  }
});

test('startDemo / prints a working demo pool key and the control URL; a second start rotates the key', async () => {
  const p = await startPanel();
  try {
    for (let round = 0; round < 2; round++) {
      const lines: string[] = [];
      const demo = await startDemo({ panelUrl: p.origin, adminToken: p.admin, print: (l) => lines.push(l) });
      assert.ok(demo.ok, JSON.stringify(!demo.ok && demo.error));
      try {
        const key = /^demo pool key: (\S+)$/.exec(lines.find((l) => l.startsWith('demo pool key: ')) ?? '')?.[1];
        assert.ok(key, lines.join('\n'));
        const control = /^simulator control: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(lines.find((l) => l.startsWith('simulator control: ')) ?? '')?.[1];
        assert.ok(control, lines.join('\n'));
        const status = await p.call('GET', `${p.origin}/api/handler.php?pool_key=${encodeURIComponent(key)}&action=getPoolStatus`);
        assert.notEqual(status.text, 'BAD_KEY');
        assert.match(status.text, /"total":\s*\d+/);
        const devices = await (await fetch(control + 'devices')).json() as { devices: unknown[] };
        assert.equal(devices.devices.length, 11);
      } finally {
        await demo.value.stop();
      }
    }
  } finally {
    await p.close();
  }
});
