import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { FakeClock } from '../lib/clock.ts';
import { createTestStore } from '../store/testing.ts';
import { createDeviceRuntime, type DeviceRuntime } from '../devices/runtime.ts';
import { linkRoutes } from '../http/link/route.ts';
import { addAggregator } from '../../test/e2e/support/world.ts';
import { ClusterLinkRouter, pollBody } from './link-router.ts';
import { NodeRegistry } from './node-registry.ts';
import { takeoverAggregator } from './takeover.ts';
import { leaseOf } from './lease-table.ts';

interface TestNode { id: string; clock: FakeClock; runtime: DeviceRuntime; router: ClusterLinkRouter; app: FastifyInstance; url: string; nodes: NodeRegistry }

describe('cluster / link router / pollBody', () => {
  it('keeps every string parameter, repeated keys included, and drops non-strings', () => {
    assert.equal(pollBody({ token: 't', step: '5', data: 'a&&b\n+CMTI: "SM",1', x: ['1', '2'], n: 3 }).toString(),
      'token=t&step=5&data=a%26%26b%0A%2BCMTI%3A+%22SM%22%2C1&x=1&x=2');
    assert.equal(pollBody('?token=t&data=REQUEST').get('data'), 'REQUEST');
  });
});

describe('postgres: cluster / link router — a poll on any node reaches the session', () => {
  it('relays to the holder, answers flow back, and a dead holder is taken over with steps moved past its own', async () => {
    const store = await createTestStore('postgres');
    const token = '5550001234';
    const aggId = await addAggregator(store, 'SR-Box-8', token);
    const made: TestNode[] = [];
    const mk = async (id: string): Promise<TestNode> => {
      const clock = new FakeClock(Date.UTC(2026, 10, 27, 12));
      const runtime = createDeviceRuntime({ store, clock, nodeId: id, leaseTtlMs: 3000, backgroundJobs: false });
      const app = Fastify();
      const box: { router?: ClusterLinkRouter } = {};
      await app.register(linkRoutes, { hub: { handle: (q, m) => box.router!.handle(q, m) } });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const nodes = new NodeRegistry({ store, clock, nodeId: id, address: url, heartbeatMs: 1000 });
      await nodes.start();
      box.router = new ClusterLinkRouter({
        store, clock, nodeId: id, runtime, nodes, nodeStaleMs: 3000, forwardTimeoutMs: 10_000, // a closed holder refuses at once; the timeout only guards a loaded machine
        takeover: (agg, last) => takeoverAggregator(store, runtime, id, agg, last),
      });
      const n = { id, clock, runtime, router: box.router, app, url, nodes };
      made.push(n);
      return n;
    };
    const poll = async (n: TestNode, step: number, data: string) =>
      (await fetch(`${n.url}/sr/link.php?${new URLSearchParams({ token, step: String(step), data })}`)).text();
    try {
      const a = await mk('node-a');
      const b = await mk('node-b');
      await a.runtime.start();
      await b.runtime.start();
      assert.ok(a.runtime.session(aggId), 'the first node holds the session');
      assert.equal(b.runtime.session(aggId), undefined);
      assert.equal(b.runtime.hub.get(aggId), undefined, 'no stale channel left on the node that lost the lease');

      assert.equal(await poll(b, 0, 'REQUEST'), '{data}0#!#REQUEST');
      assert.equal(b.router.counters.forwarded, 1);
      assert.notEqual(a.runtime.hub.get(aggId)!.channel.lastHeardAt, null, 'the poll reached the holder\'s channel');

      const q = a.runtime.hub.get(aggId)!.channel.enqueue('answer>clear');
      assert.ok(q.ok);
      assert.equal(await poll(b, 0, 'REQUEST'), `{data}${q.step}#!#answer>clear`);
      await poll(b, q.step, '1');
      assert.deepEqual(a.runtime.hub.get(aggId)!.channel.answersOf(q.step).answers, ['1']);
      const stepBefore = Number((await store.db.selectFrom('aggregators').select('step').where('id', '=', aggId).executeTakeFirstOrThrow()).step);

      // node-a dies: its server goes, its clock (and so its lease renewal) stops.
      await a.app.close();
      assert.equal(await poll(b, 0, 'REQUEST'), '', 'an unreachable holder: the device is told to poll again');
      assert.equal(b.router.counters.forwardFailed, 1);
      assert.equal(b.runtime.session(aggId), undefined, 'no takeover while the lease is alive');

      await b.clock.advance(3001);
      assert.equal(await poll(b, 0, 'REQUEST'), '{data}0#!#REQUEST');
      assert.ok(b.runtime.session(aggId), 'node-b took the session over');
      assert.equal((await leaseOf(store, `aggregator:${aggId}`))?.holder, 'node-b');
      const q2 = b.runtime.hub.get(aggId)!.channel.enqueue('answer>clear');
      assert.ok(q2.ok && q2.step >= stepBefore + 1000, `new steps start past the old holder's (${stepBefore} → ${q2.ok ? q2.step : '?'})`);
      assert.equal(await poll(b, 0, 'REQUEST'), `{data}${q2.step}#!#answer>clear`);

      // a stray relay (the session is not here) is held, never served from an empty channel.
      const stray = await fetch(`${b.url}/link.php`, { method: 'POST', headers: { 'x-simnav-forwarded-by': 'node-c', 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}&step=0&data=REQUEST` });
      assert.equal(await stray.text(), `{data}0#!#REQUEST`, 'b holds the session now, so a relayed poll is served');
    } finally {
      for (const n of made) { await n.runtime.stop(); await n.app.close(); }
      await store.close();
    }
  });
});
