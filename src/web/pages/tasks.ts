/**
 * Tasks (panel-features.md §2.12–2.13): live progress bars with counts and ETA, suspend / resume /
 * cancel, and the history with per-slot errors in words. Progress comes from `task.progress`
 * events (the page never polls); the list is read from `GET /tasks` (src/http/tasks). Tasks are
 * started from the inventory's selection or a pool (../lib/tasks.ts).
 */
import { get, post } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace, setVar } from '../lib/dom.ts';
import { fmtDuration, fmtTime } from '../lib/format.ts';
import { t, type Key } from '../lib/i18n.ts';
import { on, throttle } from '../lib/live.ts';
import type { Aggregator, Task } from '../lib/types.ts';
import { confirmDialog, empty, errorBox, field, modal, toast, toastError } from '../lib/ui.ts';
import { kindLabel } from '../lib/tasks.ts';

const LIVE = ['queued', 'running', 'suspended'];

/**
 * A unit's result code in words: simnav's runner codes (`seat`, `denied`, …, src/devices/tasks)
 * and the legacy panel's numbers found in imported reports (panel-features.md §2.13).
 */
export function errorWords(code: number | string): string {
  const c = String(code);
  const runner = `res_${c}` as Key;
  if (/^[a-z_]+$/.test(c) && t(runner) !== runner) return t(runner);
  const key = (['0', '4', '12'].includes(c) ? 'err_inactive' : c === '2' ? 'err_unregistered' : c === '3' ? 'err_blocked' : c === '11' ? 'err_operator' : c === '101' ? 'err_calibration' : null) as Key | null;
  return key ? t(key) : t('err_other', { code: c });
}

export function tasksPage(root: HTMLElement, ctx: PageCtx): () => void {
  const active = h('div', { class: 'stack', id: 'tasks-active' });
  const history = h('div', { class: 'table-wrap', id: 'tasks-history' });
  // The legacy page's device filter (it was broken there: the form sent GET, the code read POST).
  const aggSel = h('select', { name: 'aggregatorId', id: 'tasks-aggregator', 'aria-label': t('aggregator'), onchange: () => {
    ctx.navigate(aggSel.value ? `#/tasks?aggregatorId=${aggSel.value}` : '#/tasks');
  } }, h('option', { value: '' }, t('allAggregators')));
  const only = Number(ctx.params.get('aggregatorId')) || undefined;
  root.append(h('div', { class: 'toolbar' }, field(t('aggregator'), aggSel)),
    h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, t('tasksActive'))), active),
    h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, t('tasksHistory'))), history));
  const titles = new Map<number, string>();
  let tasks: Task[] = [];
  const firstSeen = new Map<number, { at: number; progress: number }>();

  async function load(): Promise<void> {
    const [aggs, r] = await Promise.all([get<{ items: Aggregator[] }>('/aggregators'), get<{ items: Task[] }>('/tasks', { limit: 200, aggregatorId: only })]);
    if (aggs.ok) {
      for (const a of aggs.value.items) titles.set(a.id, a.title);
      replace(aggSel, h('option', { value: '' }, t('allAggregators')), aggs.value.items.map((a) => h('option', { value: a.id }, a.title)));
      aggSel.value = only ? String(only) : '';
    }
    if (!r.ok) { replace(active, errorBox(r.error)); history.closest('section')?.classList.add('hidden'); return; }
    history.closest('section')?.classList.remove('hidden');
    tasks = r.value.items;
    draw();
  }

  function eta(task: Task): string {
    if (task.status !== 'running') return '—';
    // The server's estimate is as of the list read; progress events move the count, so it is scaled locally.
    const started = task.startedAt ?? firstSeen.get(task.id)?.at;
    if (!started || task.progress <= 0 || task.total <= task.progress) return '—';
    const per = (Date.now() - started) / task.progress;
    return fmtDuration(per * (task.total - task.progress));
  }

  function draw(): void {
    const running = tasks.filter((x) => LIVE.includes(x.status));
    const done = tasks.filter((x) => !LIVE.includes(x.status));
    if (running.length === 0) replace(active, empty(t('noActiveTasks')));
    else replace(active, running.map((x) => {
      const pct = x.total > 0 ? Math.round((100 * x.progress) / x.total) : 0;
      const bar = setVar(h('div', { class: 'bar', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 }), '--pct', `${pct}%`);
      return h('article', { class: 'task', 'data-task': x.id, 'data-status': x.status, 'data-kind': x.kind },
        h('header', null, h('strong', null, kindLabel(x.kind)), ' · ', titles.get(x.aggregatorId) ?? `#${x.aggregatorId}`,
          h('span', { class: `badge ${x.status}` }, t(`taskStatus_${x.status}` as Key))),
        h('div', { class: 'progress' }, bar),
        h('div', { class: 'task-facts' },
          h('span', { 'data-progress': `${x.progress}/${x.total}` }, t('progressCounts', { done: x.progress, total: x.total, ok: x.success, errors: x.errors })),
          h('span', null, `${pct}%`), h('span', { class: 'eta' }, t('eta', { eta: eta(x) }))),
        ctx.canWrite ? h('footer', null,
          x.status === 'suspended' ? h('button', { type: 'button', class: 'btn small', 'data-action': 'resume', onclick: () => { void act(x, 'resume'); } }, t('resume'))
            : h('button', { type: 'button', class: 'btn small', 'data-action': 'suspend', onclick: () => { void act(x, 'suspend'); } }, t('suspend')),
          h('button', { type: 'button', class: 'btn small danger', 'data-action': 'cancel', onclick: () => { void act(x, 'cancel'); } }, t('cancel'))) : null);
    }));
    if (done.length === 0) { replace(history, empty(t('noHistory'))); return; }
    replace(history, h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', null, t('task')), h('th', null, t('aggregator')), h('th', null, t('status')), h('th', null, t('simsDone')), h('th', null, t('started')),
        h('th', null, t('finished')), h('th', null, t('duration')), h('th', null, t('success')), h('th', null, t('errors')))),
      h('tbody', null, done.map((x) => h('tr', { 'data-task': x.id, 'data-status': x.status },
        h('td', null, kindLabel(x.kind)), h('td', null, titles.get(x.aggregatorId) ?? `#${x.aggregatorId}`), h('td', null, t(`taskStatus_${x.status}` as Key)),
        h('td', { 'data-count': 'progress' }, `${x.progress}/${x.total}`),
        h('td', { class: 'small' }, fmtTime(x.startedAt ?? x.createdAt)), h('td', { class: 'small' }, fmtTime(x.finishedAt)),
        h('td', { class: 'small' }, x.finishedAt !== null && x.startedAt !== null ? fmtDuration(x.finishedAt - x.startedAt) : '—'),
        h('td', { 'data-count': 'success' }, String(x.success)),
        h('td', { 'data-count': 'errors' }, x.errors > 0 && x.report.some((e) => e.code !== 'ok')
          ? h('button', { type: 'button', class: 'btn small', 'data-action': 'report', onclick: () => report(x) }, String(x.errors)) : String(x.errors)))))));
  }

  function report(x: Task): void {
    // Device text in `detail` (an operator's USSD answer, a modem error) is shown as text, like any outside text.
    modal(t('errorReport'), () => h('table', { class: 'grid', id: 'task-report' }, h('thead', null, h('tr', null, h('th', null, t('place')), h('th', null, t('code')), h('th', null, t('meaning')), h('th', null, t('detail')))),
      h('tbody', null, x.report.filter((e) => e.code !== 'ok').map((e) => h('tr', null, h('td', { class: 'mono' }, e.place), h('td', null, String(e.code)), h('td', null, errorWords(e.code)), h('td', { class: 'small' }, e.detail ?? ''))))), { wide: true });
  }

  async function act(x: Task, what: 'suspend' | 'resume' | 'cancel'): Promise<void> {
    if (what === 'cancel' && !(await confirmDialog(t('cancelConfirm'), t('cancelTask')))) return;
    const r = await post<Task>(`/tasks/${x.id}/${what}`, {});
    if (!r.ok) { toastError(r.error); return; }
    // The answer is the task as it is now; the event that follows says the same.
    const i = tasks.findIndex((y) => y.id === x.id);
    if (i >= 0) tasks[i] = r.value;
    if (what !== 'cancel') toast(t(what === 'suspend' ? 'suspendConfirmed' : 'resumeConfirmed'), 'ok');
    draw();
  }

  const reload = throttle(() => { void load(); }, 2000);
  const offs = [
    on('task.progress', (e) => {
      const id = Number(e.taskId);
      if (only !== undefined && Number(e.aggregatorId) !== only) return;
      const x = tasks.find((y) => y.id === id);
      if (!firstSeen.has(id)) firstSeen.set(id, { at: Date.now(), progress: Number(e.progress) });
      if (!x) { reload(); return; }
      Object.assign(x, { status: String(e.status), total: Number(e.total), progress: Number(e.progress), success: Number(e.success), errors: Number(e.errors) });
      draw();
      // A finished task's report and finish time come with the list.
      if (!LIVE.includes(x.status)) reload();
    }),
    on('resync', reload),
  ];
  void load();
  return () => offs.forEach((f) => f());
}
