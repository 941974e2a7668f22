/**
 * The device runtime of one node (ARCHITECTURE.md "device runtime"): the link hub every poll goes
 * through, and one online session per aggregator whose lease (`leases`, name `aggregator:<id>`)
 * this node holds, so a later cluster can move sessions between nodes. Sessions start when an
 * aggregator is known (first poll, at start for every enabled aggregator, or when the watch sees a
 * new row: added by the admin API on any node) and follow edits of their row without a restart
 * (`reconcile`: a changed link, device address, token, model or settings means a fresh session;
 * disabled or deleted, none). They are woken when their desired state changes: at once when the
 * pool API on this node queues an SMS or opens or closes a number (`wake`, `wakeCards`), and within
 * `watchMs` for any change in the store, made anywhere (session/desired-watch.ts: one indexed read
 * per node, not one per session). Sessions re-read on their own only as a rare safety net
 * (`SessionTimings.rereadMs`).
 *
 *   const runtime = createDeviceRuntime({ store, clock: realClock(), log });
 *   await app.register(linkRoutes, { hub: runtime.hub });
 *   await runtime.start();
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/open-store.ts';
import { createDeviceStateRepo, type DeviceStateRepo, type RuntimeAggregator } from '../domain/device-state/repo.ts';
import { createSmsIntake, type SmsIntake } from '../domain/sms-intake/intake.ts';
import { createCallLog, type CallLog } from '../domain/calls/calls.ts';
import { createSmsOutbox, type SmsOutbox } from '../domain/pools/outbox.ts';
import { createTaskQueue } from '../domain/tasks/tasks.ts';
import { enforceRetention, RETENTION_EVERY_MS } from '../domain/inbox/retention.ts';
import { settingsFromRow } from '../domain/pools/fleet.ts';
import { LinkHub, silentLog, type DeviceLink, type RuntimeLog } from './link/link-hub.ts';
import { OnlineSession, type SessionTimings } from './session/online-session.ts';
import { DesiredStateWatch } from './session/desired-watch.ts';
import { driverFor } from './drivers/driver.ts';
import { ServerModeClient } from './link/server-mode.ts';

export interface DeviceRuntimeOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly log?: RuntimeLog;
  /** The pool API's outbox (so its sendSms waiters wake at once); a store-backed one otherwise. */
  readonly outbox?: SmsOutbox;
  /** This node's id for leases (default: random). */
  readonly nodeId?: string;
  readonly timings?: Partial<SessionTimings>;
  /** Multipart messages missing parts are released after this long, ms (default 60 000). */
  readonly reassemblyWaitMs?: number;
  /** Lease time to live, ms (default 30 000; renewed every third of it). */
  readonly leaseTtlMs?: number;
  /** false: multipart timeouts are left to the cluster's singleton jobs (src/cluster), not run here. */
  readonly backgroundJobs?: boolean;
  /** How often the node looks for desired-state changes made anywhere, ms (default 1000). */
  readonly watchMs?: number;
}

interface Running {
  readonly link: DeviceLink;
  readonly session: OnlineSession;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  server?: ServerModeClient;
}

export function createDeviceRuntime(opts: DeviceRuntimeOptions) {
  const { store, clock } = opts;
  const log = opts.log ?? silentLog;
  const nodeId = opts.nodeId ?? `node-${randomBytes(4).toString('hex')}`;
  const repo: DeviceStateRepo = createDeviceStateRepo(store, clock);
  const intake: SmsIntake = createSmsIntake({ store, clock, ...(opts.reassemblyWaitMs !== undefined ? { reassemblyWaitMs: opts.reassemblyWaitMs } : {}) });
  const calls: CallLog = createCallLog({ store, clock });
  const outbox = opts.outbox ?? createSmsOutbox(store, clock);
  const tasks = createTaskQueue({ store, clock });
  const hub = new LinkHub({ repo, clock, log });
  const leaseTtl = opts.leaseTtlMs ?? 30_000;
  const sessions = new Map<number, Running>();
  const pendingStarts = new Map<number, Promise<void>>();
  let started = false;
  let housekeeping: Promise<void> | null = null;
  let watching: Promise<void> | null = null;
  const watch = new DesiredStateWatch({
    repo, clock, log, ...(opts.watchMs !== undefined ? { everyMs: opts.watchMs } : {}),
    wake: (id) => sessions.get(id)?.session.wake(),
    edited: (id) => aggregatorEdited(id),
  });
  /** Per aggregator, the reconcile under way (edits of one aggregator are applied one after another). */
  const reconciling = new Map<number, Promise<void>>();
  const stopAll = new AbortController();

  /** Starts the session of a link when this node gets its lease; a start already under way is shared. */
  function startSession(link: DeviceLink): Promise<void> {
    const id = link.aggregator.id;
    const pending = pendingStarts.get(id);
    if (pending) return pending;
    if (!started || sessions.has(id) || !link.aggregator.enabled) return Promise.resolve();
    const p = doStart(link).finally(() => { pendingStarts.delete(id); });
    pendingStarts.set(id, p);
    return p;
  }

  async function doStart(link: DeviceLink): Promise<void> {
    const id = link.aggregator.id;
    const driver = driverFor(link.aggregator.model);
    if (!driver) { log.warn({ aggregator: id, model: link.aggregator.model }, 'no driver for this model'); return; }
    // Another node holds it: drop the channel made here, so a later takeover starts from a fresh one.
    if (!(await repo.acquireLease(`aggregator:${id}`, nodeId, leaseTtl))) { if (!sessions.has(id)) hub.forget(id); return; }
    const abort = new AbortController();
    const session = new OnlineSession({
      link, driver, model: driver.model, settings: settingsFromRow(link.aggregator.settings, link.aggregator.modems),
      repo, intake, calls, outbox, clock, log, tasks, ...(opts.timings ? { timings: opts.timings } : {}),
    });
    const done = session.run(abort.signal).catch((err: unknown) => log.error({ err, aggregator: id }, 'session ended with an error'));
    const running: Running = { link, session, abort, done };
    if (link.aggregator.linkMode === 'server') {
      // Built even without an address or token: the client then logs one clear error and calls nothing.
      running.server = new ServerModeClient({
        channel: link.channel, clock, log, aggregatorId: id, ip: link.aggregator.serverIp ?? '', token: link.aggregator.serverToken ?? '',
        // Only an answered request counts as hearing the device (its liveness, device-link.md §2.7).
        onHeard: (at) => { repo.touch(id, at).catch((err: unknown) => log.error({ err, aggregator: id }, 'liveness write failed')); },
      });
      running.server.start();
    }
    sessions.set(id, running);
  }

  /** Stops a running session: its server-mode client (awaited), its channel (settles waiting commands), its loop. */
  async function stopSession(id: number, r: Running): Promise<void> {
    if (sessions.get(id) === r) sessions.delete(id);
    r.abort.abort();
    await r.server?.stop();
    hub.forget(id);
    await r.done;
  }

  /** What a running session was built from: a change of any of these needs a fresh session. */
  function sessionInputsChanged(was: RuntimeAggregator, now: RuntimeAggregator): boolean {
    return was.model !== now.model || was.linkMode !== now.linkMode || was.serverIp !== now.serverIp || was.serverToken !== now.serverToken
      || was.enabled !== now.enabled || was.settings !== now.settings || was.modems !== now.modems;
  }

  /** An aggregator row was added, edited or deleted (here or on another node): applies it, one edit at a time per aggregator. */
  function aggregatorEdited(id: number): Promise<void> {
    const p = (reconciling.get(id) ?? Promise.resolve()).then(() => reconcile(id))
      .catch((err: unknown) => log.error({ err, aggregator: id }, 'applying an aggregator edit failed'))
      .finally(() => { if (reconciling.get(id) === p) reconciling.delete(id); });
    reconciling.set(id, p);
    return p;
  }

  /**
   * New and enabled: taken over now (not at the next periodic list). Running and its link mode,
   * device address or token, model, settings or modems changed: the session is stopped and the
   * aggregator taken over again with the new row. Disabled or deleted: the session is stopped and
   * its lease released. Anything else (a title) leaves the session alone.
   */
  async function reconcile(id: number): Promise<void> {
    if (!started) return;
    await pendingStarts.get(id);
    const row = await repo.aggregator(id);
    // A poll started it meanwhile: decide again against that session.
    if (pendingStarts.has(id)) return reconcile(id);
    const r = sessions.get(id);
    if (r) {
      // Nothing the session uses changed; the link token may have (rotated): polls with the old one stop being accepted.
      if (row && row.enabled && !sessionInputsChanged(r.link.aggregator, row)) { hub.forgetTokens(id); return; }
      const reason = !row ? 'deleted' : !row.enabled ? 'disabled' : 'edited';
      log.info({ aggregator: id, reason }, reason === 'edited' ? 'aggregator edited; restarting its session with the new settings' : `aggregator ${reason}; stopping its session`);
      await stopSession(id, r);
      if (!row || !row.enabled) { await repo.releaseLease(`aggregator:${id}`, nodeId).catch(() => undefined); return; }
    }
    // A channel made from the old row (a poll while disabled, a lease held elsewhere) is dropped: the hub answers from its row.
    hub.forget(id);
    if (!row || !row.enabled || !started) return;
    const l = await hub.ensure(id);
    if (l) await startSession(l);
  }

  async function housekeep(signal: AbortSignal): Promise<void> {
    let n = 1; // start() has just listed the aggregators: the periodic list comes every 10th round from here
    let retentionAt = -Infinity;
    while (!signal.aborted) {
      try {
        if (n % 10 === 0) {
          const listed = await repo.listAggregators();
          for (const a of listed) if (a.enabled && !sessions.has(a.id)) await hub.ensure(a.id).then((l) => (l ? startSession(l) : undefined));
          // A session whose aggregator was deleted (no `updated_at` left to see) or missed by the watch.
          const enabled = new Set(listed.filter((a) => a.enabled).map((a) => a.id));
          for (const id of [...sessions.keys()]) if (!enabled.has(id)) await aggregatorEdited(id);
        }
        for (const [id, r] of sessions) {
          if (!(await repo.acquireLease(`aggregator:${id}`, nodeId, leaseTtl))) {
            log.warn({ aggregator: id }, 'lease lost; stopping the session here');
            await stopSession(id, r);
          }
        }
        if (opts.backgroundJobs !== false) {
          await intake.flushStale();
          if (clock.now() - retentionAt >= RETENTION_EVERY_MS) { retentionAt = clock.now(); await enforceRetention(store.db, retentionAt); }
        }
      } catch (err) {
        log.error({ err }, 'runtime housekeeping failed');
      }
      n++;
      await clock.sleep(Math.max(1000, Math.floor(leaseTtl / 3)), signal).catch(() => undefined);
    }
  }

  hub.onLink((link) => { void startSession(link); });
  outbox.onQueued((row) => { sessions.get(row.aggregatorId)?.session.wake(); });

  return {
    hub, repo, intake, calls, outbox, nodeId, tasks,

    /** Starts sessions for every enabled aggregator and the housekeeping loop. */
    async start(): Promise<void> {
      if (started) return;
      started = true;
      for (const a of await repo.listAggregators()) {
        if (!a.enabled) continue;
        const l = await hub.ensure(a.id);
        if (l) await startSession(l);
      }
      // The watch's starting point is set before start resolves: an aggregator added from now on is seen by its next look.
      await watch.look().catch((err: unknown) => log.error({ err }, 'desired-state watch failed'));
      housekeeping = housekeep(stopAll.signal);
      watching = watch.run(stopAll.signal);
    },

    /** Wakes the session of an aggregator (or every session): desired state changed. */
    wake(aggregatorId?: number): void {
      if (aggregatorId === undefined) for (const r of sessions.values()) r.session.wake();
      else sessions.get(aggregatorId)?.session.wake();
    },

    /** Wakes the sessions of these cards' aggregators (the pool API opened or closed them here). */
    async wakeCards(cardIds: readonly number[]): Promise<void> {
      if (cardIds.length === 0 || sessions.size === 0) return;
      for (const id of await repo.aggregatorsOfCards(cardIds)) sessions.get(id)?.session.wake();
    },

    /** The desired-state watch (its counters: looks, sessions woken). */
    watch,

    /**
     * Takes over an aggregator now (cluster: its lease was free or expired, or a poll arrived for
     * it): any channel left here from before is dropped, a fresh one is made from the store and the
     * session started if the lease is won. Resolves whether this node now runs its session.
     */
    async claim(aggregatorId: number): Promise<boolean> {
      if (sessions.has(aggregatorId)) return true;
      if (!started) return false;
      if (!pendingStarts.has(aggregatorId)) hub.forget(aggregatorId);
      const l = await hub.ensure(aggregatorId);
      if (l) await startSession(l);
      return sessions.has(aggregatorId);
    },

    session(aggregatorId: number): OnlineSession | undefined {
      return sessions.get(aggregatorId)?.session;
    },

    /** Stops every session, releases the leases and closes the channels. */
    async stop(): Promise<void> {
      started = false;
      stopAll.abort();
      // Edits being applied end first (they start nothing now), so no session is made behind this stop.
      await Promise.all([...reconciling.values()]);
      const running = [...sessions.values()];
      const ids = [...sessions.keys()];
      for (const r of running) r.abort.abort();
      // No request to a device outlives stop(): each client's loop has ended and its connection is closed.
      await Promise.all(running.map((r) => r.server?.stop()));
      // Closing the channels first settles every command still waiting for the device.
      hub.close();
      await Promise.all(running.map((r) => r.done));
      await housekeeping;
      await watching;
      for (const id of ids) await repo.releaseLease(`aggregator:${id}`, nodeId).catch(() => undefined);
      sessions.clear();
    },
  };
}

export type DeviceRuntime = ReturnType<typeof createDeviceRuntime>;
