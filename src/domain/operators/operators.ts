/**
 * Operator profiles (panel-features.md §2.5): title, the network names that identify the operator,
 * country prefix, how to learn the number and the balance (USSD code, `|` separating menu steps,
 * or an SMS request), and a colour. Network names are stored upper-case.
 */
import type { Selectable, Updateable } from 'kysely';
import type { OperatorsTable } from '../../store/schema.ts';
import { type AdminCtx, done, failed, type Outcome } from '../auth/outcome.ts';
import { parseNames } from '../inventory/card-query.ts';

export const METHODS = ['ussd', 'sms', 'none'] as const;
export type Method = (typeof METHODS)[number];

export interface OperatorView {
  id: number; title: string; names: string[]; countryPrefix: string;
  numberMethod: Method; numberCode: string; balanceMethod: Method; balanceCode: string; color: string;
  createdAt: number; updatedAt: number;
}

export interface OperatorInput {
  title?: string; names?: string[]; countryPrefix?: string;
  numberMethod?: Method; numberCode?: string; balanceMethod?: Method; balanceCode?: string; color?: string;
}

function view(o: Selectable<OperatorsTable>): OperatorView {
  const m = (x: string): Method => ((METHODS as readonly string[]).includes(x) ? x as Method : 'none');
  return {
    id: o.id, title: o.title, names: parseNames(o.names), countryPrefix: o.country_prefix,
    numberMethod: m(o.number_method), numberCode: o.number_code, balanceMethod: m(o.balance_method), balanceCode: o.balance_code,
    color: o.color, createdAt: o.created_at, updatedAt: o.updated_at,
  };
}

/** USSD / SMS request codes: digits, * # | + and letters for SMS keywords; short. */
const CODE = /^[\p{L}\p{N}*#|+ ]{0,64}$/u;

function fields(i: OperatorInput): Outcome<Updateable<OperatorsTable>> {
  const set: Updateable<OperatorsTable> = {};
  if (i.title !== undefined) {
    if (i.title.trim() === '' || i.title.length > 64) return failed('VALIDATION', 'title: 1–64 characters');
    set.title = i.title.trim();
  }
  if (i.names !== undefined) {
    const names = [...new Set(i.names.map((n) => n.trim().toUpperCase()).filter((n) => n !== ''))];
    if (names.length > 50 || names.some((n) => n.length > 64)) return failed('VALIDATION', 'names: at most 50 names of 64 characters');
    set.names = JSON.stringify(names);
  }
  if (i.countryPrefix !== undefined) {
    if (!/^\d{0,4}$/.test(i.countryPrefix)) return failed('VALIDATION', 'countryPrefix: up to 4 digits');
    set.country_prefix = i.countryPrefix;
  }
  for (const [k, col] of [['numberCode', 'number_code'], ['balanceCode', 'balance_code']] as const) {
    const v = i[k];
    if (v === undefined) continue;
    if (!CODE.test(v)) return failed('VALIDATION', `${k}: USSD code or SMS keyword, up to 64 characters`);
    set[col] = v;
  }
  if (i.numberMethod !== undefined) set.number_method = i.numberMethod;
  if (i.balanceMethod !== undefined) set.balance_method = i.balanceMethod;
  if (i.color !== undefined) {
    if (!/^#[0-9a-fA-F]{6}$/.test(i.color)) return failed('VALIDATION', 'color: #rrggbb');
    set.color = i.color.toLowerCase();
  }
  return done(set);
}

export async function listOperators(ctx: AdminCtx): Promise<OperatorView[]> {
  return (await ctx.db.selectFrom('operators').selectAll().orderBy('title').orderBy('id').execute()).map(view);
}

export async function getOperator(ctx: AdminCtx, id: number): Promise<Outcome<OperatorView>> {
  const row = await ctx.db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? done(view(row)) : failed('NOT_FOUND', `operator ${id}`);
}

export async function createOperator(ctx: AdminCtx, input: OperatorInput & { title: string }): Promise<Outcome<OperatorView>> {
  const f = fields(input);
  if (!f.ok) return f;
  const now = ctx.clock.now();
  const row = await ctx.db.insertInto('operators').values({ ...f.value, title: f.value.title!, created_at: now, updated_at: now })
    .returningAll().executeTakeFirstOrThrow();
  return done(view(row));
}

export async function updateOperator(ctx: AdminCtx, id: number, input: OperatorInput): Promise<Outcome<OperatorView>> {
  const f = fields(input);
  if (!f.ok) return f;
  const row = await ctx.db.updateTable('operators').set({ ...f.value, updated_at: ctx.clock.now() }).where('id', '=', id)
    .returningAll().executeTakeFirst();
  return row ? done(view(row)) : failed('NOT_FOUND', `operator ${id}`);
}

export async function deleteOperator(ctx: AdminCtx, id: number): Promise<Outcome<OperatorView>> {
  const row = await ctx.db.deleteFrom('operators').where('id', '=', id).returningAll().executeTakeFirst();
  return row ? done(view(row)) : failed('NOT_FOUND', `operator ${id}`);
}

/** Network names seen while scanning (the operator editor's picker). */
export async function listNetworkNames(ctx: AdminCtx): Promise<string[]> {
  return (await ctx.db.selectFrom('network_names').select('name').orderBy('name').execute()).map((r) => r.name);
}
