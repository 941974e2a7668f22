import { openStore, migrateToLatest } from '../../store/open-store.ts';
import { loadConfig } from '../../config/config.ts';

export const summary = 'apply pending database migrations';
export const usage = `usage: simnav migrate [--db URL]

Applies every pending migration to the database and exits.
  --db URL   sqlite:<path> or postgres://user@host/db (env SIMNAV_DB; default sqlite:./data/simnav.db)`;

export async function run(args: string[]): Promise<number> {
  const cfg = loadConfig(args, process.env);
  if (!cfg.ok) { process.stderr.write(`simnav migrate: ${cfg.error.message}\n`); return 2; }
  let store;
  try { store = await openStore(cfg.value.db); } catch (e) {
    process.stderr.write(`simnav migrate: ${(e as Error).message}\n`); return 2;
  }
  try {
    const r = await migrateToLatest(store);
    for (const m of r.results ?? []) process.stdout.write(`${m.status.padEnd(11)} ${m.migrationName}\n`);
    if (r.error) { process.stderr.write(`simnav migrate: ${String(r.error)}\n`); return 1; }
    if ((r.results ?? []).length === 0) process.stdout.write('up to date\n');
    return 0;
  } finally { await store.close(); }
}
