/**
 * Publishes what changed in the store onto the event bus, for writers that do not publish
 * themselves (the device runtime, the SMS intake, another node of the cluster): new SMS and calls
 * (by id, ./id-watermark.ts), card online states and task rows (by `updated_at`,
 * ./change-cursor.ts) — each an indexed range read of what is new since the last tick, every
 * `intervalMs` — and aggregators going online/offline (by `last_heard_at` against the online
 * window, every `flipCheckMs`).
 *
 * Inventory, pool and aggregator edits are published by their writers (the pool service's
 * changes and invalidations, see ./plugin.ts); a count-and-newest fingerprint per table, every
 * `safetyNetMs`, is only the safety net for writers that do not (an import run by another
 * process, a scan filling in numbers). It used to run every third second and count USED marks
 * over every pool member: tens of milliseconds of blocked server with 100 000 cards.
 * Events may arrive twice when a writer also publishes directly; the console dedups by id. Task
 * progress is a state, not a happening: a task row whose state the bus has already carried (the
 * tasks API and the runner publish theirs) is not published again.
 */
import { sql } from 'kysely';
import type { SqlBool } from 'kysely';
import { IdWatermark } from './id-watermark.ts';
import { ChangeCursor } from './change-cursor.ts';
import type { CursorPosition } from './change-cursor.ts';
import type { Store } from '../../store/open-store.ts';
import type { Clock } from '../../lib/clock.ts';
import type { EventBus, TaskProgressEvent } from '../../domain/events/bus.ts';
import { ONLINE_WINDOW_MS } from '../../domain/aggregators/aggregators.ts';
import { apiKind } from '../../domain/tasks/params.ts';

export interface StoreWatchOptions {
  store: Store; clock: Clock; bus: EventBus;
  /** New SMS, calls, card states and task rows: default 1 s. */
  intervalMs?: number;
  /** Aggregators online/offline (a 60 s window, so a few seconds late is fine): default 5 s. */
  flipCheckMs?: number;
  /** Table fingerprints, the safety net for writers that do not publish: default 30 s. */
  safetyNetMs?: number;
  onError?: (err: unknown) => void;
}

export const FLIP_CHECK_MS = 5_000;
/** The `settings` key under which the watch keeps the last SMS and call ids it published. */
export const PUBLISHED_KEY = 'store_watch.published';
/** PostgreSQL: how far back each look at updated_at starts (writers commit out of time order). */
export const UPDATED_AT_LAG_MS = 3_000;
/**
 * Rows per read of changed card states or tasks, and reads per tick. Small pages with a turn of
 * the event loop between them: under an openNumber load a tick reads thousands of rows, and one
 * big synchronous SQLite read would hold every pool API request behind it.
 */
const PAGE = 250;
const MAX_PAGES = 80;
export const SAFETY_NET_MS = 30_000;

const TASK_STATUSES = new Set<TaskProgressEvent['status']>(['queued', 'running', 'suspended', 'done', 'cancelled', 'error']);

export interface StoreWatch { tick(): Promise<void>; stop(): void }

export async function startStoreWatch(o: StoreWatchOptions): Promise<StoreWatch> {
  const db = o.store.db;
  const interval = o.intervalMs ?? 1000;
  const maxId = async (table: 'sms' | 'calls') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);
  /**
   * PostgreSQL is where several writers commit in parallel and the watch is a cluster singleton:
   * - ids and updated_at values become visible out of order (./id-watermark.ts, ./change-cursor.ts);
   * - the node that takes the watch over from a dead one must start where that one stopped
   *   publishing, not at the newest id (the SMS stored in between would never reach a page), so
   *   the holder keeps that point in `settings` as it moves.
   * SQLite has one writer in one process: neither applies.
   */
  const concurrentWriters = o.store.dialect !== 'sqlite';
  const saved = concurrentWriters ? await readPublished() : null;
  const smsIds = new IdWatermark({ start: saved?.sms ?? await maxId('sms'), trackHoles: concurrentWriters });
  const callIds = new IdWatermark({ start: saved?.calls ?? await maxId('calls'), trackHoles: concurrentWriters });
  const newIds = (column: 'sms.id' | 'calls.id', q: { after: number; holes: number[] }) => q.holes.length === 0
    ? sql<SqlBool>`${sql.ref(column)} > ${q.after}`
    : sql<SqlBool>`(${sql.ref(column)} > ${q.after} or ${sql.ref(column)} in (${sql.join(q.holes)}))`;
  const lagMs = concurrentWriters ? UPDATED_AT_LAG_MS : 0;
  const cardChanges = new ChangeCursor({ start: o.clock.now(), lagMs });
  const taskChanges = new ChangeCursor({ start: o.clock.now(), lagMs });
  const online = new Map<number, boolean>();
  let stopped = false;
  const flipEvery = o.flipCheckMs ?? FLIP_CHECK_MS;
  const netEvery = o.safetyNetMs ?? SAFETY_NET_MS;
  let lastFlips = -Infinity;
  let lastNet = -Infinity;
  let timer: ReturnType<Clock['setTimeout']> | null = null;
  /** The last task state the bus carried, per task (whoever published it). */
  const taskStates = new Map<number, string>();
  const taskState = (t: { status: string; total: number; progress: number; success: number; errors: number }) => `${t.status}|${t.total}|${t.progress}|${t.success}|${t.errors}`;
  const offBus = o.bus.subscribe((e) => {
    if (e.type !== 'task.progress') return;
    if (taskStates.size >= 10_000) taskStates.clear();
    taskStates.set(e.taskId, taskState(e));
  });
  let running: Promise<void> | null = null;

  /** Rows after a cursor position, in (updated_at, id) order: both columns' index serves it. */
  const after = (atCol: string, idCol: string, from: CursorPosition) =>
    sql<SqlBool>`${sql.ref(atCol)} >= ${from.at} and (${sql.ref(atCol)} > ${from.at} or ${sql.ref(idCol)} > ${from.id})`;
  /** Reads pages of changed rows (at most MAX_PAGES a tick) and publishes each row whose state is news. */
  async function readChanges<R extends { id: number; updated_at: number }>(
    cursor: ChangeCursor, read: (from: CursorPosition) => Promise<R[]>, describe: (row: R) => [state: string, publish: () => void],
  ): Promise<void> {
    let from = cursor.position();
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await read(from);
      for (const r of rows) {
        const [state, publish] = describe(r);
        if (cursor.seen(r.id, r.updated_at, state)) publish();
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE) break;
      from = { at: last.updated_at, id: last.id };
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    cursor.settle();
  }

  async function readPublished(): Promise<{ sms: number; calls: number } | null> {
    const row = await db.selectFrom('settings').select('value').where('key', '=', PUBLISHED_KEY).executeTakeFirst();
    try {
      const v = row ? JSON.parse(row.value) as { sms?: unknown; calls?: unknown } : null;
      return v && Number.isSafeInteger(v.sms) && Number.isSafeInteger(v.calls) ? { sms: v.sms as number, calls: v.calls as number } : null;
    } catch { return null; }
  }
  let savedState = saved ? JSON.stringify(saved) : '';
  async function savePublished(now: number): Promise<void> {
    const value = JSON.stringify({ sms: smsIds.last, calls: callIds.last });
    if (value === savedState) return;
    await db.insertInto('settings').values({ key: PUBLISHED_KEY, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now })).execute();
    savedState = value;
  }

  async function once(): Promise<void> {
    const now = o.clock.now();
    const smsQuery = smsIds.query(now);
    const sms = await db.selectFrom('sms').innerJoin('cards', 'cards.id', 'sms.card_id')
      .select(['sms.id', 'sms.card_id', 'sms.number', 'sms.sender', 'sms.text', 'sms.received_at', 'cards.aggregator_id', 'cards.place'])
      .where(newIds('sms.id', smsQuery)).orderBy('sms.id').limit(500).execute();
    for (const s of sms) {
      if (!smsIds.accept(s.id, now)) continue;
      o.bus.publish({ type: 'sms.received', smsId: s.id, cardId: s.card_id, aggregatorId: s.aggregator_id, place: s.place, number: s.number, sender: s.sender, text: s.text, receivedAt: s.received_at });
    }
    const callQuery = callIds.query(now);
    const calls = await db.selectFrom('calls').innerJoin('cards', 'cards.id', 'calls.card_id')
      .select(['calls.id', 'calls.card_id', 'calls.number', 'calls.caller', 'calls.at', 'cards.aggregator_id', 'cards.place'])
      .where(newIds('calls.id', callQuery)).orderBy('calls.id').limit(500).execute();
    for (const c of calls) {
      if (!callIds.accept(c.id, now)) continue;
      o.bus.publish({ type: 'call.incoming', callId: c.id, cardId: c.card_id, aggregatorId: c.aggregator_id, place: c.place, number: c.number, caller: c.caller, at: c.at });
    }
    if (concurrentWriters) await savePublished(now);
    await readChanges(cardChanges, (from) => db.selectFrom('card_online').innerJoin('cards', 'cards.id', 'card_online.card_id')
      .select(['card_online.card_id as id', 'card_online.aggregator_id', 'card_online.position', 'card_online.channel', 'card_online.status_code', 'card_online.updated_at', 'cards.place', 'cards.number'])
      // Every writer of status_at sets updated_at too (index card_online_updated_ix).
      .where(after('card_online.updated_at', 'card_online.card_id', from))
      .orderBy('card_online.updated_at').orderBy('card_online.card_id').limit(PAGE).execute(), (c) => {
      const e = { type: 'card.status', cardId: c.id, aggregatorId: c.aggregator_id, place: c.place, number: c.number, position: c.position === 'ONLINE' ? 'ONLINE' : 'HOLD', channel: c.channel, statusCode: c.status_code } as const;
      return [`${e.aggregatorId}|${e.position}|${e.channel}|${e.statusCode}|${e.number}`, () => o.bus.publish(e)];
    });
    await readChanges(taskChanges, (from) => db.selectFrom('tasks').select(['id', 'aggregator_id', 'kind', 'status', 'total', 'progress', 'success', 'errors', 'updated_at'])
      .where(after('updated_at', 'id', from)).orderBy('updated_at').orderBy('id').limit(PAGE).execute(), (t) => {
      const status = TASK_STATUSES.has(t.status as TaskProgressEvent['status']) ? t.status as TaskProgressEvent['status'] : 'error';
      const e = { type: 'task.progress', taskId: t.id, aggregatorId: t.aggregator_id, kind: apiKind(t.kind), status, total: t.total, progress: t.progress, success: t.success, errors: t.errors } as const;
      return [taskState(e), () => { if (taskStates.get(t.id) !== taskState(e)) o.bus.publish(e); }];
    });
    if (now - lastNet >= netEvery) { lastNet = now; await fingerprints(); }
    if (now - lastFlips < flipEvery) return;
    lastFlips = now;
    const aggs = await db.selectFrom('aggregators').select(['id', 'last_heard_at']).execute();
    for (const a of aggs) {
      const isOnline = a.last_heard_at !== null && now - a.last_heard_at <= ONLINE_WINDOW_MS;
      const was = online.get(a.id);
      online.set(a.id, isOnline);
      if (was !== undefined && was !== isOnline) o.bus.publish({ type: 'aggregator.status', aggregatorId: a.id, online: isOnline, lastHeardAt: a.last_heard_at });
    }
  }

  /**
   * Inventory, pools and aggregators changed by a writer that did not publish: a fingerprint per
   * table — row count plus the newest change time — compared with the last one; a difference
   * publishes one `*.changed` event so open pages reload.
   */
  const prints = new Map<string, string>();
  /**
   * Row count and newest change time of a table, one aggregate per subquery: each is answered from
   * an index (SQLite counts from the b-tree, MAX reads the end of an index of migration 0003);
   * several in one SELECT would scan the table.
   */
  const countAndNewest = (table: 'aggregators' | 'pools' | 'pool_cards' | 'cards', column: 'updated_at' | 'added_at') => db.selectNoFrom((eb) => [
    eb.selectFrom(table).select((e) => e.fn.countAll<number>().as('n')).as('n'),
    eb.selectFrom(table).select(sql<number | null>`max(${sql.ref(column)})`.as('t')).as('t'),
  ]).executeTakeFirst();
  async function fingerprints(): Promise<void> {
    const agg = await countAndNewest('aggregators', 'updated_at');
    const pools = await countAndNewest('pools', 'updated_at');
    // Membership only: USED marks are set and cleared by the pool service alone, which publishes
    // (counting them, or their newest time without an index, scans every member).
    const members = await countAndNewest('pool_cards', 'added_at');
    const cards = await countAndNewest('cards', 'updated_at');
    const now = {
      aggregators: JSON.stringify(agg ?? null),
      pools: JSON.stringify([pools ?? null, members ?? null]),
      cards: JSON.stringify(cards ?? null),
    };
    const changed = (k: keyof typeof now): boolean => {
      const was = prints.get(k);
      prints.set(k, now[k]);
      return was !== undefined && was !== now[k];
    };
    if (changed('aggregators')) o.bus.publish({ type: 'aggregators.changed', aggregatorId: null });
    if (changed('pools')) o.bus.publish({ type: 'pool.changed', poolId: null });
    if (changed('cards')) o.bus.publish({ type: 'cards.changed', aggregatorId: null });
  }

  async function tick(): Promise<void> {
    if (running) return running;
    running = once().catch((err: unknown) => o.onError?.(err)).finally(() => { running = null; });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = o.clock.setTimeout(() => { void tick().then(schedule); }, interval);
  }
  await tick();
  schedule();
  return {
    tick,
    stop() { stopped = true; offBus(); if (timer) o.clock.clearTimeout(timer); },
  };
}
