/**
 * Pools as the admin API and CLI manage them: create (the key is returned once), rename, rotate
 * the key, delete (cards stay), add and remove cards, and look a pool up by its key.
 */
import { sql } from 'kysely';
import type { Pool } from '../../store/schema.ts';
import type { Tx } from '../../store/write-transaction.ts';
import { fail } from './context.ts';
import type { PoolCtx, PoolResult } from './context.ts';
import { hashPoolKey, newPoolKey, poolKeyHint, poolKeyMatches } from './keys.ts';

export type PoolErrorCode = 'POOL_NOT_FOUND' | 'POOL_TITLE_INVALID' | 'POOL_TITLE_TAKEN' | 'POOL_KEY_INVALID' | 'POOL_KEY_TAKEN';

export interface CreatedPool { pool: Pool; /** The key in clear: shown once, never stored. */ key: string }

const MAX_TITLE = 200;
/** Most card ids one add/remove call takes (bigger selections are split by the caller). */
export const MAX_CARDS_PER_CALL = 100_000;

function checkTitle(title: string): string | null {
  const t = title.trim();
  return t.length >= 1 && t.length <= MAX_TITLE && !/[\u0000-\u001f]/.test(t) ? t : null;
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_UNIQUE' || (typeof err.message === 'string' && /UNIQUE constraint/i.test(err.message));
}

async function titleTaken(tx: Tx, title: string, exceptId?: number): Promise<boolean> {
  let q = tx.selectFrom('pools').select('id').where('title', '=', title);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * Creates a pool with a new random key, or with `legacyKey` (the importer: existing clients keep
 * their key). `cardIds` are added at once.
 */
export async function createPool(
  ctx: PoolCtx, input: { title: string; cardIds?: readonly number[]; legacyKey?: string },
): Promise<PoolResult<CreatedPool, PoolErrorCode>> {
  const title = checkTitle(input.title);
  if (title === null) return fail('POOL_TITLE_INVALID', `a title is 1–${MAX_TITLE} printable characters`);
  if (input.legacyKey !== undefined && !/^[\x21-\x7e]{8,128}$/.test(input.legacyKey)) {
    return fail('POOL_KEY_INVALID', 'a pool key is 8–128 printable ASCII characters');
  }
  const key = input.legacyKey ?? newPoolKey();
  const now = ctx.clock.now();
  try {
    const pool = await ctx.store.db.transaction().execute(async (tx) => {
      if (await titleTaken(tx, title)) return 'title' as const;
      const keyHash = hashPoolKey(key);
      if (await tx.selectFrom('pools').select('id').where('key_hash', '=', keyHash).executeTakeFirst()) return 'key' as const;
      const p = await tx.insertInto('pools').values({ title, key_hash: keyHash, key_hint: poolKeyHint(key), created_at: now, updated_at: now })
        .returningAll().executeTakeFirstOrThrow();
      await insertMembers(tx, p.id, input.cardIds ?? [], now);
      return p;
    });
    if (pool === 'title') return fail('POOL_TITLE_TAKEN', 'a pool with this title exists');
    if (pool === 'key') return fail('POOL_KEY_TAKEN', 'another pool has this key');
    ctx.changed();
    return { ok: true, value: { pool, key } };
  } catch (e) {
    if (isUniqueViolation(e)) return fail('POOL_TITLE_TAKEN', 'a pool with this title exists');
    throw e;
  }
}

export async function renamePool(ctx: PoolCtx, poolId: number, newTitle: string): Promise<PoolResult<Pool, PoolErrorCode>> {
  const title = checkTitle(newTitle);
  if (title === null) return fail('POOL_TITLE_INVALID', `a title is 1–${MAX_TITLE} printable characters`);
  try {
    const r = await ctx.store.db.transaction().execute(async (tx) => {
      if (await titleTaken(tx, title, poolId)) return 'taken' as const;
      return tx.updateTable('pools').set({ title, updated_at: ctx.clock.now() }).where('id', '=', poolId).returningAll().executeTakeFirst();
    });
    if (r === 'taken') return fail('POOL_TITLE_TAKEN', 'a pool with this title exists');
    if (!r) return fail('POOL_NOT_FOUND', `no pool ${poolId}`);
    return { ok: true, value: r };
  } catch (e) {
    if (isUniqueViolation(e)) return fail('POOL_TITLE_TAKEN', 'a pool with this title exists');
    throw e;
  }
}

/** Replaces the key; the old one stops working at once. Returns the new key (shown once). */
export async function rotatePoolKey(ctx: PoolCtx, poolId: number): Promise<PoolResult<{ key: string }, PoolErrorCode>> {
  const key = newPoolKey();
  const r = await ctx.store.db.updateTable('pools')
    .set({ key_hash: hashPoolKey(key), key_hint: poolKeyHint(key), updated_at: ctx.clock.now() })
    .where('id', '=', poolId).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return fail('POOL_NOT_FOUND', `no pool ${poolId}`);
  return { ok: true, value: { key } };
}

/** Deletes the pool and its memberships; the cards stay (and stay online if they are). */
export async function deletePool(ctx: PoolCtx, poolId: number): Promise<PoolResult<true, PoolErrorCode>> {
  const r = await ctx.store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('pool_cards').where('pool_id', '=', poolId).execute();
    return tx.deleteFrom('pools').where('id', '=', poolId).executeTakeFirst();
  });
  if (Number(r.numDeletedRows) === 0) return fail('POOL_NOT_FOUND', `no pool ${poolId}`);
  ctx.changed();
  return { ok: true, value: true };
}

async function insertMembers(tx: Tx, poolId: number, cardIds: readonly number[], now: number): Promise<number> {
  const ids = [...new Set(cardIds.filter((id) => Number.isInteger(id) && id > 0))].slice(0, MAX_CARDS_PER_CALL);
  let added = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const cards = await tx.selectFrom('cards').select(['id', 'aggregator_id', 'place_sort']).where('id', 'in', chunk).execute();
    if (cards.length === 0) continue;
    const r = await tx.insertInto('pool_cards')
      .values(cards.map((c) => ({ pool_id: poolId, card_id: c.id, aggregator_id: c.aggregator_id, place_sort: c.place_sort, added_at: now })))
      .onConflict((oc) => oc.columns(['pool_id', 'card_id']).doNothing())
      .executeTakeFirst();
    added += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/** Adds cards (ids of existing cards; unknown ids and members already in the pool are skipped). */
export async function addCardsToPool(ctx: PoolCtx, poolId: number, cardIds: readonly number[]): Promise<PoolResult<{ added: number }, PoolErrorCode>> {
  const r = await ctx.store.db.transaction().execute(async (tx) => {
    if (!(await tx.selectFrom('pools').select('id').where('id', '=', poolId).executeTakeFirst())) return null;
    return insertMembers(tx, poolId, cardIds, ctx.clock.now());
  });
  if (r === null) return fail('POOL_NOT_FOUND', `no pool ${poolId}`);
  ctx.changed();
  return { ok: true, value: { added: r } };
}

/** Removes cards from the pool (the cards themselves stay). */
export async function removeCardsFromPool(ctx: PoolCtx, poolId: number, cardIds: readonly number[]): Promise<PoolResult<{ removed: number }, PoolErrorCode>> {
  const ids = [...new Set(cardIds.filter((id) => Number.isInteger(id) && id > 0))].slice(0, MAX_CARDS_PER_CALL);
  if (!(await ctx.store.db.selectFrom('pools').select('id').where('id', '=', poolId).executeTakeFirst())) return fail('POOL_NOT_FOUND', `no pool ${poolId}`);
  let removed = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const r = await ctx.store.db.deleteFrom('pool_cards').where('pool_id', '=', poolId).where('card_id', 'in', ids.slice(i, i + 500)).executeTakeFirst();
    removed += Number(r.numDeletedRows);
  }
  ctx.changed();
  return { ok: true, value: { removed } };
}

/**
 * Re-copies aggregator and place order from `cards` into `pool_cards` for these cards. Whoever
 * moves a card to another aggregator or place (or recomputes place_sort) calls this.
 */
export async function refreshPoolCardPlacement(ctx: PoolCtx, cardIds: readonly number[]): Promise<void> {
  const ids = [...new Set(cardIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await ctx.store.db.updateTable('pool_cards')
      .set({
        aggregator_id: sql`(select c.aggregator_id from cards c where c.id = pool_cards.card_id)`,
        place_sort: sql`(select c.place_sort from cards c where c.id = pool_cards.card_id)`,
      })
      .where('card_id', 'in', chunk).execute();
  }
  ctx.changed();
}

/** The pool a key opens, compared by hash in constant time; null for any unknown or malformed key. */
export async function findPoolByKey(ctx: PoolCtx, key: string | undefined): Promise<Pool | null> {
  if (key === undefined || key.length === 0 || key.length > 256) return null;
  const hash = hashPoolKey(key);
  const row = await ctx.store.db.selectFrom('pools').selectAll().where('key_hash', '=', hash).executeTakeFirst();
  return row && poolKeyMatches(key, row.key_hash) ? row : null;
}
