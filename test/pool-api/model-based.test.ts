/**
 * Model-based test: random sequences of openNumber / openNumbers / closeNumber / poolRestart
 * against a small reference model of api.md §2–3 (USED per pool, one card online on the Nano,
 * one per line on the Organizer). Every answer and the pool status must agree with the model.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDialects } from '../../src/store/testing.ts';
import { startPanel, call, addAggregator, addCards, addPool } from './support.ts';
import type { Panel } from './support.ts';

interface Num { n: string; agg: number; group: string; order: number }

/** Nano A0, A1 (one online at a time); Organizer lines 1 and 2 (one online per line). */
const NUMS: Num[] = [
  { n: '79010000001', agg: 0, group: 'nano', order: 0 },
  { n: '79010000002', agg: 0, group: 'nano', order: 1 },
  { n: '79020000001', agg: 1, group: 'line1', order: 2 },
  { n: '79020000002', agg: 1, group: 'line1', order: 3 },
  { n: '79020000003', agg: 1, group: 'line2', order: 4 },
];
const FOREIGN = '79990000000';

class Reference {
  used = new Set<string>();
  online = new Set<string>();
  private groupBusy(g: string): boolean { return NUMS.some((x) => x.group === g && this.online.has(x.n)); }
  private eligible(repeat: boolean): Num[] {
    return NUMS.filter((x) => repeat || !this.used.has(x.n))
      .sort((a, b) => a.agg - b.agg || Number(this.used.has(a.n)) - Number(this.used.has(b.n)) || a.order - b.order);
  }
  private take(x: Num): void { this.used.add(x.n); this.online.add(x.n); }

  openOne(repeat: boolean): string {
    const el = this.eligible(repeat);
    const c = el.find((x) => !this.online.has(x.n) && !this.groupBusy(x.group));
    if (c) { this.take(c); return c.n; }
    return el.length > 0 ? 'BUSY' : 'NO_NUMBERS';
  }
  openGiven(n: string, repeat: boolean): string {
    const x = NUMS.find((y) => y.n === n);
    if (!x || (this.used.has(n) && !repeat)) return 'NO_NUMBERS';
    if (this.online.has(n)) { if (repeat) { this.used.add(n); return n; } return 'BUSY'; }
    if (this.groupBusy(x.group)) return 'BUSY';
    this.take(x);
    return n;
  }
  openMax(repeat: boolean): string | { total: number; numbers: string } {
    const el = this.eligible(repeat);
    const chosen: Num[] = [];
    for (const x of el) {
      if (this.online.has(x.n) || this.groupBusy(x.group) || chosen.some((c) => c.group === x.group)) continue;
      chosen.push(x);
    }
    if (chosen.length === 0) return el.length > 0 ? 'NO_CHANNELS' : 'NO_NUMBERS';
    chosen.forEach((c) => this.take(c));
    return { total: chosen.length, numbers: chosen.map((c) => c.n).join(',') };
  }
  close(list: string[]): string {
    if (!list.some((n) => NUMS.some((x) => x.n === n))) return 'BAD_NUMBER';
    list.forEach((n) => this.online.delete(n));
    return 'DONE';
  }
  restart(keep: boolean): string {
    this.used.clear();
    if (!keep) this.online.clear();
    return 'DONE';
  }
  status(): { total: number; used: number; free: number; channels: number } {
    const free = NUMS.filter((x) => !this.used.has(x.n) && !this.online.has(x.n));
    const groups = new Set(free.filter((x) => !this.groupBusy(x.group)).map((x) => x.group));
    return { total: NUMS.length, used: this.used.size, free: NUMS.length - this.used.size, channels: groups.size };
  }
}

type Cmd =
  | { kind: 'openOne'; repeat: boolean }
  | { kind: 'openGiven'; n: string; repeat: boolean }
  | { kind: 'openMax'; repeat: boolean }
  | { kind: 'close'; list: string[] }
  | { kind: 'restart'; keep: boolean };

const numArb = fc.constantFrom(...NUMS.map((x) => x.n), FOREIGN);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ kind: fc.constant('openOne' as const), repeat: fc.boolean() }),
  fc.record({ kind: fc.constant('openGiven' as const), n: numArb, repeat: fc.boolean() }),
  fc.record({ kind: fc.constant('openMax' as const), repeat: fc.boolean() }),
  fc.record({ kind: fc.constant('close' as const), list: fc.array(numArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('restart' as const), keep: fc.boolean() }),
);

for (const dialect of testDialects()) {
  describe(`${dialect}: pool api model-based`, () => {
    let p: Panel;
    let key: string;
    before(async () => {
      p = await startPanel(dialect);
      const nano = await addAggregator(p, 'SR-Nano-500');
      const org = await addAggregator(p, 'SR-Organizer');
      const ids = [
        ...await addCards(p, nano, [{ place: 'A0', number: NUMS[0]!.n }, { place: 'A1', number: NUMS[1]!.n }]),
        ...await addCards(p, org, [{ place: '1-1', number: NUMS[2]!.n }, { place: '1-2', number: NUMS[3]!.n }, { place: '2-1', number: NUMS[4]!.n }]),
      ];
      key = (await addPool(p, ids)).key;
      const other = await addAggregator(p, 'SR-Nano-500');
      await addCards(p, other, [{ place: 'A0', number: FOREIGN }]);
    });
    after(async () => { await p.close(); });

    it(`${dialect}: open / close / restart sequences agree with the reference model`, async () => {
      await fc.assert(fc.asyncProperty(fc.array(cmdArb, { maxLength: 12 }), async (cmds) => {
        await call(p, { pool_key: key, action: 'poolRestart' });
        const ref = new Reference();
        for (const c of cmds) {
          let got: string | unknown; let want: string | unknown;
          const mode: Record<string, string> = 'repeat' in c && c.repeat ? { mode: 'repeat' } : {};
          if (c.kind === 'openOne') { want = ref.openOne(c.repeat); got = (await call(p, { pool_key: key, action: 'openNumber', ...mode })).body; }
          else if (c.kind === 'openGiven') { want = ref.openGiven(c.n, c.repeat); got = (await call(p, { pool_key: key, action: 'openNumber', number: c.n, ...mode })).body; }
          else if (c.kind === 'openMax') {
            want = ref.openMax(c.repeat);
            const r = await call(p, { pool_key: key, action: 'openNumbers', channels: 'max', ...mode });
            got = r.type.startsWith('application/json') ? r.json() : r.body;
          } else if (c.kind === 'close') { want = ref.close(c.list); got = (await call(p, { pool_key: key, action: 'closeNumber', number: c.list.join(',') })).body; }
          else { want = ref.restart(c.keep); got = (await call(p, { pool_key: key, action: 'poolRestart', ...(c.keep ? { keep: '1' } : {}) })).body; }
          assert.deepEqual(got, want, JSON.stringify(c));
          assert.deepEqual((await call(p, { pool_key: key, action: 'getPoolStatus' })).json(), [ref.status()], `status after ${JSON.stringify(c)}`);
        }
      }), { numRuns: dialect === 'sqlite' ? 40 : 15 });
    });
  });
}
