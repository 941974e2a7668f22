/**
 * CSV import and export of the SIM inventory in the legacy layout (panel-features.md §2.6).
 * Import: the aggregator is the one forced by the caller, else the row's id, else the first
 * aggregator of the row's model; places are parsed by the model; rows are upserted by phone
 * number, otherwise by aggregator + place. All rows go in one transaction: a file is applied
 * whole or, on a database failure, not at all. Bad rows are skipped and reported by line.
 */
import type { Insertable, Kysely } from 'kysely';
import type { CardsTable, Db } from '../../store/schema.ts';
import { getModel, placeKey } from '../../models/index.ts';
import { modelOf } from '../aggregators/aggregators.ts';
import { type AdminCtx, done, failed, type Outcome } from '../auth/outcome.ts';
import type { Principal } from '../auth/principal.ts';
import { type CardCsvRow, type CardCsvField, formatCardCsv, parseCardCsv } from './csv/card-csv.ts';
import { decodeUpload, encodeCp1251, type TextEncodingName } from './csv/cp1251.ts';
import type { DelimitedError, DelimitedLimits } from './csv/delimited.ts';
import { type CardFilter, type CardPage, listCards } from './card-query.ts';

export interface ImportRowError { line: number; code: 'CSV_BAD_FIELD' | 'CSV_NO_AGGREGATOR' | 'CSV_BAD_PLACE' | 'CSV_PLACE_TAKEN'; field: CardCsvField }

export interface ImportReport {
  encoding: TextEncodingName;
  rows: number;
  inserted: number;
  updated: number;
  skipped: number;
  /** The first 100 row errors. */
  errors: ImportRowError[];
}

export const IMPORT_LIMITS: DelimitedLimits = { maxRows: 100_000, maxCellChars: 1024 };
const MAX_REPORTED_ERRORS = 100;

interface AggInfo { id: number; parse: (text: string) => { place: string; sort: number } | null }

async function aggregatorResolver(db: Kysely<Db>): Promise<{ byId: (id: number) => AggInfo | undefined; byModel: (m: string) => AggInfo | undefined }> {
  const rows = await db.selectFrom('aggregators').select(['id', 'model', 'settings']).orderBy('id').execute();
  const infos = new Map<number, AggInfo & { model: string }>();
  for (const a of rows) {
    const m = modelOf(a);
    if (!m) continue;
    infos.set(a.id, {
      id: a.id, model: m.model.title,
      parse: (text) => {
        const p = m.model.parsePlace(text, m.settings);
        return p.ok ? { place: m.model.formatPlace(p.value), sort: placeKey(p.value) } : null;
      },
    });
  }
  return {
    byId: (id) => infos.get(id),
    byModel: (name) => {
      const title = getModel(name)?.title;
      return title === undefined ? undefined : [...infos.values()].find((i) => i.model === title);
    },
  };
}

/**
 * Imports an uploaded file (bytes in UTF-8 or CP1251). `aggregatorId` forces every row onto one
 * aggregator. Only an unscoped principal may import (the inventory is global).
 */
export async function importCardsCsv(
  ctx: AdminCtx, bytes: Uint8Array, opts: { aggregatorId?: number } = {},
): Promise<Outcome<{ report: ImportReport; updatedIds: number[] }> | { ok: false; error: { code: 'CSV_INVALID'; csv: DelimitedError } }> {
  const { encoding, text } = decodeUpload(bytes);
  const parsed = parseCardCsv(text, IMPORT_LIMITS);
  if (!parsed.ok) return { ok: false, error: { code: 'CSV_INVALID', csv: parsed.error } };
  if (opts.aggregatorId !== undefined) {
    const a = await ctx.db.selectFrom('aggregators').select('id').where('id', '=', opts.aggregatorId).executeTakeFirst();
    if (!a) return failed('NOT_FOUND', `aggregator ${opts.aggregatorId}`);
  }
  const errors: ImportRowError[] = parsed.value.errors.map((e) => ({ line: e.line, code: e.code, field: e.field }));
  let inserted = 0;
  const updatedIds: number[] = [];
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    const aggs = await aggregatorResolver(tx);
    // Every existing card, indexed by number and by aggregator+place: one read instead of two
    // queries per row. Rows inserted by this file are indexed too (id null, `pending` index), so a
    // number or place repeated later in the file updates that row instead of colliding.
    interface Known { id: number | null; pending: number; number: string | null; key: string; balance: number | null; balanceAt: number | null }
    const byNumber = new Map<string, Known>();
    const byPlace = new Map<string, Known>();
    for (const c of await tx.selectFrom('cards').select(['id', 'aggregator_id', 'place', 'number', 'balance', 'balance_at']).execute()) {
      const k: Known = { id: c.id, pending: -1, number: c.number, key: `${c.aggregator_id}|${c.place}`, balance: c.balance, balanceAt: c.balance_at };
      byPlace.set(k.key, k);
      if (c.number !== null) byNumber.set(c.number, k);
    }
    const inserts: Insertable<CardsTable>[] = [];
    for (const { line, row } of parsed.value.rows) {
      const agg = opts.aggregatorId !== undefined ? aggs.byId(opts.aggregatorId)
        : (row.aggregatorId !== null ? aggs.byId(row.aggregatorId) : undefined) ?? aggs.byModel(row.model);
      if (!agg) { errors.push({ line, code: 'CSV_NO_AGGREGATOR', field: 'aggregator' }); continue; }
      const place = agg.parse(row.place);
      if (!place) { errors.push({ line, code: 'CSV_BAD_PLACE', field: 'place' }); continue; }
      const key = `${agg.id}|${place.place}`;
      const viaNumber = row.number === null ? undefined : byNumber.get(row.number);
      const atPlace = byPlace.get(key);
      if (viaNumber && atPlace && atPlace !== viaNumber) { errors.push({ line, code: 'CSV_PLACE_TAKEN', field: 'place' }); continue; }
      const target = viaNumber ?? atPlace;
      const number = row.number !== null ? row.number : row.blocked ? null : target?.number ?? null;
      const values = {
        aggregator_id: agg.id, place: place.place, place_sort: place.sort, iccid: row.iccid, operator: row.operator,
        title: row.title ?? '', comment: row.comment ?? '', blocked: row.blocked ? 1 : 0, updated_at: now, number,
      };
      const balanceAt = row.updatedAt ?? now;
      let k: Known;
      if (target && target.id !== null) {
        const balance = row.balance === null || row.balance === target.balance ? {} : {
          balance: row.balance, balance_at: balanceAt, last_balance: target.balance, last_balance_at: target.balanceAt,
        };
        await tx.updateTable('cards').set({ ...values, ...balance }).where('id', '=', target.id).execute();
        updatedIds.push(target.id);
        k = target;
      } else if (target) {
        const prev = inserts[target.pending]!;
        inserts[target.pending] = { ...prev, ...values, ...(row.balance === null ? {} : { balance: row.balance, balance_at: balanceAt }) };
        k = target;
      } else {
        inserts.push({ ...values, balance: row.balance, balance_at: row.balance === null ? null : balanceAt, created_at: now });
        k = { id: null, pending: inserts.length - 1, number: null, key, balance: null, balanceAt: null };
      }
      if (row.balance !== null) { k.balance = row.balance; k.balanceAt = balanceAt; }
      if (k.key !== key) { byPlace.delete(k.key); k.key = key; }
      byPlace.set(key, k);
      if (k.number !== number) { if (k.number !== null) byNumber.delete(k.number); k.number = number; }
      if (number !== null) byNumber.set(number, k);
    }
    for (let i = 0; i < inserts.length; i += 200) await tx.insertInto('cards').values(inserts.slice(i, i + 200)).execute();
    inserted = inserts.length;
  });
  errors.sort((a, b) => a.line - b.line);
  const report: ImportReport = {
    encoding, rows: parsed.value.rows.length + parsed.value.errors.length, inserted, updated: updatedIds.length,
    skipped: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS),
  };
  return done({ report, updatedIds });
}

/** Most cards one export writes. */
export const EXPORT_MAX = 200_000;

/** The inventory (filtered and sorted as listed) as a CSV file in the chosen encoding. */
export async function exportCardsCsv(
  ctx: AdminCtx, who: Principal, f: CardFilter, sort: Pick<CardPage, 'sort' | 'desc'>, encoding: TextEncodingName,
): Promise<Outcome<Uint8Array>> {
  const list = await listCards(ctx, who, f, { ...sort, limit: EXPORT_MAX, offset: 0 });
  if (!list.ok) return list;
  const rows: CardCsvRow[] = list.value.items.map((c) => ({
    model: c.model, aggregatorId: c.aggregatorId, iccid: c.iccid, number: c.number, blocked: c.blocked, place: c.place,
    balance: c.balance, operator: c.operator, updatedAt: c.updatedAt, title: c.title === '' ? null : c.title, comment: c.comment === '' ? null : c.comment,
  }));
  const text = formatCardCsv(rows);
  return done(encoding === 'windows-1251' ? encodeCp1251(text) : new TextEncoder().encode('\uFEFF' + text));
}
