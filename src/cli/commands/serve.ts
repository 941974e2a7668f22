import { loadConfig } from '../../config/config.ts';
import { openMigratedStore, maskUrl } from '../../store/open-store.ts';
import type { Store } from '../../store/open-store.ts';
import { buildApp } from '../../http/app.ts';
import { ensureFirstAdmin } from '../../domain/users/users.ts';
import { createApiToken } from '../../domain/auth/api-tokens.ts';
import { realClock } from '../../lib/clock.ts';
import { prepareClusterNode } from '../../cluster/serve-node.ts';

export const summary = 'run the panel: pool API, device link, admin API, console';
export const usage = `usage: simnav serve [options]

Runs the panel in this process. Migrations are applied on start.

  --host HOST              address to listen on (env SIMNAV_HOST; default 127.0.0.1)
  --port PORT              port (env SIMNAV_PORT; default 8080)
  --db URL                 sqlite:<path> or postgres://user@host/db (env SIMNAV_DB; default sqlite:./data/simnav.db)
  --tz ZONE                time zone of the pool API's time fields (env SIMNAV_TZ; default the host's)
  --send-sms-timeout SEC   how long sendSms waits for the modem (env SIMNAV_SEND_SMS_TIMEOUT; default 60)
  --log-level LEVEL        fatal|error|warn|info|debug|trace|silent (env SIMNAV_LOG_LEVEL; default info)
  --demo                   also run the simulated demo fleet against this panel (env SIMNAV_DEMO=1)

Stops gracefully on SIGINT / SIGTERM (in-flight requests finish, then the database is closed).`;

interface Stoppable { stop(): Promise<void> }

/** `--demo`: the simulator's in-process demo fleet (src/sim/demo.ts), driven through our own admin API. */
async function startDemoFleet(store: Store, panelUrl: string): Promise<Stoppable> {
  const token = await createApiToken({ db: store.db, clock: realClock() }, { name: `demo ${new Date().toISOString().slice(0, 19)}`, role: 'admin' });
  if (!token.ok) throw new Error(`demo: cannot create an API token: ${token.error.message}`);
  const { startDemo } = await import('../../sim/demo.ts');
  const r = await startDemo({ panelUrl, adminToken: token.value.token });
  if (!r.ok) throw new Error(`demo: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export async function run(args: string[]): Promise<number> {
  const cfg = loadConfig(args, process.env);
  if (!cfg.ok) { process.stderr.write(`simnav serve: ${cfg.error.message}\n`); return 2; }
  const c = cfg.value;
  let store: Store;
  try {
    store = await openMigratedStore(c.db);
  } catch (e) {
    process.stderr.write(`simnav serve: cannot open ${maskUrl(c.db)}: ${(e as Error).message}\n`);
    return 1;
  }
  const cluster = prepareClusterNode({ store, databaseUrl: c.db, host: c.host, port: c.port, env: process.env });
  if (!cluster.ok) { process.stderr.write(`simnav serve: ${cluster.error.message}\n`); await store.close(); return 2; }
  const app = await buildApp({ store, timeZone: c.timeZone, sendSmsTimeoutMs: c.sendSmsTimeoutMs, logLevel: c.logLevel === 'silent' ? false : c.logLevel, deviceRuntime: true, ...cluster.value.appDeps });
  const node = await cluster.value.start(app.deviceRuntime, app.log, app.simnav.pools);
  await ensureFirstAdmin(store, app.log);
  let address: string;
  try {
    address = await app.listen({ host: c.host, port: c.port });
  } catch (e) {
    process.stderr.write(`simnav serve: cannot listen on ${c.host}:${c.port}: ${(e as Error).message}\n`);
    await node.stop();
    await app.close();
    await store.close();
    return 1;
  }
  process.stdout.write(`simnav: listening on ${address} (database ${store.label}, ${store.dialect})\n`);
  let demo: Stoppable | null = null;
  if (c.demo) {
    try { demo = await startDemoFleet(store, `${address}/`); } catch (e) {
      process.stderr.write(`simnav serve: ${(e as Error).message}\n`);
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      void (async () => {
        try {
          await demo?.stop();
          await node.stop();
          await app.close();
          await store.close();
          resolve(0);
        } catch (e) {
          process.stderr.write(`simnav serve: shutdown: ${(e as Error).message}\n`);
          resolve(1);
        }
      })();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
