/**
 * Starting a task from a selection of cards or from a pool (issue #6 items 3, 4, 7). The kinds
 * offered are the ones the API says it accepts — the `kind` enum of `POST /tasks` in the OpenAPI
 * document — so a kind added on the server shows up here without a console change; an older
 * document without the enum falls back to the kinds the legacy panel had. The console checks
 * nothing itself: what the API refuses (an unsupported kind or model, bad parameters) is shown in
 * the API's own words, in the dialog.
 */
import { get, post } from './api.ts';
import { h } from './dom.ts';
import { t, type Key } from './i18n.ts';
import type { Task } from './types.ts';
import { field, modal, onSubmit, toast } from './ui.ts';

/** The legacy panel's task kinds (panel-features.md §2.6 card actions), used when the document lists none. */
export const KNOWN_KINDS = ['scan_number', 'check_balance', 'read_iccid', 'pull_sms', 'send_sms', 'test_call'] as const;

let kinds: Promise<string[]> | null = null;

type Schema = { properties?: Record<string, Schema>; enum?: unknown[] };

/** Task kinds `POST /tasks` accepts, from the OpenAPI document (read once per page load). */
export function taskKinds(): Promise<string[]> {
  kinds ??= get<{ paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>> }>('/openapi.json').then((r) => {
    const kind = r.ok ? r.value.paths?.['/tasks']?.post?.requestBody?.content?.['application/json']?.schema?.properties?.kind : undefined;
    const list = Array.isArray(kind?.enum) ? kind.enum.filter((k): k is string => typeof k === 'string' && /^[a-z_]{1,40}$/.test(k)) : [];
    return list.length ? list : [...KNOWN_KINDS];
  });
  return kinds;
}

/** A kind in words (the kind itself when the console has no words for it yet). */
export function kindLabel(kind: string): string {
  const key = `kind_${kind}` as Key;
  const s = t(key);
  return s === key ? kind : s;
}

export type TaskTarget = { cardIds: number[] } | { poolId: number; title: string };

/** Parameter fields of the kinds that take some; `read()` gives the `params` object or null for none. */
function paramFields(kind: string): { el: HTMLElement | null; read(): Record<string, unknown> | undefined } {
  if (kind === 'send_sms') {
    const recipients = h('textarea', { name: 'recipients', rows: 4, maxlength: 40_000, required: true, placeholder: '+79001234567' });
    const text = h('textarea', { name: 'text', rows: 3, maxlength: 1000, required: true });
    const perSim = h('input', { name: 'perSim', type: 'number', min: 1, max: 100, value: 1 });
    return {
      el: h('div', { class: 'stack' }, field(t('recipients'), recipients, t('recipientsHint')), field(t('smsText'), text), field(t('perSim'), perSim, t('perSimHint'))),
      read: () => ({ recipients: recipients.value.split(/[\n,;]+/).map((x) => x.trim()).filter(Boolean), text: text.value, perSim: Number(perSim.value) || 1 }),
    };
  }
  if (kind === 'test_call') {
    const number = h('input', { name: 'number', required: true, maxlength: 40, placeholder: '+79001234567' });
    const seconds = h('input', { name: 'seconds', type: 'number', min: 5, max: 120, value: 15 });
    return {
      el: h('div', { class: 'stack' }, field(t('dialNumber'), number), field(t('callSeconds'), seconds)),
      read: () => ({ number: number.value.trim(), seconds: Number(seconds.value) || 15 }),
    };
  }
  return { el: null, read: () => undefined };
}

/**
 * Queues `kind` on the target; on success tells and calls `done` with the tasks, on refusal answers
 * the API's message (also shown by the caller).
 */
export async function startTask(kind: string, target: TaskTarget, params?: Record<string, unknown>): Promise<{ ok: true; tasks: Task[] } | { ok: false; code: string; message: string }> {
  const body: Record<string, unknown> = { kind, ...('poolId' in target ? { poolId: target.poolId } : { cardIds: target.cardIds }) };
  if (params !== undefined) body.params = params;
  const r = await post<{ items: Task[] }>('/tasks', body);
  if (!r.ok) return { ok: false, code: r.error.code, message: r.error.message };
  toast(t('taskQueuedN', { n: r.value.items.length }), 'ok');
  return { ok: true, tasks: r.value.items };
}

/** The "run a task" dialog: kind, its parameters, and the API's answer. */
export function taskDialog(target: TaskTarget, done: (tasks: Task[]) => void, preset?: string): void {
  const kindSel = h('select', { name: 'kind', id: 'task-kind' });
  const params = h('div', { class: 'task-params' });
  const msg = h('p', { class: 'form-error', role: 'alert', id: 'task-error' });
  let fields = paramFields('');
  const pick = (): void => {
    fields = paramFields(kindSel.value);
    params.replaceChildren(...(fields.el ? [fields.el] : []));
    msg.textContent = '';
  };
  kindSel.addEventListener('change', pick);
  void taskKinds().then((list) => {
    kindSel.replaceChildren(...list.map((k) => h('option', { value: k }, kindLabel(k))));
    if (preset && list.includes(preset)) kindSel.value = preset;
    pick();
  });
  const lead = 'poolId' in target ? t('taskOnPool', { title: target.title }) : t('taskOnCards', { n: target.cardIds.length });
  modal(t('runTask'), (close) => onSubmit(h('form', { class: 'stack', id: 'task-form' },
    h('p', null, lead), field(t('task'), kindSel), params, msg,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')),
      h('button', { type: 'submit', class: 'btn primary' }, t('start')))),
  async () => {
    const r = await startTask(kindSel.value, target, fields.read());
    if (!r.ok) { msg.textContent = r.message; msg.dataset.code = r.code; return; }
    close();
    done(r.tasks);
  }));
}
