/**
 * Which events a pool-scoped user may see on the stream: card events (SMS, calls, card status,
 * USSD) only for cards in one of their pools, pool events only for their pools. Users without a
 * scope see everything. Card membership is looked up once per card and cached for `ttlMs`.
 */
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import type { Stamped } from '../../domain/events/bus.ts';

export type ScopeFilter = (e: Stamped) => Promise<boolean>;

export function createScopeFilter(ctx: AdminCtx, p: Principal, ttlMs = 10_000): ScopeFilter {
  const scope = p.poolScope;
  if (scope === null) return async () => true;
  const cache = new Map<number, { ok: boolean; at: number }>();
  async function cardAllowed(cardId: number): Promise<boolean> {
    const now = ctx.clock.now();
    const hit = cache.get(cardId);
    if (hit && now - hit.at < ttlMs) return hit.ok;
    const ok = scope!.length > 0 && (await ctx.db.selectFrom('pool_cards').select('card_id')
      .where('card_id', '=', cardId).where('pool_id', 'in', [...scope!]).limit(1).executeTakeFirst()) !== undefined;
    if (cache.size > 10_000) cache.clear();
    cache.set(cardId, { ok, at: now });
    return ok;
  }
  return async (e) => {
    switch (e.type) {
      case 'sms.received': case 'call.incoming': case 'card.status': case 'ussd.reply':
        return cardAllowed(e.cardId);
      case 'pool.changed':
        return e.poolId === null || scope.includes(e.poolId);
      default:
        return true;
    }
  };
}
