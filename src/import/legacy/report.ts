/**
 * The import report: per kind of record how many were read, imported, already present (a second
 * run finds everything present), updated or skipped — and for each skip the reason, as a code.
 */

export const ENTITIES = ['operators', 'networkNames', 'disks', 'diskCards', 'aggregators', 'cards', 'pools', 'poolCards', 'sms', 'calls'] as const;
export type Entity = (typeof ENTITIES)[number];

export type SkipReason =
  | 'UNKNOWN_MODEL'          // devices.model is not an SR model we know
  | 'NO_LINK_TOKEN'          // devices.token_remote empty or not a token a device can send
  | 'TOKEN_TAKEN'            // another aggregator already has this token (not the same device)
  | 'NO_AGGREGATOR'          // card of a device that was not imported
  | 'BAD_PLACE'              // place not in the model's notation (or out of its layout)
  | 'DUPLICATE_PLACE'        // a second legacy row for the same slot
  | 'DUPLICATE'              // a second legacy row with the same natural key (operator title)
  | 'NO_KEY'                 // pool without a usable key
  | 'TITLE_TAKEN'            // another pool (other key) already has the title
  | 'NO_POOL'                // membership row of a pool that was not imported
  | 'NO_CARD'                // membership/SMS/call whose SIM cannot be found
  | 'AMBIGUOUS_CARD'         // a number that names several cards
  | 'NO_DISK'                // archived card of a disk that was not imported
  | 'DISK_SWAP_IN_PROGRESS'  // cards2folder row with a negative (temporary) folder id
  | 'BAD_MULTIPART'          // unmerged SMS part whose header cannot be read
  | 'NO_TIME'                // SMS/call without any usable time
  | 'EMPTY';                 // nothing to import (blank name, title, …)

export interface Skip { readonly entity: Entity; readonly legacyId: string; readonly reason: SkipReason; readonly detail: string }
export interface Warning { readonly entity: Entity; readonly legacyId: string; readonly detail: string }

export interface EntityCount { read: number; imported: number; present: number; updated: number; skipped: number }

export interface ImportReport {
  readonly source: string;
  readonly dryRun: boolean;
  readonly schema: {
    /** `may-2021`: has `card2pool.done` / `modems.row…`; `sept-2021`: the later install schema. */
    shape: 'may-2021' | 'sept-2021';
    missingTables: string[];
    /** `table.column` the importer would read that this database lacks (defaults were used). */
    missingColumns: string[];
    /** `table.column` this database has that the importer does not know (ignored). */
    extraColumns: string[];
    /** Tables this database has that the importer does not know (ignored). */
    extraTables: string[];
  };
  readonly counts: Record<Entity, EntityCount>;
  readonly skipped: Skip[];
  readonly warnings: Warning[];
  /** `table.column repair` → how many values were re-decoded (legacy-text.ts). */
  readonly charsetRepairs: Record<string, number>;
  /** Legacy tables deliberately not carried over, with why. */
  readonly notImported: Record<string, string>;
}

export function emptyCounts(): Record<Entity, EntityCount> {
  const out = {} as Record<Entity, EntityCount>;
  for (const e of ENTITIES) out[e] = { read: 0, imported: 0, present: 0, updated: 0, skipped: 0 };
  return out;
}

/** Most skip/warning lines printed per reason (the report object keeps them all). */
const PRINT_LIMIT = 20;

/** The report as text for the terminal. */
export function formatReport(r: ImportReport): string {
  const lines: string[] = [];
  lines.push(`${r.dryRun ? 'DRY RUN (nothing written) — ' : ''}import from ${r.source} (${r.schema.shape} schema)`);
  if (r.schema.missingTables.length) lines.push(`missing tables (nothing to import): ${r.schema.missingTables.join(', ')}`);
  if (r.schema.missingColumns.length) lines.push(`missing columns (defaults used): ${r.schema.missingColumns.join(', ')}`);
  if (r.schema.extraColumns.length) lines.push(`unknown columns (ignored): ${r.schema.extraColumns.join(', ')}`);
  if (r.schema.extraTables.length) lines.push(`unknown tables (ignored): ${r.schema.extraTables.join(', ')}`);
  lines.push('', `${'what'.padEnd(14)} ${'read'.padStart(7)} ${'imported'.padStart(9)} ${'present'.padStart(8)} ${'updated'.padStart(8)} ${'skipped'.padStart(8)}`);
  for (const e of ENTITIES) {
    const c = r.counts[e];
    lines.push(`${e.padEnd(14)} ${String(c.read).padStart(7)} ${String(c.imported).padStart(9)} ${String(c.present).padStart(8)} ${String(c.updated).padStart(8)} ${String(c.skipped).padStart(8)}`);
  }
  if (r.skipped.length) {
    lines.push('', 'skipped:');
    const byReason = new Map<string, Skip[]>();
    for (const s of r.skipped) byReason.set(`${s.entity} ${s.reason}`, [...(byReason.get(`${s.entity} ${s.reason}`) ?? []), s]);
    for (const [key, list] of byReason) {
      lines.push(`  ${key} (${list.length})`);
      for (const s of list.slice(0, PRINT_LIMIT)) lines.push(`    #${s.legacyId}: ${s.detail}`);
      if (list.length > PRINT_LIMIT) lines.push(`    … ${list.length - PRINT_LIMIT} more`);
    }
  }
  if (r.warnings.length) {
    lines.push('', 'warnings:');
    for (const w of r.warnings.slice(0, PRINT_LIMIT * 5)) lines.push(`  ${w.entity} #${w.legacyId}: ${w.detail}`);
    if (r.warnings.length > PRINT_LIMIT * 5) lines.push(`  … ${r.warnings.length - PRINT_LIMIT * 5} more`);
  }
  const repairs = Object.entries(r.charsetRepairs);
  if (repairs.length) {
    lines.push('', 'text re-decoded (charset quirks):');
    for (const [k, n] of repairs) lines.push(`  ${k}: ${n}`);
  }
  const skippedTables = Object.entries(r.notImported);
  if (skippedTables.length) {
    lines.push('', 'not imported:');
    for (const [t, why] of skippedTables) lines.push(`  ${t}: ${why}`);
  }
  return lines.join('\n');
}
