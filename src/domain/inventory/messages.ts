/**
 * The admin's SMS inbox and call log (panel-features.md §2.10–2.11): list with filters (SIM
 * number, sender / caller, text, aggregator, place, read state, time range), mark read, delete.
 * Rows are joined to their card by id, so SMS of cards without a known number are listed too
 * (the legacy page joined on the number and hid them). Scoped principals see their pools' cards.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../../store/schema.ts';
import { type AdminCtx, likeEscape } from '../auth/outcome.ts';
import type { Principal } from '../auth/principal.ts';
import { deleteCalls, deleteSms, markCallsRead, markSmsRead } from '../inbox/inbox.ts';

export interface MessageFilter {
  number?: string; peer?: string; text?: string; aggregatorId?: number; place?: string; cardId?: number;
  read?: boolean; since?: number; until?: number;
}

export interface SmsView {
  id: number; cardId: number; number: string | null; aggregatorId: number; aggregatorTitle: string; place: string;
  operator: string | null; sender: string; text: string; sentAt: number | null; receivedAt: number; read: boolean; partsMissing: boolean;
}

export interface CallView {
  id: number; cardId: number; number: string | null; aggregatorId: number; aggregatorTitle: string; place: string;
  operator: string | null; caller: string; at: number; read: boolean;
}

function like(col: string, text: string) {
  return sql<boolean>`lower(${sql.ref(col)}) like lower(${'%' + likeEscape(text) + '%'}) escape '\\'`;
}

function scopeIds(who: Principal): number[] | null {
  return who.poolScope === null ? null : who.poolScope.length > 0 ? [...who.poolScope] : [-1];
}

export async function listSms(ctx: AdminCtx, who: Principal, f: MessageFilter, page: { limit: number; offset: number }): Promise<{ total: number; items: SmsView[] }> {
  let q = ctx.db.selectFrom('sms').innerJoin('cards', 'cards.id', 'sms.card_id').innerJoin('aggregators', 'aggregators.id', 'cards.aggregator_id');
  if (f.number) q = q.where(like('cards.number', f.number.replace(/^\+/, '')));
  if (f.peer) q = q.where(like('sms.sender', f.peer));
  if (f.text) q = q.where(like('sms.text', f.text));
  if (f.aggregatorId !== undefined) q = q.where('cards.aggregator_id', '=', f.aggregatorId);
  if (f.place) q = q.where('cards.place', '=', f.place.toUpperCase());
  if (f.cardId !== undefined) q = q.where('sms.card_id', '=', f.cardId);
  if (f.read !== undefined) q = q.where('sms.read', '=', f.read ? 1 : 0);
  if (f.since !== undefined) q = q.where('sms.received_at', '>=', f.since);
  if (f.until !== undefined) q = q.where('sms.received_at', '<', f.until);
  const scope = scopeIds(who);
  if (scope) q = q.where('sms.card_id', 'in', (eb: ExpressionBuilder<Db, 'sms'>) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', scope));
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.select(['sms.id', 'sms.card_id', 'cards.number', 'cards.aggregator_id', 'aggregators.title as agg', 'cards.place', 'cards.operator',
    'sms.sender', 'sms.text', 'sms.sent_at', 'sms.received_at', 'sms.read', 'sms.parts_missing'])
    .orderBy('sms.received_at', 'desc').orderBy('sms.id', 'desc').limit(page.limit).offset(page.offset).execute();
  return {
    total,
    items: rows.map((r) => ({
      id: r.id, cardId: r.card_id, number: r.number, aggregatorId: r.aggregator_id, aggregatorTitle: r.agg, place: r.place, operator: r.operator,
      sender: r.sender, text: r.text, sentAt: r.sent_at, receivedAt: r.received_at, read: r.read === 1, partsMissing: r.parts_missing === 1,
    })),
  };
}

export async function listCalls(ctx: AdminCtx, who: Principal, f: MessageFilter, page: { limit: number; offset: number }): Promise<{ total: number; items: CallView[] }> {
  let q = ctx.db.selectFrom('calls').innerJoin('cards', 'cards.id', 'calls.card_id').innerJoin('aggregators', 'aggregators.id', 'cards.aggregator_id');
  if (f.number) q = q.where(like('cards.number', f.number.replace(/^\+/, '')));
  if (f.peer) q = q.where(like('calls.caller', f.peer.replace(/^\+/, '')));
  if (f.aggregatorId !== undefined) q = q.where('cards.aggregator_id', '=', f.aggregatorId);
  if (f.place) q = q.where('cards.place', '=', f.place.toUpperCase());
  if (f.cardId !== undefined) q = q.where('calls.card_id', '=', f.cardId);
  if (f.read !== undefined) q = q.where('calls.read', '=', f.read ? 1 : 0);
  if (f.since !== undefined) q = q.where('calls.at', '>=', f.since);
  if (f.until !== undefined) q = q.where('calls.at', '<', f.until);
  const scope = scopeIds(who);
  if (scope) q = q.where('calls.card_id', 'in', (eb: ExpressionBuilder<Db, 'calls'>) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', scope));
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.select(['calls.id', 'calls.card_id', 'cards.number', 'cards.aggregator_id', 'aggregators.title as agg', 'cards.place', 'cards.operator',
    'calls.caller', 'calls.at', 'calls.read'])
    .orderBy('calls.at', 'desc').orderBy('calls.id', 'desc').limit(page.limit).offset(page.offset).execute();
  return {
    total,
    items: rows.map((r) => ({
      id: r.id, cardId: r.card_id, number: r.number, aggregatorId: r.aggregator_id, aggregatorTitle: r.agg, place: r.place, operator: r.operator,
      caller: r.caller, at: r.at, read: r.read === 1,
    })),
  };
}

/** Ids among `ids` the principal may touch (scope), so marks and deletes never cross pools. */
async function allowed(ctx: AdminCtx, who: Principal, table: 'sms' | 'calls', ids: readonly number[]): Promise<number[]> {
  const uniq = [...new Set(ids)].slice(0, 10_000);
  if (uniq.length === 0) return [];
  const scope = scopeIds(who);
  let q = ctx.db.selectFrom(table).select('id').where('id', 'in', uniq);
  if (scope) q = q.where('card_id', 'in', (eb: ExpressionBuilder<Db, typeof table>) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', scope));
  return (await q.execute()).map((r) => r.id);
}

/** Marks read / unread through the inbox owner (domain/inbox), after the scope check. */
export async function markRead(ctx: AdminCtx, who: Principal, table: 'sms' | 'calls', ids: readonly number[], read = true): Promise<number> {
  const ok = await allowed(ctx, who, table, ids);
  if (ok.length === 0) return 0;
  return table === 'sms' ? markSmsRead(ctx.db, ok, read) : markCallsRead(ctx.db, ok, read);
}

/** Deletes through the inbox owner (domain/inbox), after the scope check. */
export async function deleteMessages(ctx: AdminCtx, who: Principal, table: 'sms' | 'calls', ids: readonly number[]): Promise<number> {
  const ok = await allowed(ctx, who, table, ids);
  if (ok.length === 0) return 0;
  return table === 'sms' ? deleteSms(ctx.db, ok) : deleteCalls(ctx.db, ok);
}
