/**
 * One-command migration from a legacy SR-Navigator database (issue #7 item 3; panel-features.md
 * §1 and §5.1 item 4): aggregators with their link tokens, model and settings, operator profiles,
 * SR-Nano disks, cards, pools with their keys and membership, SMS and calls.
 *
 *   const src = await openMysqlSource('mysql://root@127.0.0.1/srnav');   // legacy-source.ts
 *   const r = await importLegacy(src.value, store, { clock, dryRun: false });
 *   if (r.ok) console.log(formatReport(r.value));                       // report.ts
 *
 * The legacy shape is never assumed: the tables and columns present are read from
 * information_schema, absent ones count as defaults and are listed in the report, unknown ones are
 * ignored and listed too (§1.6 schema drift). Everything is written in one transaction (a dry run
 * rolls it back), and every record is found again by a natural key, so a second run changes nothing.
 */
import type { Clock } from '../../lib/clock.ts';
import type { Store } from '../../store/open-store.ts';
import type { LegacySource, LegacyTable } from './legacy-source.ts';
import { emptyCounts } from './report.ts';
import type { ImportReport } from './report.ts';
import type { StepContext } from './context.ts';
import { importAggregatorsAndCards, importDiskCards, importDisks, importOperators } from './steps-inventory.ts';
import { importPoolCards, importPools } from './steps-pools.ts';
import { importCalls, importSms } from './steps-messages.ts';

/**
 * The columns read per table. `driftOnly` columns exist only in some installs (May-2021 shape or
 * code-only drift, device-link.md §10.3) and are not reported missing; `known` columns are part of
 * the legacy schema but deliberately not read, and are not reported as unknown.
 */
export const LEGACY_TABLES: Readonly<Record<string, { read: readonly string[]; driftOnly?: readonly string[]; known?: readonly string[] }>> = {
  devices: {
    read: ['id', 'title', 'model', 'type', 'token_remote', 'token_local', 'ip', 'modems', 'step', 'data', 'serial', 'folder'],
    driftOnly: ['ver'],
    known: ['serial_time', 'press', 'errors', 'msg', 'status', 'init', 'pause', 'rev', 'ip_internal', 'answer', 'time', 'user_id'],
  },
  cards: {
    read: ['id', 'device', 'place', 'number', 'iccid', 'operator', 'title', 'comment', 'balance', 'last_balance', 'time_balance', 'time_last_balance', 'time', 'time_number'],
    known: ['time_sms', 'status', 'email', 'roaming', 'folder', 'num', 'user_id', 'data'],
  },
  operators: {
    read: ['id', 'title', 'name', 'color', 'prefix', 'get_number', 'get_number_type', 'get_balance', 'get_balance_type'],
    known: ['prefix_r', 'get_number_r', 'get_number_type_r', 'get_balance_r', 'get_balance_type_r', 'title_r', 'color_r'],
  },
  operators_uniq: { read: ['id', 'name'] },
  folders: { read: ['id', 'title', 'comment', 'time'], known: ['user_id'] },
  cards2folder: {
    read: ['id', 'folder_id', 'place', 'number', 'iccid', 'operator', 'title', 'comment', 'balance'],
    known: ['device', 'done', 'last_balance', 'time_balance', 'time_last_balance', 'time', 'time_number', 'time_sms', 'status', 'email', 'roaming', 'folder', 'num', 'user_id', 'data'],
  },
  pools: { read: ['id', 'title', 'key', 'time'], known: ['status', 'marker', 'user_id'] },
  card2pool: { read: ['id', 'pool', 'card'], driftOnly: ['done'] },
  sms_incoming: {
    read: ['id', 'time', 'time_receive', 'modified', 'card_id', 'number', 'sender', 'txt', 'header', 'done', 'readed'],
    known: ['user_id', 'place'],
  },
  call_incoming: { read: ['id', 'time', 'number', 'incoming', 'device'] },
};

/** Legacy tables not carried over, and why (printed in the report when present). */
export const NOT_IMPORTED: Readonly<Record<string, string>> = {
  modems: 'online sessions are runtime state; simnav starts with every SIM on hold',
  link_outgoing: 'device command queue (transient)',
  link_incoming: 'device answers (transient, purged after 5 minutes by the legacy panel)',
  flags: 'runtime locks and heartbeats',
  actions: 'task queue: re-create tasks in simnav',
  card2action: 'task work items',
  reports: 'history of finished tasks',
  values: 'panel settings; the plain-text admin password is never carried over (create users in simnav)',
  users: 'unused by the legacy panel',
  devices_events: 'SMART event store (dormant since 2023)',
  devices_state: 'SMART state store (dormant since 2023)',
};

export type ImportErrorCode = 'NOT_A_LEGACY_DATABASE' | 'SOURCE_QUERY_FAILED' | 'STORE_WRITE_FAILED';
export type ImportResult =
  | { ok: true; value: ImportReport }
  | { ok: false; error: { code: ImportErrorCode; message: string } };

export interface ImportOptions {
  readonly clock: Clock;
  /** Do everything, report it, and roll the transaction back. */
  readonly dryRun?: boolean;
}

class DryRunRollback extends Error {}

export async function importLegacy(source: LegacySource, store: Store, opts: ImportOptions): Promise<ImportResult> {
  const report: ImportReport = {
    source: source.label, dryRun: opts.dryRun === true,
    schema: { shape: 'sept-2021', missingTables: [], missingColumns: [], extraColumns: [], extraTables: [] },
    counts: emptyCounts(), skipped: [], warnings: [], charsetRepairs: {}, notImported: {},
  };
  const tables = new Map<string, LegacyTable>();
  try {
    const schema = await source.schema();
    if (!schema.has('devices') || !schema.has('cards')) {
      return { ok: false, error: { code: 'NOT_A_LEGACY_DATABASE', message: `${source.label}: no 'devices' and 'cards' tables — not an SR-Navigator database` } };
    }
    for (const [table, spec] of Object.entries(LEGACY_TABLES)) {
      const cols = schema.get(table);
      if (!cols) { report.schema.missingTables.push(table); continue; }
      const drift = new Set(spec.driftOnly ?? []);
      const known = new Set([...spec.read, ...drift, ...(spec.known ?? [])]);
      for (const c of spec.read) if (!cols.has(c)) report.schema.missingColumns.push(`${table}.${c}`);
      for (const c of cols.keys()) if (!known.has(c)) report.schema.extraColumns.push(`${table}.${c}`);
      const t = await source.read(table, [...spec.read, ...drift]);
      if (t) tables.set(table, t);
    }
    const modems = schema.get('modems');
    if (schema.get('card2pool')?.has('done') || modems?.has('row') || modems?.has('numbers') || modems?.has('pool_id')) report.schema.shape = 'may-2021';
    for (const [t, why] of Object.entries(NOT_IMPORTED)) if (schema.has(t)) report.notImported[t] = why;
    for (const t of schema.keys()) if (!(t in LEGACY_TABLES) && !(t in NOT_IMPORTED) && t !== 'answer') report.schema.extraTables.push(t);
  } catch (e) {
    return { ok: false, error: { code: 'SOURCE_QUERY_FAILED', message: `${source.label}: ${(e as Error).message}` } };
  }

  try {
    await store.db.transaction().execute(async (tx) => {
      const ctx: StepContext = {
        tx, now: opts.clock.now(), report, tables,
        folders: new Map(), aggregators: new Map(), cards: new Map(), cardsByLegacyNumber: new Map(),
        cardsByDigits: new Map(), pools: new Map(), cardPlaces: new Set(),
      };
      await importOperators(ctx);
      await importDisks(ctx);
      await importAggregatorsAndCards(ctx);
      await importDiskCards(ctx);
      await importPools(ctx);
      await importPoolCards(ctx);
      await importSms(ctx);
      await importCalls(ctx);
      if (opts.dryRun) throw new DryRunRollback('dry run');
    });
  } catch (e) {
    if (!(e instanceof DryRunRollback)) {
      return { ok: false, error: { code: 'STORE_WRITE_FAILED', message: `${store.label}: ${(e as Error).message} (nothing was written)` } };
    }
  }
  return { ok: true, value: report };
}
