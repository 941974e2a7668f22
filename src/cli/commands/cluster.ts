/**
 * `simnav cluster status`: the nodes sharing this database and what each holds (aggregator
 * sessions, singleton jobs), from the `nodes` and `leases` tables (src/cluster/README.md).
 */
import { loadConfig } from '../../config/config.ts';
import { openStore } from '../../store/open-store.ts';
import { clusterStatus, formatClusterStatus } from '../../cluster/status.ts';

export const summary = 'show the nodes of a cluster and the aggregators each holds';
export const usage = `usage: simnav cluster status [--db URL] [--json]

Shows every node sharing the database (address, start, last heartbeat, alive or dead), the
aggregator sessions and singleton jobs each one holds, and leases nobody holds (expired).
  --db URL   postgres://user@host/db (env SIMNAV_DB); on SQLite there is a single node
  --json     machine-readable output`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'status') { process.stderr.write(`simnav cluster: expected 'status'\n\n${usage}\n`); return 2; }
  const json = rest.includes('--json');
  const cfg = loadConfig(rest.filter((a) => a !== '--json'), process.env);
  if (!cfg.ok) { process.stderr.write(`simnav cluster: ${cfg.error.message}\n`); return 2; }
  let store;
  try { store = await openStore(cfg.value.db); } catch (e) {
    process.stderr.write(`simnav cluster: ${(e as Error).message}\n`); return 2;
  }
  try {
    const status = await clusterStatus(store, Date.now());
    process.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatClusterStatus(status));
    return 0;
  } catch (e) {
    process.stderr.write(`simnav cluster: cannot read the cluster tables: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
