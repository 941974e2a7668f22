/**
 * The tasks admin routes the console's Tasks page calls (issue #5 item 6, issue #6 item 7; contract
 * in ../console-api/README.md), registered by `buildApp` under `/api/v1` after the link plugin:
 *
 *     await app.register(tasksPlugin, { prefix: '/api/v1', store: deps.store, clock });
 *
 * - `GET /tasks?limit` → `{ total, items: Task[] }` (newest first), `GET /tasks/:id` → the task
 * - `POST /tasks {kind, cardIds | poolId, params?}` → 201 `{ items }`, one task per aggregator; kinds and
 *   their params in src/domain/tasks/params.ts (`scan_number`, `check_balance`, `read_iccid`,
 *   `pull_sms`, `send_sms {recipients, text, perSim}`, `test_call {number, seconds}`)
 * - `POST /tasks/:id/suspend|resume|cancel {}` → the task (409 when its state does not allow it)
 * Viewers read, operators and admins change (the admin auth hook). Every change writes an audit row
 * and publishes `task.progress` on `app.events`, and so does every unit the runner finishes. The
 * queue is the device runtime's (`app.deviceRuntime.tasks`, src/domain/tasks/tasks.ts); a model
 * without a driver is refused with `SIMNAV_ERR_TASK_UNSUPPORTED`, never queued.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/open-store.ts';
import { realClock, type Clock } from '../../lib/clock.ts';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { createTaskQueue, type TaskQueue } from '../../domain/tasks/tasks.ts';
import { writeAudit } from '../../domain/audit/audit.ts';
import type { TaskProgressEvent } from '../../domain/events/bus.ts';
import { authHook, who } from '../auth/authenticate.ts';
import { classifyError, sendError } from '../errors.ts';
import { createTasks, getTask, listTasks, type TaskDto } from './tasks.ts';
import { apiKind, TASK_KINDS } from '../../domain/tasks/params.ts';

export interface TasksPluginOptions { store: Store; clock?: Clock }

const id = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;
const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const;
const taskSchema = {
  type: 'object',
  required: ['id', 'aggregatorId', 'kind', 'status', 'total', 'progress', 'success', 'errors', 'report', 'etaMs', 'createdAt', 'startedAt', 'finishedAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' }, aggregatorId: { type: 'integer' }, kind: { type: 'string' }, status: { type: 'string' },
    total: { type: 'integer' }, progress: { type: 'integer' }, success: { type: 'integer' }, errors: { type: 'integer' },
    report: { type: 'array', items: { type: 'object', required: ['place', 'code', 'text'], properties: { place: { type: 'string' }, code: { type: 'string' }, text: { type: 'string' }, detail: { type: 'string' } } } },
    etaMs: { type: ['integer', 'null'] }, createdAt: { type: 'integer' }, startedAt: { type: ['integer', 'null'] },
    finishedAt: { type: ['integer', 'null'] }, updatedAt: { type: 'integer' },
  },
} as const;

type Action = 'suspend' | 'resume' | 'cancel';

export async function tasksPlugin(app: FastifyInstance, o: TasksPluginOptions): Promise<void> {
  const clock = o.clock ?? realClock();
  const ctx: AdminCtx = { db: o.store.db, clock };
  let own: TaskQueue | null = null;
  /** The runtime's queue when the link plugin is registered; the same store-backed queue otherwise. */
  const queue = (): TaskQueue => (app.hasDecorator('deviceRuntime') ? app.deviceRuntime.tasks : (own ??= createTaskQueue({ store: o.store, clock })));
  /** A task's state as a `task.progress` event (a created or changed task, or the runner's report). */
  const publish = (t: Pick<TaskDto, 'id' | 'aggregatorId' | 'kind' | 'status' | 'total' | 'progress' | 'success' | 'errors'>): void => {
    if (!app.hasDecorator('events')) return;
    const status = t.status as TaskProgressEvent['status'];
    app.events.publish({ type: 'task.progress', taskId: t.id, aggregatorId: t.aggregatorId, kind: apiKind(t.kind), status, total: t.total, progress: t.progress, success: t.success, errors: t.errors });
  };
  const wake = (aggregatorId: number): void => { if (app.hasDecorator('deviceRuntime')) app.deviceRuntime.wake(aggregatorId); };
  // The unit runner reports every finished unit (and a task's start and end) here, so progress
  // bars move per card instead of at the store watcher's next look.
  if (app.hasDecorator('deviceRuntime')) {
    const off = app.deviceRuntime.tasks.onProgress(publish);
    app.addHook('onClose', async () => { off(); });
  }

  app.addHook('onRequest', authHook(ctx));
  app.addHook('onSend', async (_req, reply, payload) => { reply.header('cache-control', 'no-store'); return payload; });
  app.setErrorHandler((err, req, reply) => {
    const { code, message } = classifyError(err as Parameters<typeof classifyError>[0]);
    if (code === 'SIMNAV_ERR_INTERNAL') req.log.error({ err }, 'tasks api: unhandled error');
    return sendError(reply, code, message);
  });

  app.route({
    method: 'GET', url: '/tasks', config: { access: 'read', tags: ['tasks'], summary: 'Tasks, newest first' },
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 }, aggregatorId: id } },
      response: { 200: { type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: taskSchema } } } },
    },
    async handler(req) {
      const q = req.query as { limit: number; aggregatorId?: number };
      return listTasks(ctx, q);
    },
  });

  app.route({
    method: 'GET', url: '/tasks/:id', config: { access: 'read', tags: ['tasks'], summary: 'One task with its per-slot report' },
    schema: { params: idParams, response: { 200: taskSchema } },
    async handler(req, reply) {
      const t = await getTask(ctx, (req.params as { id: number }).id);
      return t ?? sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such task');
    },
  });

  app.route({
    method: 'POST', url: '/tasks', config: { access: 'write', tags: ['tasks'], summary: 'Queue a task on each aggregator of the chosen cards or pool' },
    schema: {
      body: {
        type: 'object', required: ['kind'], additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: [...TASK_KINDS] }, cardIds: { type: 'array', minItems: 1, maxItems: 10000, items: id }, poolId: id,
          // Checked per kind by src/domain/tasks/params.ts (readable messages); only the shape here.
          params: { type: 'object' },
        },
        oneOf: [{ required: ['cardIds'] }, { required: ['poolId'] }],
      },
      response: { 201: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: taskSchema } } } },
    },
    async handler(req, reply) {
      const p = who(req);
      const b = req.body as { kind: string; cardIds?: number[]; poolId?: number; params?: unknown };
      const sel = b.cardIds !== undefined ? { cardIds: b.cardIds } : { poolId: b.poolId! };
      const r = await createTasks(ctx, queue(), p, b.kind, sel, b.params);
      if (!r.ok) return sendError(reply, r.error.code, r.error.message);
      await writeAudit(ctx, {
        actor: p.actor, action: 'task.create', target: r.value.map((t) => `task:${t.id}`).join(',').slice(0, 200),
        details: { kind: b.kind, ...(b.poolId !== undefined ? { poolId: b.poolId } : { cards: b.cardIds?.length ?? 0 }), tasks: r.value.map((t) => ({ id: t.id, aggregatorId: t.aggregatorId, total: t.total })) },
        ip: req.ip,
      });
      for (const t of r.value) { publish(t); wake(t.aggregatorId); }
      return reply.code(201).send({ items: r.value });
    },
  });

  for (const action of ['suspend', 'resume', 'cancel'] as const satisfies readonly Action[]) {
    app.route({
      method: 'POST', url: `/tasks/:id/${action}`, config: { access: 'write', tags: ['tasks'], summary: `${action[0]!.toUpperCase()}${action.slice(1)} a task` },
      schema: { params: idParams, response: { 200: taskSchema } },
      async handler(req: FastifyRequest, reply: FastifyReply) {
        const taskId = (req.params as { id: number }).id;
        const before = await getTask(ctx, taskId);
        if (!before) return sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such task');
        const q = queue();
        const changed = action === 'suspend' ? await q.suspend(taskId) : action === 'resume' ? await q.resume(taskId) : await q.cancel(taskId);
        if (!changed) return sendError(reply, 'SIMNAV_ERR_CONFLICT', `A ${before.status} task cannot be ${action === 'cancel' ? 'cancelled' : `${action}d`}`);
        const t = (await getTask(ctx, taskId))!;
        await writeAudit(ctx, { actor: who(req).actor, action: `task.${action}`, target: `task:${taskId}`, details: { aggregatorId: t.aggregatorId, from: before.status, to: t.status }, ip: req.ip });
        publish(t);
        wake(t.aggregatorId);
        return t;
      },
    });
  }
}
