import { writeFileSync } from 'node:fs';
import { parseFlags } from '../../config/config.ts';
import { openMigratedStore } from '../../store/open-store.ts';
import { realClock } from '../../lib/clock.ts';
import { exportCardsCsv } from '../../domain/inventory/card-import.ts';
import { parseFilter } from './pool.ts';
import type { Principal } from '../../domain/auth/principal.ts';

export const summary = 'export SIM cards as a legacy CSV file (UTF-8 or CP1251)';
export const usage = `usage: simnav export-csv [FILE] [--encoding utf-8|windows-1251] [--filter QUERY] [--db URL]

Writes the inventory in the legacy SR-Navigator layout (';'-separated, header line, cells that a
spreadsheet would run as formulas prefixed with an apostrophe) to FILE, or to standard output.
--filter takes the admin API's card filters as a query string, e.g. 'operator=MTS&placePrefix=A'.
  --db URL   sqlite:<path> or postgres://… (env SIMNAV_DB; default sqlite:./data/simnav.db)`;

const CLI: Principal = { kind: 'user', id: 0, userId: null, name: 'cli', role: 'admin', poolScope: null, actor: 'system:cli' };

export async function run(args: string[]): Promise<number> {
  const p = parseFlags(args, []);
  const err = (m: string) => { process.stderr.write(`simnav export-csv: ${m}\n`); return 2; };
  if (p.error) return err(p.error);
  for (const k of p.flags.keys()) if (!['encoding', 'filter', 'db'].includes(k)) return err(`unknown option --${k}`);
  if (p.rest.length > 1) return err(`unexpected argument '${p.rest[1]}'`);
  const encoding = p.flags.get('encoding') ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'windows-1251') return err('--encoding: utf-8 or windows-1251');
  const filter = parseFilter(p.flags.get('filter') ?? '');
  if (typeof filter === 'string') return err(`--filter: ${filter}`);

  let store;
  try { store = await openMigratedStore(p.flags.get('db') ?? process.env.SIMNAV_DB ?? 'sqlite:./data/simnav.db'); } catch (e) {
    process.stderr.write(`simnav export-csv: ${(e as Error).message}\n`); return 2;
  }
  try {
    const r = await exportCardsCsv({ db: store.db, clock: realClock() }, CLI, filter, { sort: 'place', desc: false }, encoding);
    if (!r.ok) { process.stderr.write(`simnav export-csv: ${r.error.code} ${r.error.message ?? ''}\n`); return 1; }
    const file = p.rest[0];
    if (file) writeFileSync(file, r.value); else process.stdout.write(r.value);
    return 0;
  } finally { await store.close(); }
}
