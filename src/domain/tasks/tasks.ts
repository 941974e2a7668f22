/**
 * The per-aggregator task queue (device-link.md §6, issue #5 item 6): a task is a batch of units
 * (one SIM slot each) with progress, success/error counts, a per-slot report with readable codes,
 * suspend / resume / cancel and an ETA. State lives in `tasks` / `task_units`, so a restart resumes
 * a running task at its first unfinished unit (a unit that was running is run again).
 */
import type { Clock } from '../../lib/clock.ts';
import type { Store } from '../../store/open-store.ts';

/** Readable report codes of a slot (legacy codes kept: 0/2/3/4 = last registration state). */
export const REPORT_CODES: Readonly<Record<string, string>> = Object.freeze({
  ok: 'done', seat: 'card could not be seated (11)', registration: 'not registered', iccid: 'ICCID unreadable',
  operator: 'no operator name', profile: 'no operator profile for this network', number: 'no number in the answer', cancelled: 'cancelled',
});

export interface TaskView {
  readonly id: number; readonly aggregatorId: number; readonly kind: string; readonly status: string;
  readonly total: number; readonly progress: number; readonly success: number; readonly errors: number;
  readonly report: Array<{ place: string; code: string; detail?: string }>;
  /** Estimated ms left, from the mean time per finished unit; null before the first one. */
  readonly etaMs: number | null;
}

export function createTaskQueue(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  const db = store.db;

  async function view(id: number): Promise<TaskView | null> {
    const t = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!t) return null;
    const now = clock.now();
    const progress = Number(t.progress);
    const etaMs = progress > 0 && t.started_at !== null && t.status === 'running' ? Math.round(((now - t.started_at) / progress) * (Number(t.total) - progress)) : null;
    let report: TaskView['report'] = [];
    try { report = JSON.parse(t.report) as TaskView['report']; } catch { /* empty */ }
    return { id: t.id, aggregatorId: t.aggregator_id, kind: t.kind, status: t.status, total: Number(t.total), progress, success: Number(t.success), errors: Number(t.errors), report, etaMs };
  }

  return {
    view,

    /** Queues a number scan of `places` on an aggregator. */
    async createScan(aggregatorId: number, places: readonly string[], createdBy = 'system'): Promise<number> {
      const now = clock.now();
      const t = await db.insertInto('tasks').values({
        aggregator_id: aggregatorId, kind: 'scan_numbers', params: '{}', status: 'queued', pool_id: null, card_id: null, total: places.length,
        created_by: createdBy, created_at: now, started_at: null, finished_at: null, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      for (let i = 0; i < places.length; i += 200) {
        await db.insertInto('task_units').values(places.slice(i, i + 200).map((p) => ({ task_id: t.id, unit: JSON.stringify({ place: p }), status: 'queued', started_at: null, finished_at: null, result: null }))).execute();
      }
      return t.id;
    },

    /** The next unit to run on an aggregator (tasks in id order; suspended/cancelled/done skipped), or null. */
    async next(aggregatorId: number): Promise<{ taskId: number; unitId: number; kind: string; place: string } | null> {
      const task = await db.selectFrom('tasks').select(['id', 'kind', 'status', 'started_at']).where('aggregator_id', '=', aggregatorId)
        .where('status', 'in', ['queued', 'running']).orderBy('id').executeTakeFirst();
      if (!task) return null;
      const unit = await db.selectFrom('task_units').select(['id', 'unit']).where('task_id', '=', task.id).where('status', 'in', ['queued', 'running']).orderBy('id').executeTakeFirst();
      const now = clock.now();
      if (!unit) {
        await db.updateTable('tasks').set({ status: 'done', finished_at: now, updated_at: now }).where('id', '=', task.id).where('status', 'in', ['queued', 'running']).execute();
        return null;
      }
      // A task suspended before it ever ran comes back as `running` without a start time: stamp it on its first unit.
      if (task.status === 'queued' || task.started_at === null) await db.updateTable('tasks').set({ status: 'running', started_at: task.started_at ?? now, updated_at: now }).where('id', '=', task.id).execute();
      await db.updateTable('task_units').set({ status: 'running', started_at: now, attempts: (eb) => eb('attempts', '+', 1) }).where('id', '=', unit.id).execute();
      let place = '';
      try { place = String((JSON.parse(unit.unit) as { place?: unknown }).place ?? ''); } catch { /* bad unit */ }
      return { taskId: task.id, unitId: unit.id, kind: task.kind, place };
    },

    /** True while any task of the aggregator is queued or running (online sessions wait). */
    async busy(aggregatorId: number): Promise<boolean> {
      return (await db.selectFrom('tasks').select('id').where('aggregator_id', '=', aggregatorId).where('status', 'in', ['queued', 'running']).executeTakeFirst()) !== undefined;
    },

    /** Records a unit's outcome; the task counts it once, even if the unit is reported twice. */
    async finishUnit(taskId: number, unitId: number, place: string, code: string, detail?: string): Promise<void> {
      const now = clock.now();
      const r = await db.updateTable('task_units').set({ status: code === 'ok' ? 'done' : 'error', result: JSON.stringify({ code, detail }), finished_at: now })
        .where('id', '=', unitId).where('status', '=', 'running').executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return;
      const t = await db.selectFrom('tasks').select(['report']).where('id', '=', taskId).executeTakeFirstOrThrow();
      let report: TaskView['report'] = [];
      try { report = JSON.parse(t.report) as TaskView['report']; } catch { /* restart */ }
      report.push(detail === undefined ? { place, code } : { place, code, detail });
      await db.updateTable('tasks').set((eb) => ({
        progress: eb('progress', '+', 1), success: eb('success', '+', code === 'ok' ? 1 : 0), errors: eb('errors', '+', code === 'ok' ? 0 : 1),
        report: JSON.stringify(report), updated_at: now,
      })).where('id', '=', taskId).execute();
    },

    async suspend(taskId: number): Promise<boolean> {
      const r = await db.updateTable('tasks').set({ status: 'suspended', updated_at: clock.now() }).where('id', '=', taskId).where('status', 'in', ['queued', 'running']).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async resume(taskId: number): Promise<boolean> {
      const r = await db.updateTable('tasks').set({ status: 'running', updated_at: clock.now() }).where('id', '=', taskId).where('status', '=', 'suspended').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async cancel(taskId: number): Promise<boolean> {
      const now = clock.now();
      const r = await db.updateTable('tasks').set({ status: 'cancelled', finished_at: now, updated_at: now }).where('id', '=', taskId).where('status', 'in', ['queued', 'running', 'suspended']).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await db.updateTable('task_units').set({ status: 'cancelled', finished_at: now }).where('task_id', '=', taskId).where('status', 'in', ['queued', 'running']).execute();
      return true;
    },

    /** Whether a task is still to be worked on (the runner checks between steps). */
    async active(taskId: number): Promise<boolean> {
      const t = await db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirst();
      return t?.status === 'running' || t?.status === 'queued';
    },

    /** The operator profile whose network names include `name` (case-insensitive). */
    async profileFor(name: string): Promise<{ method: string; code: string; prefix: string } | null> {
      const want = name.trim().toUpperCase();
      for (const o of await db.selectFrom('operators').select(['names', 'number_method', 'number_code', 'country_prefix']).orderBy('id').execute()) {
        let names: unknown = [];
        try { names = JSON.parse(o.names); } catch { /* skip */ }
        if (Array.isArray(names) && names.some((n) => typeof n === 'string' && n.toUpperCase() === want)) return { method: o.number_method, code: o.number_code, prefix: o.country_prefix };
      }
      return null;
    },
  };
}

export type TaskQueue = ReturnType<typeof createTaskQueue>;
