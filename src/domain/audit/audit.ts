/**
 * The audit trail: who changed what (panel-features.md §4.1 item 11, §5.2 item 1). Every state
 * change through the admin API writes one row; the details never hold secrets (tokens, passwords,
 * pool keys) — callers pass only identifiers and changed field names/values that are not secret.
 */
import type { AdminCtx } from '../auth/outcome.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditView { id: number; at: number; actor: string; action: string; target: string; details: unknown; ip: string | null }

const DETAILS_MAX = 4000;

export async function writeAudit(ctx: AdminCtx, e: AuditEntry): Promise<void> {
  let details = JSON.stringify(e.details ?? {});
  if (details.length > DETAILS_MAX) details = JSON.stringify({ truncated: true, head: details.slice(0, DETAILS_MAX) });
  await ctx.db.insertInto('audit_log').values({
    at: ctx.clock.now(), actor: e.actor, action: e.action.slice(0, 100), target: (e.target ?? '').slice(0, 200), details, ip: e.ip ?? null,
  }).execute();
}

export interface AuditQuery { actor?: string; action?: string; since?: number; until?: number; limit: number; offset: number }

export async function listAudit(ctx: AdminCtx, q: AuditQuery): Promise<{ total: number; items: AuditView[] }> {
  let base = ctx.db.selectFrom('audit_log');
  if (q.actor !== undefined) base = base.where('actor', '=', q.actor);
  if (q.action !== undefined) base = base.where('action', '=', q.action);
  if (q.since !== undefined) base = base.where('at', '>=', q.since);
  if (q.until !== undefined) base = base.where('at', '<', q.until);
  const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
  return {
    total,
    items: rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, details: safeJson(r.details), ip: r.ip })),
  };
}

function safeJson(s: string): unknown {
  try { return JSON.parse(s); } catch { return {}; }
}
