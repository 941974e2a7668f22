/**
 * What the tasks routes (./plugin.ts) read and write: task rows as the console's `Task` shape, and
 * the creation of one queued task per aggregator from chosen cards or a pool. The queue itself
 * (units, suspend/resume/cancel, progress) is src/domain/tasks/tasks.ts, kinds and their params
 * src/domain/tasks/params.ts. Every kind runs on every model with a driver; an aggregator without
 * one is refused here, so nothing is queued that would only end as `unsupported` units.
 */
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import { reportText, type TaskQueue } from '../../domain/tasks/tasks.ts';
import { apiKind, checkTaskParams, isTaskKind, QUEUE_KIND, TASK_KINDS, unitsFor, type SendSmsParams } from '../../domain/tasks/params.ts';
import { driverFor } from '../../devices/drivers/driver.ts';
import { RUNNABLE_KINDS } from '../../devices/tasks/run-unit.ts';
import type { ErrorCode } from '../errors.ts';

/** A task as the console reads it (src/web/lib/types.ts `Task`). */
export interface TaskDto {
  id: number; aggregatorId: number; kind: string; status: string;
  total: number; progress: number; success: number; errors: number;
  /** Per slot: its place, the report code, the code in words (src/domain/tasks REPORT_CODES) and a detail. */
  report: Array<{ place: string; code: string; text: string; detail?: string }>;
  /** Estimated ms left while running (mean time per finished unit), else null. */
  etaMs: number | null;
  createdAt: number; startedAt: number | null; finishedAt: number | null; updatedAt: number;
}


type Fail = { ok: false; error: { code: ErrorCode; message: string } };
const fail = (code: ErrorCode, message: string): Fail => ({ ok: false, error: { code, message } });

interface TaskRow {
  id: number; aggregator_id: number; kind: string; status: string; total: number | string; progress: number | string; success: number | string; errors: number | string;
  report: string; created_at: number | string; started_at: number | string | null; finished_at: number | string | null; updated_at: number | string;
}

function report(json: string): TaskDto['report'] {
  try {
    const v: unknown = JSON.parse(json);
    if (!Array.isArray(v)) return [];
    return v.filter((e): e is { place: unknown; code: unknown; detail?: unknown } => typeof e === 'object' && e !== null)
      .map((e) => ({ place: String(e.place ?? ''), code: String(e.code ?? ''), text: reportText(String(e.code ?? '')), ...(e.detail !== undefined && e.detail !== null ? { detail: String(e.detail) } : {}) }));
  } catch { return []; }
}

const num = (x: number | string): number => Number(x);
const numOrNull = (x: number | string | null): number | null => (x === null ? null : Number(x));

function toDto(r: TaskRow, now: number): TaskDto {
  const total = num(r.total); const progress = num(r.progress); const startedAt = numOrNull(r.started_at);
  const etaMs = r.status === 'running' && progress > 0 && startedAt !== null ? Math.max(0, Math.round(((now - startedAt) / progress) * (total - progress))) : null;
  return {
    id: r.id, aggregatorId: r.aggregator_id, kind: apiKind(r.kind), status: r.status, total, progress,
    success: num(r.success), errors: num(r.errors), report: report(r.report), etaMs,
    createdAt: num(r.created_at), startedAt, finishedAt: numOrNull(r.finished_at), updatedAt: num(r.updated_at),
  };
}

const COLUMNS = ['id', 'aggregator_id', 'kind', 'status', 'total', 'progress', 'success', 'errors', 'report', 'created_at', 'started_at', 'finished_at', 'updated_at'] as const;

export async function getTask(ctx: AdminCtx, id: number): Promise<TaskDto | null> {
  const r = await ctx.db.selectFrom('tasks').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toDto(r, ctx.clock.now()) : null;
}

/** Newest first; `total` counts every task (of the aggregator when given). */
export async function listTasks(ctx: AdminCtx, q: { limit: number; aggregatorId?: number }): Promise<{ total: number; items: TaskDto[] }> {
  let base = ctx.db.selectFrom('tasks');
  if (q.aggregatorId !== undefined) base = base.where('aggregator_id', '=', q.aggregatorId);
  const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base.select(COLUMNS).orderBy('id', 'desc').limit(q.limit).execute();
  const now = ctx.clock.now();
  return { total, items: rows.map((r) => toDto(r, now)) };
}

/**
 * Queues `kind` with `params` for the chosen cards (or every card of a pool), one task per
 * aggregator, places in slot order. A pool-scoped principal reaches only cards of its pools. All
 * or nothing: an unknown kind, bad parameters, a model without a driver, or no reachable card
 * refuses the whole request. Every kind runs on every model simnav has a driver for.
 */
export async function createTasks(ctx: AdminCtx, queue: TaskQueue, p: Principal, kind: string, sel: { cardIds: readonly number[] } | { poolId: number }, rawParams?: unknown): Promise<{ ok: true; value: TaskDto[] } | Fail> {
  if (!isTaskKind(kind)) return fail('SIMNAV_ERR_VALIDATION', `Unknown task kind ${JSON.stringify(kind.slice(0, 40))}; known: ${TASK_KINDS.join(', ')}`);
  const queueKind = QUEUE_KIND[kind];
  if (!RUNNABLE_KINDS.has(queueKind)) return fail('SIMNAV_ERR_TASK_UNSUPPORTED', `The device runtime cannot run ${kind} tasks`);
  const params = checkTaskParams(kind, rawParams);
  if (!params.ok) return fail('SIMNAV_ERR_VALIDATION', params.message);
  const scope = p.poolScope === null ? null : p.poolScope.length ? [...p.poolScope] : [0];
  if ('poolId' in sel) {
    if (scope && !scope.includes(sel.poolId)) return fail('SIMNAV_ERR_NOT_FOUND', 'No such pool');
    const pool = await ctx.db.selectFrom('pools').select('id').where('id', '=', sel.poolId).executeTakeFirst();
    if (!pool) return fail('SIMNAV_ERR_NOT_FOUND', 'No such pool');
  }
  let q = ctx.db.selectFrom('cards as c').innerJoin('aggregators as a', 'a.id', 'c.aggregator_id')
    .select(['c.id', 'c.aggregator_id', 'c.place', 'a.model', 'a.title']);
  if ('poolId' in sel) q = q.where('c.id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', '=', sel.poolId));
  else q = q.where('c.id', 'in', [...new Set(sel.cardIds)]);
  if (scope) q = q.where('c.id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', scope));
  const cards = await q.orderBy('c.aggregator_id').orderBy('c.place_sort').orderBy('c.id').execute();
  if ('cardIds' in sel && cards.length < new Set(sel.cardIds).size) {
    const found = new Set(cards.map((c) => c.id));
    const missing = sel.cardIds.filter((x) => !found.has(x)).slice(0, 10);
    return fail('SIMNAV_ERR_NOT_FOUND', `No such cards: ${missing.join(', ')}`);
  }
  if (cards.length === 0) return fail('SIMNAV_ERR_VALIDATION', 'The pool has no cards');
  const byAggregator = new Map<number, { model: string; title: string; places: string[] }>();
  for (const c of cards) {
    const g = byAggregator.get(c.aggregator_id) ?? { model: c.model, title: c.title, places: [] };
    g.places.push(c.place);
    byAggregator.set(c.aggregator_id, g);
  }
  const cannot = [...byAggregator.entries()].filter(([, g]) => driverFor(g.model) === undefined);
  if (cannot.length) {
    return fail('SIMNAV_ERR_TASK_UNSUPPORTED', `No device driver for ${cannot.map(([id, g]) => `${g.title} (#${id}, ${g.model})`).slice(0, 5).join(', ')}`);
  }
  const plans: Array<{ aggregatorId: number; units: Array<{ place: string } & Record<string, unknown>> }> = [];
  // send_sms: the recipients are shared out — each aggregator's SIMs take the next ones, `perSim` each.
  let rest = kind === 'send_sms' ? [...(params.value as SendSmsParams).recipients] : [];
  for (const [aggregatorId, g] of byAggregator) {
    let share = params.value;
    if (kind === 'send_sms') {
      const sp = params.value as SendSmsParams;
      if (rest.length === 0) break;
      share = { ...sp, recipients: rest.slice(0, g.places.length * sp.perSim) };
      rest = rest.slice(g.places.length * sp.perSim);
    }
    const units = unitsFor(kind, g.places, share);
    if (!units.ok) return fail('SIMNAV_ERR_VALIDATION', `${g.title}: ${units.message}`);
    plans.push({ aggregatorId, units: units.value });
  }
  if (rest.length > 0) {
    const sp = params.value as SendSmsParams;
    return fail('SIMNAV_ERR_VALIDATION', `${sp.recipients.length} recipients at ${sp.perSim} per SIM need ${Math.ceil(sp.recipients.length / sp.perSim)} SIMs; ${cards.length} chosen`);
  }
  const out: TaskDto[] = [];
  for (const { aggregatorId, units } of plans) {
    const id = await queue.create(aggregatorId, queueKind, units, params.value, p.actor);
    const t = await getTask(ctx, id);
    if (t) out.push(t);
  }
  return { ok: true, value: out };
}
