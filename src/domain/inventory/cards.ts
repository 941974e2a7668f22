/**
 * Adding, editing and deleting SIM cards by hand (panel-features.md §2.6 card edit form). The
 * place is parsed by the aggregator's model (canonical text and sort key); the number is digits
 * only and unique when known; a blocked card keeps its number column empty (§4.2: the legacy
 * panel overloaded `number` with the slot code).
 */
import type { Updateable } from 'kysely';
import type { CardsTable } from '../../store/schema.ts';
import { placeKey } from '../../models/index.ts';
import { modelOf } from '../aggregators/aggregators.ts';
import { type AdminCtx, done, failed, isUniqueViolation, type Outcome } from '../auth/outcome.ts';

export interface CardInput {
  aggregatorId?: number;
  place?: string;
  number?: string | null;
  iccid?: string | null;
  operator?: string | null;
  balance?: number | null;
  title?: string;
  comment?: string;
  blocked?: boolean;
}

const NUMBER = /^\d{3,20}$/;
const ICCID = /^\d{10,22}[Ff]?$/;

/** Canonical place and its sort key on an aggregator, or a failure. */
export async function resolvePlace(ctx: AdminCtx, aggregatorId: number, text: string): Promise<Outcome<{ place: string; sort: number }>> {
  const a = await ctx.db.selectFrom('aggregators').select(['model', 'settings']).where('id', '=', aggregatorId).executeTakeFirst();
  if (!a) return failed('NOT_FOUND', `aggregator ${aggregatorId}`);
  const m = modelOf(a);
  if (!m) return failed('UNKNOWN_MODEL', `aggregator ${aggregatorId} has unknown model '${a.model}'`);
  const p = m.model.parsePlace(text, m.settings);
  if (!p.ok) return failed('BAD_PLACE', `'${text.slice(0, 20)}' is not a place of ${m.model.title}`);
  return done({ place: m.model.formatPlace(p.value), sort: placeKey(p.value) });
}

function fields(input: CardInput): Outcome<Updateable<CardsTable>> {
  const set: Updateable<CardsTable> = {};
  if (input.number !== undefined) {
    const n = input.number === null ? null : input.number.replace(/[\s()-]/g, '').replace(/^\+/, '');
    if (n !== null && n !== '' && !NUMBER.test(n)) return failed('VALIDATION', 'number: 3–20 digits');
    set.number = n === '' ? null : n;
  }
  if (input.iccid !== undefined) {
    if (input.iccid !== null && input.iccid !== '' && !ICCID.test(input.iccid)) return failed('VALIDATION', 'iccid: 10–22 digits');
    set.iccid = input.iccid === '' || input.iccid === null ? null : input.iccid.toUpperCase();
  }
  if (input.operator !== undefined) set.operator = input.operator === '' ? null : input.operator;
  if (input.balance !== undefined) set.balance = input.balance;
  if (input.title !== undefined) set.title = input.title;
  if (input.comment !== undefined) set.comment = input.comment;
  if (input.blocked !== undefined) set.blocked = input.blocked ? 1 : 0;
  return done(set);
}

export async function createCard(ctx: AdminCtx, input: CardInput & { aggregatorId: number; place: string }): Promise<Outcome<{ id: number }>> {
  const f = fields(input);
  if (!f.ok) return f;
  const p = await resolvePlace(ctx, input.aggregatorId, input.place);
  if (!p.ok) return p;
  const now = ctx.clock.now();
  try {
    const row = await ctx.db.insertInto('cards').values({
      ...f.value, aggregator_id: input.aggregatorId, place: p.value.place, place_sort: p.value.sort,
      balance_at: input.balance != null ? now : null, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return done({ id: row.id });
  } catch (err) {
    if (isUniqueViolation(err)) return failed('CONFLICT', 'a card with this number or at this place exists');
    throw err;
  }
}

/** Edits a card; `moved` tells the caller to refresh pool placement (domain/pools refreshPoolCardPlacement). */
export async function updateCard(ctx: AdminCtx, id: number, input: CardInput): Promise<Outcome<{ id: number; moved: boolean }>> {
  const cur = await ctx.db.selectFrom('cards').select(['aggregator_id', 'place', 'balance', 'balance_at']).where('id', '=', id).executeTakeFirst();
  if (!cur) return failed('NOT_FOUND', `card ${id}`);
  const f = fields(input);
  if (!f.ok) return f;
  const set = f.value;
  const now = ctx.clock.now();
  if (input.aggregatorId !== undefined || input.place !== undefined) {
    const p = await resolvePlace(ctx, input.aggregatorId ?? cur.aggregator_id, input.place ?? cur.place);
    if (!p.ok) return p;
    set.aggregator_id = input.aggregatorId ?? cur.aggregator_id;
    set.place = p.value.place;
    set.place_sort = p.value.sort;
  }
  if (input.balance !== undefined && input.balance !== cur.balance) {
    set.last_balance = cur.balance;
    set.last_balance_at = cur.balance_at;
    set.balance_at = now;
  }
  if (input.number !== undefined) set.number_at = now;
  set.updated_at = now;
  try {
    await ctx.db.updateTable('cards').set(set).where('id', '=', id).execute();
    return done({ id, moved: set.place_sort !== undefined });
  } catch (err) {
    if (isUniqueViolation(err)) return failed('CONFLICT', 'a card with this number or at this place exists');
    throw err;
  }
}

/** Deletes cards by id (their pool links, SMS and calls go with them); returns how many. */
export async function deleteCards(ctx: AdminCtx, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const r = await ctx.db.deleteFrom('cards').where('id', 'in', ids.slice(i, i + 500)).executeTakeFirst();
    n += Number(r.numDeletedRows);
  }
  return n;
}
