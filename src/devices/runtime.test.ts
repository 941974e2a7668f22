import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/clock.ts';
import { createTestStore, testDialects } from '../store/testing.ts';
import { addAggregator, sha256 } from '../../test/e2e/support/world.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeviceRuntime } from './runtime.ts';
import { ServerModeClient } from './link/server-mode.ts';

describe('device runtime / stop', () => {
  it('returns when the sessions are stopped in the middle of a tick (no wait on a clock that never moves)', async () => {
    const store = await createTestStore('sqlite');
    try {
      for (const [i, model] of ['SR-Box-8', 'SR-Nano-1000', 'SR-Organizer-Smart'].entries()) await addAggregator(store, model, `55500000${i}`);
      const clock = new FakeClock(Date.UTC(2026, 10, 27, 12));
      const runtime = createDeviceRuntime({ store, clock, nodeId: 'n1', backgroundJobs: false });
      await runtime.start();
      // Each session's first tick is awaiting the store now; the abort lands before its sleep.
      const stopped = await Promise.race([
        runtime.stop().then(() => 'stopped'),
        new Promise((r) => setTimeout(() => r('hung'), 5000).unref()),
      ]);
      assert.equal(stopped, 'stopped');
    } finally {
      await store.close();
    }
  });
});

describe('device runtime / aggregator edits', () => {
  for (const dialect of testDialects()) {
    it(`(${dialect}) a new aggregator starts at the next watch look; an edit of its link restarts it with the new row; a title edit does not; disabling stops it`, async () => {
      const store = await createTestStore(dialect);
      const clock = new FakeClock(Date.UTC(2026, 10, 27, 12));
      const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
      const log = {
        info: (obj: object, msg?: string) => { lines.push({ level: 'info', msg: msg ?? '', obj: obj as Record<string, unknown> }); },
        warn: (obj: object, msg?: string) => { lines.push({ level: 'warn', msg: msg ?? '', obj: obj as Record<string, unknown> }); },
        error: (obj: object, msg?: string) => { lines.push({ level: 'error', msg: msg ?? '', obj: obj as Record<string, unknown> }); },
      };
      const runtime = createDeviceRuntime({ store, clock, nodeId: 'n1', backgroundJobs: false, log });
      /** Steps the clock one watch period and waits (in real time, bounded) for `cond`. */
      const after = async (cond: () => boolean): Promise<boolean> => {
        await clock.advance(1000);
        for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
        return cond();
      };
      const edit = async (id: number, set: Record<string, unknown>) => {
        await store.db.updateTable('aggregators').set({ ...set, updated_at: clock.now() }).where('id', '=', id).execute();
      };
      try {
        await runtime.start();
        // Added after start (the admin API or `simnav sim --register`): its session starts at the next look, not ~100 s later.
        const id = await addAggregator(store, 'SR-Board', '5550009001');
        await edit(id, {});
        assert.ok(await after(() => runtime.session(id) !== undefined), 'the new aggregator has a session');
        const first = runtime.session(id)!;

        // Switched to server mode: a fresh session whose client calls the new address.
        await edit(id, { link_mode: 'server', server_ip: '127.0.0.1:1', server_token: 'Ab1' });
        const calledAt = (ip: string) => () => lines.some((l) => l.msg.startsWith('server mode: the device does not answer') && l.obj['ip'] === ip);
        assert.ok(await after(() => runtime.session(id) !== undefined && runtime.session(id) !== first), 'restarted on the link edit');
        assert.ok(await after(calledAt('127.0.0.1:1')), 'the new session calls the device');
        const second = runtime.session(id)!;

        // The address edited while it runs: the old one is no longer called, the new one is.
        await edit(id, { server_ip: '127.0.0.1:2' });
        assert.ok(await after(() => runtime.session(id) !== undefined && runtime.session(id) !== second), 'restarted on the address edit');
        assert.ok(await after(calledAt('127.0.0.1:2')));
        const third = runtime.session(id)!;

        // A title edit changes nothing the session uses.
        const edits = runtime.watch.stats.edited;
        await edit(id, { title: 'renamed' });
        assert.ok(await after(() => runtime.watch.stats.edited > edits));
        assert.equal(runtime.session(id), third);

        // Disabled: stopped, lease released.
        const before = runtime.watch.stats.edited;
        await edit(id, { enabled: 0 });
        assert.ok(await after(() => runtime.watch.stats.edited > before), 'the edit was applied');
        assert.equal(runtime.session(id), undefined, 'stopped when disabled');
        const lease = await store.db.selectFrom('leases').selectAll().where('name', '=', `aggregator:${id}`).executeTakeFirst();
        assert.equal(lease, undefined, 'lease released');
      } finally {
        await runtime.stop();
        await store.close();
      }
    });
  }
});

/** A log that keeps its lines (level, message, fields). */
function recordingLog() {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg?: string) => { lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> }); };
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('device runtime / server mode', () => {
  it('logs one clear error for a server-mode aggregator without a device address or token (was: silent, never called)', async () => {
    const store = await createTestStore('sqlite');
    const clock = new FakeClock(Date.UTC(2026, 10, 27, 12));
    const { lines, log } = recordingLog();
    const noIp = await addAggregator(store, 'SR-Board', '5550009101', { linkMode: 'server', serverToken: 'Ab1' });
    const noToken = await addAggregator(store, 'SR-Board', '5550009102', { linkMode: 'server', serverIp: '127.0.0.1:1' });
    const runtime = createDeviceRuntime({ store, clock, nodeId: 'n1', backgroundJobs: false, log });
    try {
      await runtime.start();
      for (const id of [noIp, noToken]) {
        const errors = lines.filter((l) => l.level === 'error' && l.obj['aggregator'] === id);
        assert.equal(errors.length, 1, `aggregator ${id}: ${JSON.stringify(lines)}`);
        assert.match(errors[0]!.msg, /server mode: the device address .* or local token is missing or malformed/);
      }
    } finally {
      await runtime.stop();
      await store.close();
    }
  });

  it('stop() resolves only when the server-mode clients have stopped (no request to a device left in flight)', async () => {
    const store = await createTestStore('sqlite');
    const clock = new FakeClock(Date.UTC(2026, 10, 27, 12));
    let requests = 0;
    // A device that never answers: the request stays in flight until the client aborts it.
    const device = createServer(() => { requests++; });
    await new Promise<void>((r) => device.listen(0, '127.0.0.1', r));
    const port = (device.address() as AddressInfo).port;
    await addAggregator(store, 'SR-Board', '5550009201', { linkMode: 'server', serverIp: `127.0.0.1:${port}`, serverToken: 'Ab1' });
    const runtime = createDeviceRuntime({ store, clock, nodeId: 'n1', backgroundJobs: false });
    try {
      await runtime.start();
      for (let i = 0; i < 400 && requests === 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(requests, 1, 'the device was called');
      assert.equal(ServerModeClient.requestsInFlight, 1);
      await runtime.stop();
      assert.equal(ServerModeClient.requestsInFlight, 0);
    } finally {
      device.closeAllConnections();
      await new Promise((r) => device.close(r));
      await store.close();
    }
  });
});

describe('device runtime / link token rotated', () => {
  it('a poll with the old token is refused once the watch has seen the edit; the new token reaches the same session (no restart)', async () => {
    const store = await createTestStore('sqlite');
    const clock = new FakeClock(Date.UTC(2026, 10, 27, 12));
    const id = await addAggregator(store, 'SR-Board', '5550009301');
    const runtime = createDeviceRuntime({ store, clock, nodeId: 'n1', backgroundJobs: false });
    const poll = (token: string) => runtime.hub.handle({ token, step: '0', data: 'REQUEST' });
    try {
      await runtime.start();
      await poll('5550009301');
      assert.equal(runtime.hub.counters.rejected, 0);
      const session = runtime.session(id);
      assert.ok(session);
      // rotateLinkToken (admin API, this node or another): a new hash, updated_at now.
      await store.db.updateTable('aggregators').set({ link_token_hash: sha256('5550009302'), updated_at: clock.now() }).where('id', '=', id).execute();
      const before = runtime.watch.stats.edited;
      await clock.advance(1000);
      for (let i = 0; i < 400 && runtime.watch.stats.edited === before; i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(runtime.watch.stats.edited > before, 'the watch saw the edit');
      await poll('5550009301');
      assert.equal(runtime.hub.counters.rejected, 1, 'the old token is refused');
      await poll('5550009302');
      assert.equal(runtime.hub.counters.rejected, 1, 'the new token is accepted');
      assert.equal(runtime.session(id), session);
    } finally {
      await runtime.stop();
      await store.close();
    }
  });
});
