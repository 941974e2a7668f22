/**
 * The per-aggregator task queue (device-link.md §6, issue #5 item 6): a task is a batch of units
 * (one SIM slot each) with progress, success/error counts, a per-slot report with readable codes,
 * suspend / resume / cancel and an ETA. State lives in `tasks` / `task_units`, so a restart resumes
 * a running task at its first unfinished unit (a unit that was running is run again).
 */
import type { Clock } from '../../lib/clock.ts';
import type { Store } from '../../store/open-store.ts';

/**
 * Readable report codes of a slot, one place for every kind (the console and the report show the
 * words; legacy codes in brackets: 11 = positioning error, 3 = registration denied).
 */
export const REPORT_CODES: Readonly<Record<string, string>> = Object.freeze({
  ok: 'done',
  seat: 'card could not be seated (11)',
  registration: 'not registered on the network',
  denied: 'registration denied by the network (3)',
  iccid: 'ICCID unreadable',
  operator: 'no operator name',
  profile: 'no operator profile for this network, or it has no request for this',
  number: 'no number in the answer',
  ussd: 'no USSD answer from the network',
  balance: 'no balance in the answer',
  read: 'stored SMS could not be read',
  send: 'SMS not sent (the modem refused it)',
  call: 'call not placed (the modem refused it)',
  unsupported: 'this model cannot run this task',
  failed: 'the step failed in the panel (see detail)',
  cancelled: 'cancelled',
});

/** The words of a report code (the code itself when unknown). */
export function reportText(code: string): string {
  return REPORT_CODES[code] ?? code;
}

/** One unit as the runner gets it: its place and the kind's per-unit data (send_sms: its recipients). */
export interface QueuedUnit { readonly taskId: number; readonly unitId: number; readonly kind: string; readonly place: string; readonly data: Readonly<Record<string, unknown>> }

/** What `onProgress` listeners hear after every unit and every change of state the runner makes. */
export interface TaskProgress {
  readonly id: number; readonly aggregatorId: number; readonly kind: string; readonly status: string;
  readonly total: number; readonly progress: number; readonly success: number; readonly errors: number;
}

function unitOf(taskId: number, kind: string, row: { id: number; unit: string }): QueuedUnit {
  let data: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(row.unit);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) data = v as Record<string, unknown>;
  } catch { /* bad unit: empty place, reported as such */ }
  const place = typeof data['place'] === 'string' ? data['place'] : '';
  return { taskId, unitId: row.id, kind, place, data };
}

export interface TaskView {
  readonly id: number; readonly aggregatorId: number; readonly kind: string; readonly status: string;
  readonly total: number; readonly progress: number; readonly success: number; readonly errors: number;
  readonly report: Array<{ place: string; code: string; detail?: string }>;
  /** Estimated ms left, from the mean time per finished unit; null before the first one. */
  readonly etaMs: number | null;
}

/** An operator rule as the runner uses it (src/domain/operators). */
export interface OperatorRule { readonly method: string; readonly code: string; readonly balanceMethod: string; readonly balanceCode: string; readonly prefix: string }

export function createTaskQueue(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  const db = store.db;
  const listeners = new Set<(p: TaskProgress) => void>();

  async function notify(taskId: number): Promise<void> {
    if (listeners.size === 0) return;
    const t = await db.selectFrom('tasks').select(['id', 'aggregator_id', 'kind', 'status', 'total', 'progress', 'success', 'errors']).where('id', '=', taskId).executeTakeFirst();
    if (!t) return;
    const p: TaskProgress = { id: t.id, aggregatorId: t.aggregator_id, kind: t.kind, status: t.status, total: Number(t.total), progress: Number(t.progress), success: Number(t.success), errors: Number(t.errors) };
    for (const l of [...listeners]) {
      try { l(p); } catch { /* a listener's failure must not stop the runner */ }
    }
  }

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
      return this.create(aggregatorId, 'scan_numbers', places.map((place) => ({ place })), {}, createdBy);
    },

    /**
     * Queues a task of `kind` with one unit per entry (its `place` plus the kind's per-unit data),
     * `params` for the whole task (already validated, src/domain/tasks/params.ts).
     */
    async create(aggregatorId: number, kind: string, units: ReadonlyArray<{ place: string } & Record<string, unknown>>, params: object = {}, createdBy = 'system'): Promise<number> {
      const now = clock.now();
      const t = await db.insertInto('tasks').values({
        aggregator_id: aggregatorId, kind, params: JSON.stringify(params), status: 'queued', pool_id: null, card_id: null, total: units.length,
        created_by: createdBy, created_at: now, started_at: null, finished_at: null, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      for (let i = 0; i < units.length; i += 200) {
        await db.insertInto('task_units').values(units.slice(i, i + 200).map((u) => ({ task_id: t.id, unit: JSON.stringify(u), status: 'queued', started_at: null, finished_at: null, result: null }))).execute();
      }
      return t.id;
    },

    /** The task's parameters (`{}` when none or unreadable). */
    async params(taskId: number): Promise<Record<string, unknown>> {
      const t = await db.selectFrom('tasks').select('params').where('id', '=', taskId).executeTakeFirst();
      try {
        const v: unknown = JSON.parse(t?.params ?? '{}');
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
      } catch { return {}; }
    },

    /**
     * Units of a task still to run after `afterUnitId`, in order (a runner that seats several
     * cards at once picks the ones that fit together and `claim`s them).
     */
    async pending(taskId: number, afterUnitId: number, limit: number): Promise<QueuedUnit[]> {
      const t = await db.selectFrom('tasks').select('kind').where('id', '=', taskId).executeTakeFirst();
      if (!t) return [];
      const rows = await db.selectFrom('task_units').select(['id', 'unit']).where('task_id', '=', taskId).where('id', '>', afterUnitId)
        .where('status', 'in', ['queued', 'running']).orderBy('id').limit(limit).execute();
      return rows.map((r) => unitOf(taskId, t.kind, r));
    },

    /**
     * Rewrites a running unit's data (its place kept): a unit that does several things records
     * what is done, so a rerun after a restart does not do it twice (send_sms: the recipients sent).
     */
    async saveUnitData(unitId: number, data: Readonly<Record<string, unknown>>): Promise<void> {
      await db.updateTable('task_units').set({ unit: JSON.stringify(data) }).where('id', '=', unitId).where('status', '=', 'running').execute();
    },

    /** Marks units `running` (run together with the one `next` gave); returns the ids claimed. */
    async claim(taskId: number, unitIds: readonly number[]): Promise<number[]> {
      if (unitIds.length === 0) return [];
      const now = clock.now();
      await db.updateTable('task_units').set({ status: 'running', started_at: now, attempts: (eb) => eb('attempts', '+', 1) })
        .where('task_id', '=', taskId).where('id', 'in', [...unitIds]).where('status', 'in', ['queued', 'running']).execute();
      const rows = await db.selectFrom('task_units').select('id').where('task_id', '=', taskId).where('id', 'in', [...unitIds]).where('status', '=', 'running').execute();
      return rows.map((r) => r.id);
    },

    /** Tells `listener` about every unit finished and every task started or done by the runner; returns the unsubscribe. */
    onProgress(listener: (p: TaskProgress) => void): () => void {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },

    /** The next unit to run on an aggregator (tasks in id order; suspended/cancelled/done skipped), or null. */
    async next(aggregatorId: number): Promise<QueuedUnit | null> {
      const task = await db.selectFrom('tasks').select(['id', 'kind', 'status', 'started_at']).where('aggregator_id', '=', aggregatorId)
        .where('status', 'in', ['queued', 'running']).orderBy('id').executeTakeFirst();
      if (!task) return null;
      const unit = await db.selectFrom('task_units').select(['id', 'unit']).where('task_id', '=', task.id).where('status', 'in', ['queued', 'running']).orderBy('id').executeTakeFirst();
      const now = clock.now();
      if (!unit) {
        await db.updateTable('tasks').set({ status: 'done', finished_at: now, updated_at: now }).where('id', '=', task.id).where('status', 'in', ['queued', 'running']).execute();
        await notify(task.id);
        return null;
      }
      // A task suspended before it ever ran comes back as `running` without a start time: stamp it on its first unit.
      const starting = task.status === 'queued' || task.started_at === null;
      if (starting) await db.updateTable('tasks').set({ status: 'running', started_at: task.started_at ?? now, updated_at: now }).where('id', '=', task.id).execute();
      await db.updateTable('task_units').set({ status: 'running', started_at: now, attempts: (eb) => eb('attempts', '+', 1) }).where('id', '=', unit.id).execute();
      if (starting) await notify(task.id);
      return unitOf(task.id, task.kind, unit);
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
      await notify(taskId);
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

    /**
     * The operator profile whose network names include `name` (case-insensitive): how to ask for
     * the number (`method`, `code`) and for the balance, and the country prefix.
     */
    async profileFor(name: string): Promise<OperatorRule | null> {
      const want = name.trim().toUpperCase();
      if (want === '') return null;
      for (const o of await db.selectFrom('operators').select(['names', 'number_method', 'number_code', 'balance_method', 'balance_code', 'country_prefix']).orderBy('id').execute()) {
        let names: unknown = [];
        try { names = JSON.parse(o.names); } catch { /* skip */ }
        if (Array.isArray(names) && names.some((n) => typeof n === 'string' && n.toUpperCase() === want)) {
          return { method: o.number_method, code: o.number_code, balanceMethod: o.balance_method, balanceCode: o.balance_code, prefix: o.country_prefix };
        }
      }
      return null;
    },

    /** The operator name stored on a card (a balance check falls back on it), or null. */
    async cardOperator(cardId: number): Promise<string | null> {
      const c = await db.selectFrom('cards').select('operator').where('id', '=', cardId).executeTakeFirst();
      return c?.operator ?? null;
    },

    /** Stores a balance read from the SIM; the previous one becomes `last_balance` (the console shows the change). */
    async recordBalance(cardId: number, balance: number): Promise<{ previous: number | null }> {
      const now = clock.now();
      const c = await db.selectFrom('cards').select(['balance', 'balance_at']).where('id', '=', cardId).executeTakeFirst();
      if (!c) return { previous: null };
      await db.updateTable('cards').set({ last_balance: c.balance, last_balance_at: c.balance_at, balance, balance_at: now, updated_at: now }).where('id', '=', cardId).execute();
      return { previous: c.balance };
    },
  };
}

export type TaskQueue = ReturnType<typeof createTaskQueue>;
