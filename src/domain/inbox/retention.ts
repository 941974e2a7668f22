/**
 * Retention of received SMS and calls: the console's setting `retentionDays` (0 = keep forever)
 * is enforced here, by deleting messages (with their raw parts) and call records received before
 * the cut-off. Run periodically by one worker: the device runtime's housekeeping on a single node,
 * a cluster-wide singleton job on PostgreSQL (src/cluster/cluster.ts).
 */
import type { Kysely } from 'kysely';
import type { Db } from '../../store/schema.ts';
import { deleteSmsRows } from './inbox.ts';

/** How often the retention job runs. */
export const RETENTION_EVERY_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
const BATCH = 500;

/** The `retentionDays` setting (whole days ≥ 1), or null when messages are kept forever. */
export async function readRetentionDays(db: Kysely<Db>): Promise<number | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'retentionDays').executeTakeFirst();
  if (!row) return null;
  let v: unknown;
  try { v = JSON.parse(row.value); } catch { return null; }
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : null;
}

export interface RetentionResult { readonly sms: number; readonly calls: number }

/** Deletes SMS (and their parts) and calls received before `cutoffMs`, in batches. */
export async function purgeBefore(db: Kysely<Db>, cutoffMs: number): Promise<RetentionResult> {
  let sms = 0;
  for (;;) {
    const ids = (await db.selectFrom('sms').select('id').where('received_at', '<', cutoffMs).limit(BATCH).execute()).map((r) => r.id);
    if (ids.length === 0) break;
    sms += await deleteSmsRows(db, ids);
  }
  // Parts that never became a message are released by the intake within a minute; any older than
  // the cut-off are leftovers (an import, a crash) and go too.
  await db.deleteFrom('sms_parts').where('sms_id', 'is', null).where('received_at', '<', cutoffMs).execute();
  const calls = Number((await db.deleteFrom('calls').where('at', '<', cutoffMs).executeTakeFirst()).numDeletedRows);
  return { sms, calls };
}

/** One run of the retention job: reads the setting and purges; nothing when it is 0 (keep forever). */
export async function enforceRetention(db: Kysely<Db>, nowMs: number): Promise<RetentionResult> {
  const days = await readRetentionDays(db);
  if (days === null) return { sms: 0, calls: 0 };
  return purgeBefore(db, nowMs - days * DAY_MS);
}
