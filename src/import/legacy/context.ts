/**
 * What the import steps share: the open transaction, the report being filled, the legacy tables
 * read once, and the id maps one step leaves for the next (legacy id → simnav id).
 */
import type { Kysely } from 'kysely';
import type { Db } from '../../store/schema.ts';
import type { ModelDescriptor, ResolvedSettings } from '../../models/index.ts';
import type { LegacyTable, RawValue } from './legacy-source.ts';
import { RowReader } from './legacy-source.ts';
import type { Entity, ImportReport, SkipReason } from './report.ts';

export type Row = ReadonlyMap<string, RawValue>;

export interface ImportedAggregator {
  readonly id: number;
  readonly model: ModelDescriptor;
  readonly settings: ResolvedSettings;
}

export interface ImportedCard {
  readonly id: number;
  readonly aggregatorId: number;
  readonly placeSort: number;
  /** Digits of the number simnav stored for it (null: none or blocked). */
  readonly number: string | null;
}

export interface StepContext {
  readonly tx: Kysely<Db>;
  readonly now: number;
  readonly report: ImportReport;
  /** Legacy tables by name (absent when the database lacks the table). */
  readonly tables: ReadonlyMap<string, LegacyTable>;
  readonly folders: Map<number, number>;
  readonly aggregators: Map<number, ImportedAggregator>;
  readonly cards: Map<number, ImportedCard>;
  /** Legacy `cards.number` exactly as stored → legacy card ids (pools and SMS link by number). */
  readonly cardsByLegacyNumber: Map<string, number[]>;
  /** Phone digits → legacy card ids. */
  readonly cardsByDigits: Map<string, number[]>;
  readonly pools: Map<number, number>;
  /** `aggregatorId:place` of the cards met in this run (a second legacy row for a slot is skipped). */
  readonly cardPlaces: Set<string>;
}

export function reader(ctx: StepContext, table: string): { t: LegacyTable; r: RowReader } | undefined {
  const t = ctx.tables.get(table);
  if (!t) return undefined;
  return {
    t,
    r: new RowReader(t, (tbl, col, repair) => {
      const key = `${tbl}.${col} ${repair}`;
      ctx.report.charsetRepairs[key] = (ctx.report.charsetRepairs[key] ?? 0) + 1;
    }),
  };
}

export function skip(ctx: StepContext, entity: Entity, legacyId: string | number | undefined, reason: SkipReason, detail: string): void {
  ctx.report.counts[entity].skipped++;
  ctx.report.skipped.push({ entity, legacyId: String(legacyId ?? '?'), reason, detail });
}

export function warn(ctx: StepContext, entity: Entity, legacyId: string | number | undefined, detail: string): void {
  ctx.report.warnings.push({ entity, legacyId: String(legacyId ?? '?'), detail });
}

/** Rows per multi-row INSERT / per IN list (well below SQLite's and PostgreSQL's parameter limits). */
export const BATCH = 400;

export function chunks<T>(list: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}
