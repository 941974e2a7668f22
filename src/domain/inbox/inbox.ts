/**
 * The read side of received SMS and calls: queries (pool API and admin API), mark read, delete.
 * Writes of new messages belong to the intake (device runtime); this module only reads, flags and
 * deletes. All functions take the Kysely handle (a transaction works too).
 */
import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import type { Db, Sms, Call } from '../../store/schema.ts';
import { extractCode } from '../../codec/code-extract.ts';
import { compiledShapes } from '../../store/compiled-shapes.ts';

const readSms = compiledShapes<Db>();

export interface MessageQuery {
  /** Cards to read; required for the pool API, optional for the admin API. */
  cardIds?: readonly number[];
  /** Received at or after (Unix ms). */
  since?: number;
  /** Received before (Unix ms). */
  until?: number;
  unreadOnly?: boolean;
  /** Case-insensitive substring of the sender (SMS) or caller (calls), matched in JS (Unicode-aware). */
  sender?: string;
  /** Page size, default 100, at most 1000. */
  limit?: number;
  /** Rows skipped (admin paging). */
  offset?: number;
}

/**
 * What the pool API answers for a message (api.md §4 `code=N`): the whole text without `code`,
 * else the confirmation code of that many digits, or null when the text holds none.
 */
export function messageAnswer(text: string, code: number | undefined): string | null {
  return code === undefined ? text : extractCode(text, code);
}

const cap = (n: number | undefined): number => Math.min(Math.max(1, Math.floor(n ?? 100)), 1000);

/** What the pool API reads of an SMS. */
export type InboxSms = Pick<Sms, 'id' | 'sender' | 'text' | 'sent_at' | 'received_at' | 'read'>;

/** SMS newest first (received_at, then id). */
export async function listSms(db: Kysely<Db>, q: MessageQuery): Promise<InboxSms[]> {
  if (q.cardIds && q.cardIds.length === 0) return [];
  const limit = cap(q.limit);
  const needle = q.sender?.toLowerCase();
  const out: InboxSms[] = [];
  let offset = Math.max(0, Math.floor(q.offset ?? 0));
  // The sender filter runs in JS, so read in pages until the page is full or the rows run out.
  for (let round = 0; round < 50; round++) {
    // getSms runs this per number on every call (index sms_card_received_ix), so it is raw SQL
    // compiled once per shape. Measured on SQLite: naming the six columns instead of `*` and
    // writing limit/offset as literals (integers made here) halves the read (a bound LIMIT alone
    // costs ~6 µs), and skipping Kysely's compile saves another quarter.
    const batch = needle ? Math.max(limit, 200) : limit;
    const { cardIds, since, until, unreadOnly } = q;
    const params = [...(cardIds ?? []), ...(since !== undefined ? [since] : []), ...(until !== undefined ? [until] : [])];
    const shape = `${cardIds ? cardIds.length : '-'}|${since !== undefined}|${until !== undefined}|${!!unreadOnly}|${batch}|${offset}`;
    const rows = await readSms<InboxSms>(db, shape, () => {
      const where: RawBuilder<unknown>[] = [];
      if (cardIds) where.push(cardIds.length === 1 ? sql`card_id = ${cardIds[0]}` : sql`card_id in (${sql.join([...cardIds])})`);
      if (since !== undefined) where.push(sql`received_at >= ${since}`);
      if (until !== undefined) where.push(sql`received_at < ${until}`);
      if (unreadOnly) where.push(sql`"read" = 0`);
      return sql<InboxSms>`select id, sender, text, sent_at, received_at, "read" from sms
        where ${where.length > 0 ? sql.join(where, sql` and `) : sql`1 = 1`}
        order by received_at desc, id desc limit ${sql.lit(batch)} offset ${sql.lit(offset)}`;
    }, params);
    for (const r of rows) {
      if (needle && !r.sender.toLowerCase().includes(needle)) continue;
      out.push(r);
      if (out.length >= limit) return out;
    }
    if (rows.length < batch) return out;
    offset += rows.length;
  }
  return out;
}

/** Calls newest first (at, then id). */
export async function listCalls(db: Kysely<Db>, q: MessageQuery): Promise<Call[]> {
  if (q.cardIds && q.cardIds.length === 0) return [];
  let s = db.selectFrom('calls').selectAll();
  if (q.cardIds) s = s.where('card_id', 'in', [...q.cardIds]);
  if (q.since !== undefined) s = s.where('at', '>=', q.since);
  if (q.until !== undefined) s = s.where('at', '<', q.until);
  if (q.unreadOnly) s = s.where('read', '=', 0);
  const rows = await s.orderBy('at', 'desc').orderBy('id', 'desc').limit(cap(q.limit)).offset(q.offset ?? 0).execute();
  const needle = q.sender?.toLowerCase();
  return needle ? rows.filter((r) => r.caller.toLowerCase().includes(needle)) : rows;
}

export async function markSmsRead(db: Kysely<Db>, ids: readonly number[], read = true): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const r = await db.updateTable('sms').set({ read: read ? 1 : 0 }).where('id', 'in', ids.slice(i, i + 500)).executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

export async function markCallsRead(db: Kysely<Db>, ids: readonly number[], read = true): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const r = await db.updateTable('calls').set({ read: read ? 1 : 0 }).where('id', 'in', ids.slice(i, i + 500)).executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

/**
 * Deletes SMS by id; with `poolId`, only those of cards in that pool. Resolves to the count deleted.
 * The raw parts go with the message: left behind (their `sms_id` set null by the foreign key) they
 * would look like a group still waiting for parts, and the intake's timeout would assemble the
 * deleted message again.
 */
export async function deleteSms(db: Kysely<Db>, ids: readonly number[], poolId?: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    let pick = db.selectFrom('sms').select('id').where('id', 'in', ids.slice(i, i + 500));
    if (poolId !== undefined) pick = pick.where('card_id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', '=', poolId));
    const found = (await pick.execute()).map((r) => r.id);
    n += await deleteSmsRows(db, found);
  }
  return n;
}

/** Deletes messages and their parts (parts first, so none is ever left without its message). */
export async function deleteSmsRows(db: Kysely<Db>, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  await db.deleteFrom('sms_parts').where('sms_id', 'in', ids).execute();
  return Number((await db.deleteFrom('sms').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
}

/** Deletes call records by id; with `poolId`, only those of cards in that pool. */
export async function deleteCalls(db: Kysely<Db>, ids: readonly number[], poolId?: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    let q = db.deleteFrom('calls').where('id', 'in', ids.slice(i, i + 500));
    if (poolId !== undefined) q = q.where('card_id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', '=', poolId));
    n += Number((await q.executeTakeFirst()).numDeletedRows);
  }
  return n;
}
