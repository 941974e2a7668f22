/**
 * The admin's list of pools (panel-features.md §2.7): members, FREE / USED since the last
 * poolRestart, online now, total balance; and "which pools hold this number". Read-only views;
 * every change of a pool goes through domain/pools.
 */
import { sql } from 'kysely';
import { type AdminCtx, likeEscape } from '../auth/outcome.ts';
import type { Principal } from '../auth/principal.ts';

export interface PoolOverview {
  id: number;
  title: string;
  keyHint: string;
  cards: number;
  used: number;
  free: number;
  online: number;
  balance: number;
  createdAt: number;
  updatedAt: number;
}

export async function listPoolOverviews(ctx: AdminCtx, who: Principal, opts: { number?: string; ids?: number[] } = {}): Promise<PoolOverview[]> {
  let q = ctx.db.selectFrom('pools').selectAll('pools')
    .select((eb) => [
      eb.selectFrom('pool_cards').whereRef('pool_cards.pool_id', '=', 'pools.id').select((e) => e.fn.countAll<number>().as('n')).as('cards'),
      eb.selectFrom('pool_cards').whereRef('pool_cards.pool_id', '=', 'pools.id').where('pool_cards.used', '=', 1)
        .select((e) => e.fn.countAll<number>().as('n')).as('used'),
      eb.selectFrom('pool_cards').innerJoin('card_online', 'card_online.card_id', 'pool_cards.card_id')
        .whereRef('pool_cards.pool_id', '=', 'pools.id').where('card_online.desired', '=', 'online')
        .select((e) => e.fn.countAll<number>().as('n')).as('online'),
      eb.selectFrom('pool_cards').innerJoin('cards', 'cards.id', 'pool_cards.card_id')
        .whereRef('pool_cards.pool_id', '=', 'pools.id').select(sql<number>`coalesce(sum(cards.balance), 0)`.as('b')).as('balance'),
    ]);
  if (who.poolScope !== null) q = q.where('pools.id', 'in', who.poolScope.length > 0 ? [...who.poolScope] : [-1]);
  if (opts.ids) q = q.where('pools.id', 'in', opts.ids.length > 0 ? opts.ids : [-1]);
  if (opts.number) {
    const pattern = '%' + likeEscape(opts.number.replace(/^\+/, '')) + '%';
    q = q.where('pools.id', 'in', (eb) => eb.selectFrom('pool_cards').innerJoin('cards', 'cards.id', 'pool_cards.card_id')
      .where(sql<boolean>`cards.number like ${pattern} escape '\\'`).select('pool_cards.pool_id'));
  }
  const rows = await q.orderBy('pools.title').execute();
  return rows.map((r) => {
    const cards = Number(r.cards ?? 0); const used = Number(r.used ?? 0);
    return {
      id: r.id, title: r.title, keyHint: r.key_hint, cards, used, free: cards - used, online: Number(r.online ?? 0),
      balance: Math.round(Number(r.balance ?? 0) * 100) / 100, createdAt: r.created_at, updatedAt: r.updated_at,
    };
  });
}
