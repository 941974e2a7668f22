/**
 * Issue #7 item 2, end to end: three `simnav serve` nodes on one PostgreSQL database (created for
 * the test), the simulator's devices polling through one round-robin of the nodes, pool-API clients
 * opening numbers and reading SMS through another. Mid-run the node holding the most sessions is
 * killed with SIGKILL. Then: every SMS the network sent is in the store exactly once and was seen by
 * its client, no number was handed to two clients, and the dead node's aggregators resumed on the
 * others within 15 s, as `simnav cluster status` shows. A console page (the live event stream) open
 * on every node shows SMS that another node stored (LISTEN/NOTIFY relay), none twice. Short leases (SIMNAV_LEASE_TTL_MS=6000) and 0.5 s device polls keep it to about
 * a minute and a half of real time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createTestStore } from '../../src/store/testing.ts';
import { createPoolService } from '../../src/domain/pools/service.ts';
import { realClock } from '../../src/lib/clock.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { addAggregator, addCard } from '../e2e/support/world.ts';
import { listLeases } from '../../src/cluster/lease-table.ts';
import type { ClusterStatus } from '../../src/cluster/status.ts';
import { createUser } from '../../src/domain/users/users.ts';
import { createApiToken } from '../../src/domain/auth/api-tokens.ts';
import { startRoundRobin } from './support/round-robin.ts';
import { startServeNode, type ServeNode } from './support/nodes.ts';
import { openLiveStream, type LiveStream } from './support/sse.ts';

const bin = fileURLToPath(new URL('../../bin/simnav.mjs', import.meta.url));

const BOXES = Number(process.env.CLUSTER_BOXES ?? 5);
const PLACES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
const CLIENTS = Number(process.env.CLUSTER_CLIENTS ?? 6);
const SMS_PER_NUMBER = 2;
const RUN_MS = 45_000; // clients open numbers until then, then only wait for their SMS
const READ_WAIT_MS = 60_000; // a number opened on an aggregator being taken over is re-seated first
const KILL_AT_MS = 20_000;
const TTL_MS = 6000; // the machine may stall a process for seconds; 4/3 × TTL + a scan stays < 15 s

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sent { text: string; number: string; client: number; at: number }

describe('postgres: cluster of three nodes', () => {
  it('cluster / SIGKILL of a node mid-run: SMS exactly once, no number to two clients, sessions resume elsewhere within 15 s', async () => {
    const store = await createTestStore('postgres');
    const nodes: ServeNode[] = [];
    const closers: Array<() => Promise<unknown>> = [];
    try {
      // ── the farm: BOXES × SR-Box-8 with 8 SIMs each, all in one pool ──
      const devices = [];
      const cardIds: number[] = [];
      for (let b = 0; b < BOXES; b++) {
        const token = `70000000${String(b).padStart(2, '0')}`;
        const id = await addAggregator(store, 'SR-Box-8', token);
        const sims = PLACES.map((place, i) => ({ place, operator: 'mts' as const, msisdn: `7926${String(b).padStart(3, '0')}${String(i).padStart(4, '0')}` }));
        for (const s of sims) cardIds.push(await addCard(store, id, 'sr-box-8', s.place, { number: s.msisdn, operator: 'MTS RUS' }));
        devices.push({ id: `box${b}`, model: 'sr-box-8' as const, token, sims });
      }
      const pool = await createPoolService({ store, clock: realClock() }).create({ title: 'cluster', cardIds });
      assert.ok(pool.ok);
      const key = pool.value.key;

      // ── three nodes, two balancers ──
      const started = await Promise.allSettled([1, 2, 3].map((i) => startServeNode(`node-${i}`, store.url, { SIMNAV_LEASE_TTL_MS: String(TTL_MS) })));
      for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      const deviceLb = await startRoundRobin(nodes.map((n) => n.url));
      const clientLb = await startRoundRobin(nodes.map((n) => n.url));
      closers.push(() => deviceLb.close(), () => clientLb.close());

      // ── a console page open on every node (admin API token, as a script or the browser would) ──
      const ctx = { db: store.db, clock: realClock() };
      const admin = await createUser(ctx, { login: 'watcher', role: 'admin', password: 'watcher-password-1', poolScope: null });
      assert.ok(admin.ok);
      const apiToken = await createApiToken(ctx, { name: 'watcher', role: 'admin', userId: admin.value.user.id });
      assert.ok(apiToken.ok);
      const pages = new Map<string, LiveStream>();
      for (const n of nodes) {
        const page = await openLiveStream(n.url, apiToken.value.token);
        pages.set(n.id, page);
        closers.push(() => page.close());
      }
      for (let i = 0; i < 200 && [...pages.values()].some((p) => !p.live()); i++) await sleep(50);
      assert.ok([...pages.values()].every((p) => p.live()), 'every node serves the live stream');

      const fleet = parseFleet({ seed: 11, timings: { device: { pollMs: 500, jitterMs: 150 } }, devices });
      assert.ok(fleet.ok, fleet.ok ? '' : fleet.error.message);
      const sim = new Simulator({ fleet: fleet.value, panelUrl: `${deviceLb.url}/sr/` });
      sim.start();
      closers.push(() => sim.stop());

      // ── clients ──
      const api = async (params: Record<string, string>): Promise<string | null> => {
        try {
          const r = await fetch(`${clientLb.url}/api/handler.php?${new URLSearchParams({ pool_key: key, ...params })}`, { signal: AbortSignal.timeout(10_000) });
          return r.status === 200 ? await r.text() : null;
        } catch { return null; } // a request cut by the kill: unknown outcome, as for any client
      };
      const handedOut: Array<{ client: number; number: string }> = [];
      const sent: Sent[] = [];
      const seen = new Map<string, Set<string>>(); // text → sms ids the client read for it
      const t0 = Date.now();
      let sending = true;
      const client = async (c: number): Promise<void> => {
        while (sending) {
          const number = await api({ action: 'openNumber' });
          if (number === null || !/^\d+$/.test(number)) { await sleep(500); continue; }
          handedOut.push({ client: c, number });
          const mine: string[] = [];
          for (let k = 0; k < SMS_PER_NUMBER; k++) {
            const text = `c${c} n${number} k${k} code ${1000 + sent.length}`;
            const r = sim.network.sendSms({ to: number, from: 'Bank', text });
            assert.ok(r.ok, `network refused ${number}`);
            sent.push({ text, number, client: c, at: Date.now() - t0 });
            mine.push(text);
          }
          // read until every SMS of this number arrived (bounded), then hand the number back
          const until = Date.now() + READ_WAIT_MS;
          while (Date.now() < until && mine.some((t) => !seen.has(t))) {
            const body = await api({ action: 'getSms', number, period: '3600' });
            if (body?.startsWith('[')) {
              const items = JSON.parse(body) as Array<{ sms?: Array<{ id: string; text: string }> }>;
              for (const s of items[0]?.sms ?? []) {
                if (!mine.includes(s.text)) continue;
                const set = seen.get(s.text) ?? new Set<string>();
                set.add(s.id);
                seen.set(s.text, set);
              }
            }
            await sleep(700);
          }
          await api({ action: 'closeNumber', number });
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

      // ── kill the node holding the most sessions ──
      await sleep(KILL_AT_MS);
      const leases = (await listLeases(store)).filter((l) => l.name.startsWith('aggregator:'));
      const byNode = new Map<string, string[]>();
      for (const l of leases) byNode.set(l.holder, [...(byNode.get(l.holder) ?? []), l.name]);
      const victim = [...nodes].sort((a, b) => (byNode.get(b.id)?.length ?? 0) - (byNode.get(a.id)?.length ?? 0))[0]!;
      const orphaned = byNode.get(victim.id) ?? [];
      assert.ok(orphaned.length > 0, `some node holds sessions: ${JSON.stringify([...byNode])}`);
      victim.child.kill('SIGKILL');
      const killedAt = Date.now();
      await victim.exited;

      // ── the orphans resume on the survivors ──
      const survivors = nodes.filter((n) => n !== victim).map((n) => n.id);
      let resumedAfter = -1;
      while (Date.now() - killedAt < 20_000) {
        const now = Date.now();
        const held = new Map((await listLeases(store)).map((l) => [l.name, l]));
        if (orphaned.every((name) => { const l = held.get(name); return l && survivors.includes(l.holder) && l.expiresAt > now; })) {
          resumedAfter = Date.now() - killedAt;
          break;
        }
        await sleep(200);
      }
      assert.ok(resumedAfter >= 0 && resumedAfter <= 15_000, `the dead node's ${orphaned.length} aggregators resumed within 15 s (took ${resumedAfter} ms)`);

      // ── `simnav cluster status` shows it: the survivors alive, holding the dead node's aggregators ──
      const statusRun = await promisify(execFile)(process.execPath, [bin, 'cluster', 'status', '--db', store.url, '--json'], { timeout: 120_000 });
      const status = JSON.parse(statusRun.stdout) as ClusterStatus;
      const heldBy = new Map(status.nodes.flatMap((n) => n.aggregators.map((a): [string, string] => [`aggregator:${a.id}`, n.id])));
      for (const id of survivors) assert.ok(status.nodes.some((n) => n.id === id && n.alive), `cluster status lists ${id} alive: ${statusRun.stdout}`);
      for (const name of orphaned) assert.ok(survivors.includes(heldBy.get(name) ?? ''), `cluster status: ${name} held by a survivor: ${statusRun.stdout}`);
      assert.deepEqual(status.nodes.find((n) => n.id === victim.id)?.aggregators ?? [], [], 'the dead node holds nothing');

      await sleep(Math.max(0, RUN_MS - (Date.now() - t0)));
      // Under load a client can still be inside its read window from before the kill: keep the
      // clients opening numbers until at least one SMS went out after the kill (bounded).
      const sentAfterKill = () => sent.some((s) => s.at > killedAt - t0);
      for (const stop = Date.now() + 2 * READ_WAIT_MS; !sentAfterKill() && Date.now() < stop;) await sleep(500);
      sending = false;
      await Promise.all(clients);

      // ── verdicts ──
      const numbers = handedOut.map((h) => h.number);
      assert.equal(new Set(numbers).size, numbers.length, 'no number was handed to two clients');
      const rows = await store.db.selectFrom('sms').select(['id', 'text']).execute();
      const byText = new Map<string, number>();
      for (const r of rows) byText.set(r.text, (byText.get(r.text) ?? 0) + 1);
      const missing = sent.filter((s) => !byText.has(s.text));
      const twice = sent.filter((s) => (byText.get(s.text) ?? 0) > 1);
      const unseen = sent.filter((s) => (seen.get(s.text)?.size ?? 0) !== 1);
      const report = `sent ${sent.length} SMS to ${numbers.length} numbers; killed ${victim.id} at ${killedAt - t0} ms holding ${orphaned.length} aggregators; resumed after ${resumedAfter} ms; balancer ${JSON.stringify([...deviceLb.counts.values()])}`;
      console.log(`# cluster: ${report}`);
      assert.deepEqual(missing.map((s) => s.text), [], `every SMS reached the store (${report})`);
      assert.deepEqual(twice.map((s) => s.text), [], 'no SMS stored twice');
      assert.deepEqual(unseen.map((s) => s.text), [], 'every SMS was read by its client, under one id');
      assert.equal(rows.length, sent.length, 'nothing else was stored');
      assert.ok(sent.length >= 10, `enough traffic: ${report}`);
      assert.ok(sent.some((s) => s.at > killedAt - t0), 'SMS were sent after the kill too');

      // ── console live events on the surviving nodes ──
      await sleep(3000); // the store watch publishes within a second or so; let the last SMS reach the pages
      const storedText = new Map(rows.map((r) => [r.id, r.text]));
      let relayed = 0;
      const coverage: string[] = [];
      for (const id of survivors) {
        const events = pages.get(id)!.messages.filter((m) => m.type === 'sms.received');
        const ids = events.map((m) => m.smsId as number);
        assert.equal(new Set(ids).size, ids.length, `${id}'s page got an SMS twice: ${JSON.stringify(ids)}`);
        for (const e of events) assert.equal(e.text, storedText.get(e.smsId as number), `${id}'s page: SMS ${String(e.smsId)} as stored`);
        relayed += events.filter((e) => e.origin !== id).length;
        const missed = rows.filter((r) => !ids.includes(r.id)).map((r) => r.id);
        coverage.push(`${id} ${events.length}/${rows.length}${missed.length ? ` (missed ${missed.join(',')})` : ''}`);
      }
      // Completeness is reported, not asserted: a node taking the store watch over starts where the
      // dead holder stopped publishing (src/http/events/store-watch.ts keeps that point in settings),
      // but how soon after the takeover the last SMS reach the pages depends on the machine's load,
      // and this test does not wait on timing.
      console.log(`# cluster: live SMS events per surviving page: ${coverage.join('; ')}`);
      assert.ok(relayed > 0, `a page showed SMS published on another node (LISTEN/NOTIFY): ${coverage.join('; ')}`);
    } catch (e) {
      for (const n of nodes) process.stderr.write(`--- ${n.id} ---\n${n.output().slice(-4000)}\n`);
      throw e;
    } finally {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) { n.child.kill('SIGTERM'); await n.exited; }
      await store.close();
    }
  });
});
