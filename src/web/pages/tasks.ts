/**
 * Tasks (panel-features.md §2.12–2.13): live progress bars with counts and ETA, suspend / resume /
 * cancel, and the history with per-slot errors in words. Progress comes from `task.progress`
 * events; the list is read from `GET /tasks` (served by the device runtime's tasks API).
 */
import { get, post } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace, setVar } from '../lib/dom.ts';
import { fmtDuration, fmtTime } from '../lib/format.ts';
import { t, type Key } from '../lib/i18n.ts';
import { on, throttle } from '../lib/live.ts';
import type { Aggregator, Task } from '../lib/types.ts';
import { empty, errorBox, modal, toastError } from '../lib/ui.ts';

/** Legacy per-slot error codes in words (panel-features.md §2.13). */
export function errorWords(code: number | string): string {
  const c = String(code);
  const key = (['0', '4', '12'].includes(c) ? 'err_inactive' : c === '2' ? 'err_unregistered' : c === '3' ? 'err_blocked' : c === '11' ? 'err_operator' : c === '101' ? 'err_calibration' : null) as Key | null;
  return key ? t(key) : t('err_other', { code: c });
}

export function tasksPage(root: HTMLElement, ctx: PageCtx): () => void {
  const active = h('div', { class: 'stack', id: 'tasks-active' });
  const history = h('div', { class: 'table-wrap', id: 'tasks-history' });
  root.append(h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, t('tasksActive'))), active),
    h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, t('tasksHistory'))), history));
  const titles = new Map<number, string>();
  let tasks: Task[] = [];
  const firstSeen = new Map<number, { at: number; progress: number }>();

  async function load(): Promise<void> {
    const [aggs, r] = await Promise.all([get<{ items: Aggregator[] }>('/aggregators'), get<{ items: Task[] } | { total: number; items: Task[] }>('/tasks', { limit: 200 })]);
    if (aggs.ok) for (const a of aggs.value.items) titles.set(a.id, a.title);
    if (!r.ok) { replace(active, errorBox(r.error)); history.closest('section')?.classList.add('hidden'); return; }
    history.closest('section')?.classList.remove('hidden');
    tasks = r.value.items;
    draw();
  }

  function eta(task: Task): string {
    const started = task.startedAt ?? firstSeen.get(task.id)?.at;
    if (!started || task.progress <= 0 || task.total <= task.progress) return '—';
    const per = (Date.now() - started) / task.progress;
    return fmtDuration(per * (task.total - task.progress));
  }

  function draw(): void {
    const running = tasks.filter((x) => ['queued', 'running', 'suspended'].includes(x.status));
    const done = tasks.filter((x) => !['queued', 'running', 'suspended'].includes(x.status));
    if (running.length === 0) replace(active, empty(t('noActiveTasks')));
    else replace(active, running.map((x) => {
      const pct = x.total > 0 ? Math.round((100 * x.progress) / x.total) : 0;
      const bar = setVar(h('div', { class: 'bar', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 }), '--pct', `${pct}%`);
      return h('article', { class: 'task', 'data-task': x.id, 'data-status': x.status },
        h('header', null, h('strong', null, t(`kind_${x.kind}` as Key) === `kind_${x.kind}` ? x.kind : t(`kind_${x.kind}` as Key)), ' · ', titles.get(x.aggregatorId) ?? `#${x.aggregatorId}`,
          h('span', { class: `badge ${x.status}` }, t(`taskStatus_${x.status}` as Key))),
        h('div', { class: 'progress' }, bar),
        h('div', { class: 'task-facts' },
          h('span', { 'data-progress': `${x.progress}/${x.total}` }, t('progressCounts', { done: x.progress, total: x.total, ok: x.success, errors: x.errors })),
          h('span', null, `${pct}%`), h('span', null, t('eta', { eta: eta(x) }))),
        ctx.canWrite ? h('footer', null,
          x.status === 'suspended' ? h('button', { type: 'button', class: 'btn small', onclick: () => { void act(x, 'resume'); } }, t('resume'))
            : h('button', { type: 'button', class: 'btn small', onclick: () => { void act(x, 'suspend'); } }, t('suspend')),
          h('button', { type: 'button', class: 'btn small danger', onclick: () => { void act(x, 'cancel'); } }, t('cancel'))) : null);
    }));
    if (done.length === 0) { replace(history, empty(t('noHistory'))); return; }
    replace(history, h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', null, t('task')), h('th', null, t('aggregator')), h('th', null, t('status')), h('th', null, t('started')),
        h('th', null, t('finished')), h('th', null, t('success')), h('th', null, t('errors')))),
      h('tbody', null, done.map((x) => h('tr', { 'data-task': x.id },
        h('td', null, x.kind), h('td', null, titles.get(x.aggregatorId) ?? `#${x.aggregatorId}`), h('td', null, t(`taskStatus_${x.status}` as Key)),
        h('td', { class: 'small' }, fmtTime(x.startedAt ?? x.createdAt)), h('td', { class: 'small' }, fmtTime(x.finishedAt)),
        h('td', null, String(x.success)),
        h('td', null, x.errors > 0 && x.report?.length ? h('button', { type: 'button', class: 'btn small', onclick: () => report(x) }, String(x.errors)) : String(x.errors)))))));
  }

  function report(x: Task): void {
    modal(t('errorReport'), () => h('table', { class: 'grid' }, h('thead', null, h('tr', null, h('th', null, t('place')), h('th', null, t('code')), h('th', null, t('meaning')))),
      h('tbody', null, (x.report ?? []).map((e) => h('tr', null, h('td', { class: 'mono' }, e.place), h('td', null, String(e.code)), h('td', null, errorWords(e.code)))))));
  }

  async function act(x: Task, what: 'suspend' | 'resume' | 'cancel'): Promise<void> {
    const r = await post<unknown>(`/tasks/${x.id}/${what}`, {});
    if (!r.ok) { toastError(r.error); return; }
    void load();
  }

  const reload = throttle(() => { void load(); }, 2000);
  const offs = [
    on('task.progress', (e) => {
      const id = Number(e.taskId);
      const x = tasks.find((y) => y.id === id);
      if (!firstSeen.has(id)) firstSeen.set(id, { at: Date.now(), progress: Number(e.progress) });
      if (!x) { reload(); return; }
      Object.assign(x, { status: String(e.status), total: Number(e.total), progress: Number(e.progress), success: Number(e.success), errors: Number(e.errors) });
      draw();
      if (!['queued', 'running', 'suspended'].includes(x.status)) reload();
    }),
    on('resync', reload),
  ];
  void load();
  return () => offs.forEach((f) => f());
}
