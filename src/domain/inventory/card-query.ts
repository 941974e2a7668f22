/**
 * The SIM inventory list with the legacy filters and sorts (panel-features.md §2.6): part of the
 * number / ICCID / title, operator (profile title or network name), aggregator, place prefix,
 * balance comparison (`=x`, `>x`, `<x`, `>=x`, `<=x`), comment contains or, with a leading `^`,
 * does not contain. Every value is bound (no SQL from strings, §4.1 item 6); LIKE wildcards in
 * the user's text are escaped.
 *
 * Duplicates (§2.6 "duplicates are highlighted"): numbers are unique in the store, but `79011234567`,
 * `89011234567` and `9011234567` are one subscriber to the pool API (same last 10 digits, api.md §1),
 * so a card is a duplicate when another card's number has the same last 10 digits — anywhere in the
 * inventory the user may see (all of it, or their pools), not only on the page shown. The listed
 * rows' tails are checked by one grouped query over the indexed tail expression (migration 0001
 * `cards_number_tail_ix`); the "duplicates only" filter looks each candidate's tail up in the same
 * index.
 */
import { PostgresAdapter, sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../../store/schema.ts';
import { numberTail } from '../../store/migrations/0001-initial.ts';
import { type AdminCtx, done, failed, likeEscape, type Outcome } from '../auth/outcome.ts';
import type { Principal } from '../auth/principal.ts';

export interface CardFilter {
  number?: string;
  iccid?: string;
  title?: string;
  operator?: string;
  aggregatorId?: number;
  placePrefix?: string;
  balance?: string;
  comment?: string;
  poolId?: number;
  ids?: number[];
  /** Only cards whose number another card shares (see above). */
  duplicates?: boolean;
}

export const CARD_SORTS = ['place', 'aggregator', 'iccid', 'number', 'balance', 'balanceAt', 'operator', 'updated', 'pools'] as const;
export type CardSort = (typeof CARD_SORTS)[number];

export interface CardView {
  id: number;
  aggregatorId: number;
  aggregatorTitle: string;
  model: string;
  place: string;
  number: string | null;
  iccid: string | null;
  operator: string | null;
  operatorTitle: string | null;
  operatorColor: string | null;
  balance: number | null;
  lastBalance: number | null;
  balanceAt: number | null;
  lastBalanceAt: number | null;
  title: string;
  comment: string;
  blocked: boolean;
  pools: number;
  online: boolean;
  /** Another card has the same number (same last 10 digits). */
  duplicate: boolean;
  createdAt: number;
  updatedAt: number;
}

const BALANCE = /^(<=|>=|=|<|>)?\s*(-?\d{1,12}(?:[.,]\d{1,4})?)$/;

type CardQuery = SelectQueryBuilder<Db, 'cards' | 'aggregators', object>;

const isPostgres = (db: Kysely<Db>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/** The store's indexed tail expression on `number` (migration 0001), for the database in use. */
const indexedTail = (db: Kysely<Db>) => numberTail(isPostgres(db) ? 'postgres' : 'sqlite');

/** Numbers shorter than this are not matched by their tail (api.md §1), so never duplicates. */
const TAIL_DIGITS = 10;

/** The listed card's tail, the index's function on `cards.number`. */
function cardTail(db: Kysely<Db>) {
  const n = sql.ref('cards.number');
  return isPostgres(db) ? sql<string>`right(${n}, 10)` : sql<string>`substr(${n}, -10)`;
}

/**
 * The cards a principal may see, as a condition on `col` (a card id column): every card, or those
 * in its pools. Duplicates are looked for among these only, so a user limited to some pools learns
 * nothing about cards outside them.
 */
function visibleTo(who: Principal, col: string) {
  if (who.poolScope === null) return sql<boolean>`1 = 1`;
  const scope = who.poolScope.length > 0 ? [...who.poolScope] : [-1];
  return sql<boolean>`${sql.ref(col)} in (select card_id from pool_cards where pool_id in (${sql.join(scope)}))`;
}

/** Filter: another card (visible to `who`) has the same tail; one index lookup per candidate row. */
function sharesTail(db: Kysely<Db>, who: Principal) {
  return sql<boolean>`length(${sql.ref('cards.number')}) >= ${TAIL_DIGITS} and exists (select 1 from cards as other where ${indexedTail(db)} = ${cardTail(db)} and other.id <> ${sql.ref('cards.id')} and ${visibleTo(who, 'other.id')})`;
}

/** Which of `tails` more than one card (visible to `who`) holds: one grouped query per 500 tails, served by the index. */
async function duplicatedTails(db: Kysely<Db>, who: Principal, tails: ReadonlySet<string>): Promise<Set<string>> {
  const out = new Set<string>();
  const list = [...tails];
  const tail = indexedTail(db);
  for (let i = 0; i < list.length; i += 500) {
    const r = await sql<{ tail: string }>`select ${tail} as tail from cards where ${tail} in (${sql.join(list.slice(i, i + 500))}) and ${visibleTo(who, 'cards.id')} group by ${tail} having count(*) > 1`.execute(db);
    for (const row of r.rows) out.add(row.tail);
  }
  return out;
}

/**
 * Case-insensitive substring match. Both sides are lowered by the database, so the comparison is
 * consistent: on SQLite `lower()` folds ASCII only (Cyrillic stays case-sensitive there), on
 * PostgreSQL it folds every letter.
 */
function contains(col: string, text: string) {
  return sql<boolean>`lower(${sql.ref(col)}) like lower(${'%' + likeEscape(text) + '%'}) escape '\\'`;
}

/** Operator profile names (upper-case network names) whose title matches `text`, case-insensitive. */
async function operatorNames(ctx: AdminCtx, text: string): Promise<string[]> {
  const ops = await ctx.db.selectFrom('operators').select(['title', 'names']).execute();
  const t = text.trim().toLowerCase();
  return ops.filter((o) => o.title.toLowerCase() === t).flatMap((o) => parseNames(o.names));
}

export function parseNames(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch { return []; }
}

/** Applies filters and the principal's pool scope; returns a VALIDATION failure for a bad balance filter. */
async function filtered(ctx: AdminCtx, who: Principal, f: CardFilter): Promise<Outcome<CardQuery>> {
  let q: CardQuery = ctx.db.selectFrom('cards').innerJoin('aggregators', 'aggregators.id', 'cards.aggregator_id');
  if (f.number) q = q.where(contains('cards.number', f.number.replace(/^\+/, '')));
  if (f.iccid) q = q.where(contains('cards.iccid', f.iccid));
  if (f.title) q = q.where(contains('cards.title', f.title));
  if (f.operator) {
    const names = await operatorNames(ctx, f.operator);
    const op = f.operator;
    q = q.where((eb) => eb.or([
      contains('cards.operator', op),
      ...(names.length > 0 ? [sql<boolean>`lower(${sql.ref('cards.operator')}) in (${sql.join(names.map((n) => sql`lower(${n})`))})`] : []),
    ]));
  }
  if (f.aggregatorId !== undefined) q = q.where('cards.aggregator_id', '=', f.aggregatorId);
  if (f.placePrefix) q = q.where(sql<boolean>`upper(${sql.ref('cards.place')}) like ${likeEscape(f.placePrefix.trim().toUpperCase()) + '%'} escape '\\'`);
  if (f.balance) {
    const m = BALANCE.exec(f.balance.trim());
    if (!m) return failed('VALIDATION', 'balance filter: =x, >x, <x, >=x or <=x');
    const op = (m[1] ?? '=') as '=' | '<' | '>' | '<=' | '>=';
    q = q.where('cards.balance', op, Number(m[2]!.replace(',', '.')));
  }
  if (f.comment) {
    const neg = f.comment.startsWith('^');
    const text = neg ? f.comment.slice(1) : f.comment;
    if (text !== '') q = q.where(neg ? sql<boolean>`not (${contains('cards.comment', text)})` : contains('cards.comment', text));
  }
  if (f.poolId !== undefined) {
    const pid = f.poolId;
    q = q.where('cards.id', 'in', (eb: ExpressionBuilder<Db, 'cards'>) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', '=', pid));
  }
  if (f.ids !== undefined) q = q.where('cards.id', 'in', f.ids.length > 0 ? f.ids : [-1]);
  if (f.duplicates) q = q.where(sharesTail(ctx.db, who));
  if (who.poolScope !== null) {
    const scope = who.poolScope.length > 0 ? [...who.poolScope] : [-1];
    q = q.where('cards.id', 'in', (eb: ExpressionBuilder<Db, 'cards'>) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', scope));
  }
  return done(q);
}

export interface CardPage { limit: number; offset: number; sort: CardSort; desc: boolean }

export async function listCards(ctx: AdminCtx, who: Principal, f: CardFilter, page: CardPage): Promise<Outcome<{ total: number; items: CardView[] }>> {
  const base = await filtered(ctx, who, f);
  if (!base.ok) return base;
  const total = Number((await base.value.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const dir = page.desc ? 'desc' : 'asc';
  let q = base.value
    .leftJoin('card_online', 'card_online.card_id', 'cards.id')
    .selectAll('cards')
    .select(['aggregators.title as aggregator_title', 'aggregators.model as aggregator_model', 'card_online.desired as desired'])
    .select((eb) => eb.selectFrom('pool_cards').whereRef('pool_cards.card_id', '=', 'cards.id')
      .select((e) => e.fn.countAll<number>().as('c')).as('pool_count'));
  switch (page.sort) {
    case 'place': q = q.orderBy('cards.aggregator_id', dir).orderBy('cards.place_sort', dir).orderBy('cards.place', dir); break;
    case 'aggregator': q = q.orderBy('aggregators.title', dir).orderBy('cards.aggregator_id', dir).orderBy('cards.place_sort', dir); break;
    case 'iccid': q = q.orderBy('cards.iccid', dir); break;
    case 'number': q = q.orderBy('cards.number', dir); break;
    case 'balance': q = q.orderBy('cards.balance', dir); break;
    case 'balanceAt': q = q.orderBy('cards.balance_at', dir); break;
    case 'operator': q = q.orderBy('cards.operator', dir); break;
    case 'updated': q = q.orderBy('cards.updated_at', dir); break;
    case 'pools': q = q.orderBy('pool_count', dir); break;
  }
  const rows = await q.orderBy('cards.id', dir).limit(page.limit).offset(page.offset).execute();
  const ops = await ctx.db.selectFrom('operators').select(['title', 'names', 'color']).execute();
  const tailOf = (n: string | null): string | null => (n !== null && n.length >= TAIL_DIGITS ? n.slice(-TAIL_DIGITS) : null);
  const dups = await duplicatedTails(ctx.db, who, new Set(rows.map((r) => tailOf(r.number)).filter((x): x is string => x !== null)));
  const byName = new Map<string, { title: string; color: string }>();
  for (const o of ops) for (const n of parseNames(o.names)) byName.set(n.toUpperCase(), { title: o.title, color: o.color });
  return done({
    total,
    items: rows.map((r) => {
      const op = r.operator ? byName.get(r.operator.toUpperCase()) : undefined;
      return {
        id: r.id, aggregatorId: r.aggregator_id, aggregatorTitle: r.aggregator_title, model: r.aggregator_model, place: r.place,
        number: r.number, iccid: r.iccid, operator: r.operator, operatorTitle: op?.title ?? null, operatorColor: op?.color ?? null,
        balance: r.balance, lastBalance: r.last_balance, balanceAt: r.balance_at, lastBalanceAt: r.last_balance_at,
        title: r.title, comment: r.comment, blocked: r.blocked === 1, pools: Number(r.pool_count ?? 0), online: r.desired === 'online',
        duplicate: dups.has(tailOf(r.number) ?? ''),
        createdAt: r.created_at, updatedAt: r.updated_at,
      };
    }),
  });
}

/** Ids of the cards a filter selects (for "create pool from a filter"), at most `max`. */
export async function selectCardIds(ctx: AdminCtx, who: Principal, f: CardFilter, max = 100_000): Promise<Outcome<number[]>> {
  const base = await filtered(ctx, who, f);
  if (!base.ok) return base;
  const rows = await base.value.select('cards.id').orderBy('cards.id').limit(max).execute();
  return done(rows.map((r) => r.id));
}
