import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/clock.ts';
import { createTestStore, testDialects } from '../store/testing.ts';
import { SingletonJobs } from './singleton-jobs.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: cluster / singleton jobs`, () => {
    it('a job runs on exactly one node; when that node dies it moves once the lease expires', async () => {
      const store = await createTestStore(dialect);
      // Each node has its own clock: a dead node's clock stands still.
      const clocks = [new FakeClock(), new FakeClock(), new FakeClock()];
      const runs = [0, 0, 0];
      const nodes = clocks.map((clock, i) => new SingletonJobs({
        store, clock, nodeId: `n${i}`, leaseTtlMs: 3000,
        jobs: [{ name: 'flush', everyMs: 1000, run: async () => { runs[i]!++; } }],
      }));
      try {
        const round = async (alive: number[]) => {
          for (const i of alive) { await clocks[i]!.advance(1000); await nodes[i]!.tick(); }
        };
        for (let k = 0; k < 6; k++) await round([0, 1, 2]);
        assert.equal(runs.filter((r) => r > 0).length, 1, `one runner: ${runs}`);
        const first = runs.findIndex((r) => r > 0);
        assert.deepEqual(nodes[first]!.held(), ['flush']);
        const before = [...runs];
        const alive = [0, 1, 2].filter((i) => i !== first);
        await round(alive); // within the TTL: nobody else may start it
        assert.deepEqual(runs, before);
        for (let k = 0; k < 4; k++) await round(alive);
        const movedTo = alive.filter((i) => runs[i]! > before[i]!);
        assert.equal(movedTo.length, 1, `moved to exactly one node: ${runs}`);
      } finally {
        await store.close();
      }
    });

    it('a long-running job is stopped on the node that loses its lease and started on the winner', async () => {
      const store = await createTestStore(dialect);
      const ca = new FakeClock();
      const cb = new FakeClock();
      const live: string[] = [];
      const job = (id: string) => ({ name: 'watch', start: async () => { live.push(id); return () => { live.splice(live.indexOf(id), 1); }; } });
      const a = new SingletonJobs({ store, clock: ca, nodeId: 'a', leaseTtlMs: 3000, jobs: [job('a')] });
      const b = new SingletonJobs({ store, clock: cb, nodeId: 'b', leaseTtlMs: 3000, jobs: [job('b')] });
      try {
        await a.tick();
        await b.tick();
        assert.deepEqual(live, ['a']);
        await cb.advance(3001); // a stalls past its TTL (its clock did not move: no renewal)
        await b.tick();
        assert.deepEqual(live.sort(), ['a', 'b']); // a has not noticed yet …
        await a.tick(); // … and stops at its next renewal attempt, which is refused
        assert.deepEqual(live, ['b']);
        await b.stop();
        assert.deepEqual(live, []);
        await a.tick();
        assert.deepEqual(live, ['a'], 'a released lease is taken at once');
        await a.stop();
      } finally {
        await store.close();
      }
    });
  });
}
