import { readFileSync, statSync } from 'node:fs';
import { parseFlags } from '../../config/config.ts';
import { openMigratedStore } from '../../store/open-store.ts';
import { realClock } from '../../lib/clock.ts';
import { importCardsCsv } from '../../domain/inventory/card-import.ts';
import { createPoolService } from '../../domain/pools/service.ts';
import { writeAudit } from '../../domain/audit/audit.ts';

export const summary = 'import SIM cards from a legacy CSV file (UTF-8 or CP1251)';
export const usage = `usage: simnav import-csv FILE [--aggregator ID] [--db URL]

Imports cards in the legacy SR-Navigator layout: model; aggregator id; ICCID; number; P:place;
balance; operator; dd.mm.yyyy hh:mm:ss; title; comment — separated by tab, ';' or ','; the first
line is a header. UTF-8 and Windows-1251 are detected. Cards are matched by number, otherwise by
aggregator and place; the aggregator is --aggregator, else the row's id, else the first of its model.
Prints how many rows were inserted, updated and skipped (with the first errors by line).
  --db URL   sqlite:<path> or postgres://… (env SIMNAV_DB; default sqlite:./data/simnav.db)`;

/** Largest file accepted (as the admin API). */
const MAX_BYTES = 20 * 1024 * 1024;

export async function run(args: string[]): Promise<number> {
  const p = parseFlags(args, []);
  const err = (m: string) => { process.stderr.write(`simnav import-csv: ${m}\n`); return 2; };
  if (p.error) return err(p.error);
  for (const k of p.flags.keys()) if (!['aggregator', 'db'].includes(k)) return err(`unknown option --${k}`);
  const [file, extra] = p.rest;
  if (!file || extra !== undefined) return err(`expected one FILE\n\n${usage}`);
  const agg = p.flags.get('aggregator');
  if (agg !== undefined && !/^\d{1,9}$/.test(agg)) return err('--aggregator: an aggregator id');
  let bytes: Uint8Array;
  try {
    if (statSync(file).size > MAX_BYTES) return err(`${file} is larger than 20 MB`);
    bytes = readFileSync(file);
  } catch (e) { return err(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }

  let store;
  try { store = await openMigratedStore(p.flags.get('db') ?? process.env.SIMNAV_DB ?? 'sqlite:./data/simnav.db'); } catch (e) {
    process.stderr.write(`simnav import-csv: ${(e as Error).message}\n`); return 2;
  }
  const ctx = { db: store.db, clock: realClock() };
  try {
    const r = await importCardsCsv(ctx, bytes, agg !== undefined ? { aggregatorId: Number(agg) } : {});
    if (!r.ok) {
      const e = r.error as { code: string; message?: string; csv?: { code: string; line: number } };
      process.stderr.write(`simnav import-csv: ${e.csv ? `line ${e.csv.line}: ${e.csv.code}` : `${e.code} ${e.message ?? ''}`}\n`);
      return 1;
    }
    const { report, updatedIds } = r.value;
    await createPoolService({ store, clock: ctx.clock }).refreshPlacement(updatedIds);
    await writeAudit(ctx, { actor: 'system:cli', action: 'card.import', details: { rows: report.rows, inserted: report.inserted, updated: report.updated, skipped: report.skipped, encoding: report.encoding } });
    process.stdout.write(`${report.encoding}: ${report.rows} rows, ${report.inserted} inserted, ${report.updated} updated, ${report.skipped} skipped\n`);
    for (const e of report.errors) process.stdout.write(`  line ${e.line}: ${e.code} (${e.field})\n`);
    return report.skipped > 0 ? 1 : 0;
  } finally { await store.close(); }
}
