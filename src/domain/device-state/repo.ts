/**
 * What the device runtime reads and writes in the store (ARCHITECTURE.md: devices/ holds no SQL,
 * so its persistence lives here): aggregators by link-token hash, liveness and the step counter,
 * the desired/actual online state of cards (`card_online`, written back only for the generation the
 * runtime acted on), one-off device requests, queued outgoing SMS and the per-aggregator lease.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../store/open-store.ts';
import type { Clock } from '../../lib/clock.ts';

/** sha256 hex of a link token (store/README.md: tokens are stored only hashed). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** An aggregator as the runtime needs it. */
export interface RuntimeAggregator {
  readonly id: number;
  readonly model: string;
  readonly settings: string;
  readonly modems: string;
  readonly step: number;
  readonly linkMode: string;
  readonly serverIp: string | null;
  readonly serverToken: string | null;
  readonly enabled: boolean;
}

/** One card the runtime must care about on an aggregator: desired online, or still reported online. */
export interface CardState {
  readonly cardId: number;
  readonly place: string;
  readonly number: string | null;
  readonly desired: string;
  readonly position: string;
  readonly channel: number | null;
  readonly statusCode: number | null;
  readonly generation: number;
  readonly grabCalls: boolean;
  readonly openedAt: number | null;
}

export interface DeviceRequestRow { readonly id: number; readonly cardId: number | null; readonly kind: string; readonly params: string }
export interface OutboxItem { readonly id: number; readonly cardId: number; readonly recipient: string; readonly text: string }

type Row = { id: number; model: string; settings: string; modems: string; step: number; link_mode: string; server_ip: string | null; server_token: string | null; enabled: number };
const toAgg = (r: Row): RuntimeAggregator => ({
  id: r.id, model: r.model, settings: r.settings, modems: r.modems, step: Number(r.step), linkMode: r.link_mode,
  serverIp: r.server_ip, serverToken: r.server_token, enabled: Number(r.enabled) === 1,
});
const AGG_COLS = ['id', 'model', 'settings', 'modems', 'step', 'link_mode', 'server_ip', 'server_token', 'enabled'] as const;

/** A `card_online` row written at `updatedAt` (the desired-state watch dedupes on the pair). */
export interface OnlineChange { readonly cardId: number; readonly aggregatorId: number; readonly updatedAt: number }

export function createDeviceStateRepo(store: Store, clock: Clock) {
  const db = store.db;
  /**
   * `card_online` rows this runtime wrote itself (card → its `updated_at`): the desired-state
   * watch skips them, so a session is not woken by its own status reports.
   */
  const ownWrites = new Map<number, number>();
  const own = (cardId: number, at: number): void => {
    if (ownWrites.size >= 100_000) ownWrites.clear();
    ownWrites.set(cardId, at);
  };
  return {
    store,

    /** True when this runtime wrote the row of `cardId` at `updatedAt` (its own report). */
    isOwnWrite(cardId: number, updatedAt: number): boolean {
      return ownWrites.get(cardId) === updatedAt;
    },

    /** `card_online` rows changed at or after `since` (index `card_online_updated_ix`). */
    async onlineChangesSince(since: number): Promise<OnlineChange[]> {
      const rows = await db.selectFrom('card_online').select(['card_id', 'aggregator_id', 'updated_at'])
        .where('updated_at', '>=', since).orderBy('updated_at').limit(5000).execute();
      return rows.map((r) => ({ cardId: r.card_id, aggregatorId: r.aggregator_id, updatedAt: Number(r.updated_at) }));
    },

    /** Aggregators added or edited at or after `since` (the admin API sets `updated_at`; liveness and step writes do not). */
    async aggregatorChangesSince(since: number): Promise<Array<{ id: number; updatedAt: number }>> {
      const rows = await db.selectFrom('aggregators').select(['id', 'updated_at']).where('updated_at', '>=', since).orderBy('updated_at').limit(5000).execute();
      return rows.map((r) => ({ id: r.id, updatedAt: Number(r.updated_at) }));
    },

    /** The aggregators of these cards. */
    async aggregatorsOfCards(cardIds: readonly number[]): Promise<number[]> {
      const ids = [...new Set(cardIds)].slice(0, 5000);
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('cards').select('aggregator_id').distinct().where('id', 'in', ids).execute();
      return rows.map((r) => r.aggregator_id).filter((x): x is number => x !== null);
    },

    /** Device requests queued after id `afterId` (pool API grabCall / clearSimStorage). */
    async requestsAfter(afterId: number): Promise<Array<{ id: number; aggregatorId: number }>> {
      const rows = await db.selectFrom('device_requests').select(['id', 'aggregator_id'])
        .where('id', '>', afterId).orderBy('id').limit(5000).execute();
      return rows.map((r) => ({ id: r.id, aggregatorId: r.aggregator_id }));
    },

    /** Highest device request id (where the watch starts). */
    async lastRequestId(): Promise<number> {
      const r = await db.selectFrom('device_requests').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
      return Number(r?.m ?? 0);
    },

    /** Tasks changed at or after `since` (created, suspended, resumed, cancelled; index `tasks_updated_ix`). */
    async taskChangesSince(since: number): Promise<Array<{ id: number; aggregatorId: number; updatedAt: number }>> {
      const rows = await db.selectFrom('tasks').select(['id', 'aggregator_id', 'updated_at'])
        .where('updated_at', '>=', since).orderBy('updated_at').limit(5000).execute();
      return rows.map((r) => ({ id: r.id, aggregatorId: r.aggregator_id, updatedAt: Number(r.updated_at) }));
    },

    async byTokenHash(hash: string): Promise<RuntimeAggregator | null> {
      const r = await db.selectFrom('aggregators').select(AGG_COLS).where('link_token_hash', '=', hash).executeTakeFirst();
      return r ? toAgg(r) : null;
    },

    async aggregator(id: number): Promise<RuntimeAggregator | null> {
      const r = await db.selectFrom('aggregators').select(AGG_COLS).where('id', '=', id).executeTakeFirst();
      return r ? toAgg(r) : null;
    },

    async listAggregators(): Promise<RuntimeAggregator[]> {
      return (await db.selectFrom('aggregators').select(AGG_COLS).orderBy('id').execute()).map(toAgg);
    },

    async touch(id: number, at: number): Promise<void> {
      await db.updateTable('aggregators').set({ last_heard_at: at }).where('id', '=', id).execute();
    },

    /** Liveness of many devices in one statement per 300 (`[aggregatorId, heardAt]`). */
    async touchMany(entries: ReadonlyArray<readonly [number, number]>): Promise<void> {
      for (let i = 0; i < entries.length; i += 300) {
        const chunk = entries.slice(i, i + 300);
        if (chunk.length === 1) { await db.updateTable('aggregators').set({ last_heard_at: chunk[0]![1] }).where('id', '=', chunk[0]![0]).execute(); continue; }
        const cases = sql.join(chunk.map(([id, at]) => sql`WHEN ${id} THEN CAST(${at} AS BIGINT)`), sql` `);
        await db.updateTable('aggregators').set({ last_heard_at: sql<number>`CASE id ${cases} END` })
          .where('id', 'in', chunk.map(([id]) => id)).execute();
      }
    },

    async saveStep(id: number, next: number): Promise<void> {
      await db.updateTable('aggregators').set({ step: next }).where('id', '=', id).execute();
    },

    /** Cards desired online, plus cards the runtime still reports ONLINE (to be released). */
    async cardStates(aggregatorId: number): Promise<CardState[]> {
      const rows = await db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id')
        .select(['co.card_id', 'c.place', 'c.number', 'co.desired', 'co.position', 'co.channel', 'co.status_code', 'co.generation', 'co.grab_calls', 'co.opened_at'])
        .where('co.aggregator_id', '=', aggregatorId)
        .where((eb) => eb.or([eb('co.desired', '=', 'online'), eb('co.position', '=', 'ONLINE')]))
        .orderBy('co.card_id').execute();
      return rows.map((r) => ({
        cardId: r.card_id, place: r.place, number: r.number, desired: r.desired, position: r.position, channel: r.channel,
        statusCode: r.status_code, generation: Number(r.generation), grabCalls: Number(r.grab_calls) === 1, openedAt: r.opened_at,
      }));
    },

    /**
     * Writes the actual state of a card, only if `desired` has not changed since the runtime read
     * `generation` (a newer openNumber/closeNumber wins). Resolves whether it was written.
     */
    async reportCard(cardId: number, generation: number, s: { position?: 'ONLINE' | 'HOLD'; channel?: number | null; statusCode?: number | null }): Promise<boolean> {
      const now = clock.now();
      own(cardId, now);
      const r = await db.updateTable('card_online').set({
        ...(s.position !== undefined ? { position: s.position } : {}),
        ...(s.channel !== undefined ? { channel: s.channel } : {}),
        ...(s.statusCode !== undefined ? { status_code: s.statusCode, status_at: now } : {}),
        updated_at: now,
      }).where('card_id', '=', cardId).where('generation', '=', generation).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** A card left its channel (whatever the generation): position HOLD. */
    async releaseCard(cardId: number): Promise<void> {
      own(cardId, clock.now());
      await db.updateTable('card_online').set({ position: 'HOLD', updated_at: clock.now() }).where('card_id', '=', cardId).where('desired', '<>', 'online').execute();
    },

    async setRing(cardId: number, caller: string, at: number): Promise<void> {
      await db.updateTable('card_online').set({ ring_caller: caller, ring_at: at }).where('card_id', '=', cardId).execute();
    },

    async cardByPlace(aggregatorId: number, place: string): Promise<{ id: number; number: string | null } | null> {
      const r = await db.selectFrom('cards').select(['id', 'number']).where('aggregator_id', '=', aggregatorId).where('place', '=', place).executeTakeFirst();
      return r ?? null;
    },

    /** The card of a place, created empty when the slot was never scanned (an SMS is never dropped for that). */
    async ensureCard(aggregatorId: number, place: string, placeSort: number): Promise<{ id: number; number: string | null }> {
      const found = await db.selectFrom('cards').select(['id', 'number']).where('aggregator_id', '=', aggregatorId).where('place', '=', place).executeTakeFirst();
      if (found) return found;
      const now = clock.now();
      await db.insertInto('cards').values({ aggregator_id: aggregatorId, place, place_sort: placeSort, number: null, iccid: null, operator: null, balance: null, last_balance: null, balance_at: null, last_balance_at: null, number_at: null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['aggregator_id', 'place']).doNothing()).execute();
      return (await db.selectFrom('cards').select(['id', 'number']).where('aggregator_id', '=', aggregatorId).where('place', '=', place).executeTakeFirstOrThrow());
    },

    async cardByIccid(aggregatorId: number, iccid: string): Promise<{ id: number; number: string | null } | null> {
      const r = await db.selectFrom('cards').select(['id', 'number']).where('aggregator_id', '=', aggregatorId).where('iccid', '=', iccid).executeTakeFirst();
      return r ?? null;
    },

    async updateCardInfo(cardId: number, info: { number?: string; iccid?: string; operator?: string; balance?: number }): Promise<void> {
      const now = clock.now();
      if (info.number !== undefined) {
        // A number moving to another slot: the old holder loses it (cards.number is unique).
        await db.updateTable('cards').set({ number: null, updated_at: now }).where('number', '=', info.number).where('id', '<>', cardId).execute();
      }
      await db.updateTable('cards').set({
        ...(info.number !== undefined ? { number: info.number, number_at: now } : {}),
        ...(info.iccid !== undefined ? { iccid: info.iccid } : {}),
        ...(info.operator !== undefined ? { operator: info.operator } : {}),
        ...(info.balance !== undefined ? { balance: info.balance, balance_at: now } : {}),
        updated_at: now,
      }).where('id', '=', cardId).execute();
    },

    async queuedRequests(aggregatorId: number): Promise<DeviceRequestRow[]> {
      const rows = await db.selectFrom('device_requests').select(['id', 'card_id', 'kind', 'params'])
        .where('aggregator_id', '=', aggregatorId).where('status', '=', 'queued').orderBy('id').limit(50).execute();
      return rows.map((r) => ({ id: r.id, cardId: r.card_id, kind: r.kind, params: r.params }));
    },

    async finishRequest(id: number, status: 'done' | 'error', result: string): Promise<void> {
      await db.updateTable('device_requests').set({ status, result, done_at: clock.now() }).where('id', '=', id).execute();
    },

    async setGrab(aggregatorId: number, cardId: number | null): Promise<void> {
      await db.updateTable('card_online').set({ grab_calls: 0 }).where('aggregator_id', '=', aggregatorId).where('grab_calls', '=', 1).execute();
      if (cardId !== null) await db.updateTable('card_online').set({ grab_calls: 1 }).where('card_id', '=', cardId).execute();
    },

    /** Queued outgoing SMS of cards on this aggregator, oldest first. */
    async queuedOutbox(aggregatorId: number): Promise<OutboxItem[]> {
      const rows = await db.selectFrom('sms_outbox as o').innerJoin('cards as c', 'c.id', 'o.card_id')
        .select(['o.id', 'o.card_id', 'o.recipient', 'o.text'])
        .where('c.aggregator_id', '=', aggregatorId).where('o.status', '=', 'queued').orderBy('o.id').limit(20).execute();
      return rows.map((r) => ({ id: r.id, cardId: r.card_id, recipient: r.recipient, text: r.text }));
    },

    /** Takes or renews the lease `name` for `holder` until now + ttl; false when another holder has it. */
    async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
      const now = clock.now();
      await db.insertInto('leases').values({ name, holder, expires_at: now + ttlMs, acquired_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ holder, expires_at: now + ttlMs, acquired_at: now })
          .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<', now)])))
        .execute();
      const r = await db.selectFrom('leases').select('holder').where('name', '=', name).executeTakeFirst();
      return r?.holder === holder;
    },

    async releaseLease(name: string, holder: string): Promise<void> {
      await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
    },

    /** Bumps nothing; used by tests to read a card's online row. */
    async onlineRow(cardId: number) {
      return db.selectFrom('card_online').selectAll().where('card_id', '=', cardId).executeTakeFirst();
    },
  };
}

export type DeviceStateRepo = ReturnType<typeof createDeviceStateRepo>;
