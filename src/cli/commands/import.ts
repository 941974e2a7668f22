import { parseFlags } from '../../config/config.ts';
import { realClock } from '../../lib/clock.ts';
import { openMigratedStore } from '../../store/open-store.ts';
import { importLegacy } from '../../import/legacy/import-legacy.ts';
import { openMysqlSource } from '../../import/legacy/legacy-source.ts';
import { formatReport } from '../../import/legacy/report.ts';

export const summary = 'import a legacy SR-Navigator MySQL/MariaDB database';
export const usage = `usage: simnav import mysql://user:pass@host[:port]/database [--db URL] [--dry-run] [--json]

Brings over aggregators (with their link tokens: devices keep working), model and settings,
operator profiles, SR-Nano disks, cards (places in canonical notation), pools (with their keys:
API clients keep working) and membership, SMS and calls, then prints what was imported and what
was skipped and why. Running it again changes nothing.
  --db URL    simnav database: sqlite:<path> or postgres://… (env SIMNAV_DB; default sqlite:./data/simnav.db)
  --dry-run   do everything in a transaction, print the report, roll back
  --json      print the report as JSON

exit codes: 0 imported, 1 import failed (nothing written), 2 bad arguments or unreachable database`;

export async function run(args: string[]): Promise<number> {
  const p = parseFlags(args, ['dry-run', 'json']);
  const fail = (msg: string, code = 2) => { process.stderr.write(`simnav import: ${msg}\n`); return code; };
  if (p.error) return fail(p.error);
  for (const k of p.flags.keys()) if (!['db', 'dry-run', 'json'].includes(k)) return fail(`unknown option --${k}`);
  if (p.rest.length !== 1) return fail('expected exactly one mysql://… URL (see --help)');
  const dbUrl = p.flags.get('db') ?? (process.env.SIMNAV_DB || 'sqlite:./data/simnav.db');

  const source = await openMysqlSource(p.rest[0]!);
  if (!source.ok) return fail(`${source.error.code}: ${source.error.message}`);
  let store;
  try { store = await openMigratedStore(dbUrl); } catch (e) {
    await source.value.close();
    return fail(`cannot open ${dbUrl.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@')}: ${(e as Error).message}`);
  }
  try {
    const r = await importLegacy(source.value, store, { clock: realClock(), dryRun: p.flags.has('dry-run') });
    if (!r.ok) return fail(`${r.error.code}: ${r.error.message}`, 1);
    process.stdout.write((p.flags.has('json') ? JSON.stringify(r.value, null, 2) : formatReport(r.value)) + '\n');
    return 0;
  } finally {
    await source.value.close();
    await store.close();
  }
}
