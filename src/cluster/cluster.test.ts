import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../lib/clock.ts';
import { createTestStore } from '../store/testing.ts';
import { createEventBus, type Stamped } from '../domain/events/bus.ts';
import { asPoolsPort, decodePoolsChange, encodePoolsChange, startClusterNode, type ClusterRuntime, type PoolsPort } from './cluster.ts';
import { createPoolService } from '../domain/pools/service.ts';
import { listNodes } from './node-registry.ts';

const until = async (cond: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

describe('cluster / pools change payloads', () => {
  it('carries card ids (or null = rebuild), drops our own echo and anything malformed', () => {
    assert.deepEqual(decodePoolsChange(encodePoolsChange('a', [1, 2]), 'b'), { ids: [1, 2] });
    assert.deepEqual(decodePoolsChange(encodePoolsChange('a', undefined), 'b'), { ids: null });
    assert.deepEqual(decodePoolsChange(encodePoolsChange('a', Array.from({ length: 501 }, (_, i) => i)), 'b'), { ids: null });
    assert.equal(decodePoolsChange(encodePoolsChange('a', [1]), 'a'), null);
    for (const bad of ['', '{', '{"origin":"x","ids":["1"]}', '{"ids":[1]}', '[]']) assert.equal(decodePoolsChange(bad, 'b'), null, bad);
  });
  it('the pool service offers the hooks the relay needs, and tells of its own changes', async () => {
    const store = await createTestStore('sqlite');
    try {
      const pools = createPoolService({ store, clock: realClock() });
      const port = asPoolsPort(pools);
      assert.ok(port);
      const told: Array<readonly number[] | undefined> = [];
      port.onChanged((ids) => told.push(ids));
      assert.ok((await pools.create({ title: 'p' })).ok);
      assert.ok(told.length >= 1, 'a pool created here is told to the relay');
      assert.equal(asPoolsPort({ cardsChanged() {} }), undefined);
    } finally { await store.close(); }
  });
});

describe('postgres: cluster / two nodes relay events, wake-ups and pool changes', () => {
  it('what one node does reaches the other through LISTEN/NOTIFY; stop removes the node row', async () => {
    const store = await createTestStore('postgres');
    const clock = realClock();
    const mk = (id: string) => {
      const woken: Array<number | undefined> = [];
      const queued = new Set<(row: { aggregatorId: number }) => void>();
      const runtime: ClusterRuntime = {
        hub: { handle: async () => '' }, repo: { byTokenHash: async () => null }, intake: { flushStale: async () => 0 },
        outbox: { onQueued: (l) => { queued.add(l); return () => queued.delete(l); } },
        session: () => undefined, claim: async () => false, wake: (a) => { woken.push(a); },
      };
      const poolListeners = new Set<(ids?: readonly number[]) => void>();
      const poolCalls: Array<number[] | 'all'> = [];
      const pools: PoolsPort = {
        onChanged: (l) => { poolListeners.add(l); return () => poolListeners.delete(l); },
        cardsChanged: (ids) => { poolCalls.push([...ids]); }, invalidate: () => { poolCalls.push('all'); },
      };
      const bus = createEventBus({ clock, nodeId: id });
      const seen: Stamped[] = [];
      bus.subscribe((e) => seen.push(e));
      return { id, runtime, woken, queued, pools, poolListeners, poolCalls, bus, seen };
    };
    const a = mk('node-a');
    const b = mk('node-b');
    const settings = (id: string) => ({ nodeId: id, address: `http://127.0.0.1:1/${id}`, leaseTtlMs: 3000, heartbeatMs: 1000, nodeStaleMs: 3000, forwardTimeoutMs: 1000 });
    const na = await startClusterNode({ store, databaseUrl: store.url, clock, runtime: a.runtime, settings: settings(a.id), bus: a.bus, pools: a.pools });
    const nb = await startClusterNode({ store, databaseUrl: store.url, clock, runtime: b.runtime, settings: settings(b.id), bus: b.bus, pools: b.pools });
    try {
      assert.deepEqual((await listNodes(store)).map((n) => n.id).sort(), ['node-a', 'node-b']);
      a.bus.publish({ type: 'pool.changed', poolId: 3 });
      await until(() => b.seen.some((e) => e.type === 'pool.changed' && e.origin === 'node-a'), 'the event reached node-b');
      for (const l of a.queued) l({ aggregatorId: 42 }); // sendSms queued on node-a
      await until(() => b.woken.includes(42), 'node-b woke aggregator 42');
      for (const l of a.poolListeners) { l([7, 8]); l(undefined); }
      await until(() => b.poolCalls.length === 2, 'node-b patched its pool views');
      assert.deepEqual(b.poolCalls, [[7, 8], 'all']);
      assert.deepEqual(a.poolCalls, [], 'no echo to the node that changed');
      assert.ok([...na.jobsHeld(), ...nb.jobsHeld()].filter((j) => j === 'sms-reassembly').length === 1, 'the reassembly job runs on one node');
    } finally {
      await na.stop();
      await nb.stop();
      assert.deepEqual(await listNodes(store), []);
      await store.close();
    }
  });
});
