/**
 * Aggregators: tiles with live online/offline, model, last heard, modems, cards and the current
 * task; add (shows the link URL and token once, copyable), edit, init, stop, new link token,
 * delete, and the slot map as the hardware is laid out (panel-features.md §2.4).
 */
import { del, get, patch, post, routeExists } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace, safeColor, setVar } from '../lib/dom.ts';
import { fmtAgo, fmtNumber, fmtTime } from '../lib/format.ts';
import { t, type Key } from '../lib/i18n.ts';
import { on, throttle } from '../lib/live.ts';
import type { Aggregator, CreatedAggregator, Layout, LayoutSlot, Task } from '../lib/types.ts';
import { kindLabel } from '../lib/tasks.ts';
import { badge, confirmDialog, copyButton, empty, errorBox, field, modal, onSubmit, toast, toastError, unavailable } from '../lib/ui.ts';

export const MODEL_TITLES = [
  'SR-Nano-500', 'SR-Nano-1000', 'SR-Train', 'SR-Box-8', 'SR-Box-Bank', 'SR-Board', 'SR-Box-2', 'SR-Box-2-Bank',
  'SR-Organizer', 'SR-Organizer-Smart', 'SR-Box-8-Smart',
] as const;

interface TaskNote { taskId: number; kind: string; status: string; progress: number; total: number }
/** The API's answer to the last init of an aggregator, shown on its tile until the page is left. */
interface InitNote { state: 'queued' | 'not-supported' | 'refused'; text: string }

export function aggregatorsPage(root: HTMLElement, ctx: PageCtx): () => void {
  const list = h('div', { class: 'tiles', id: 'aggregator-list' });
  const tasks = new Map<number, TaskNote>();
  const inits = new Map<number, InitNote>();
  let items: Aggregator[] = [];
  const count = h('span', { class: 'muted', id: 'agg-count' });
  let disposed = false;
  const toolbar = h('div', { class: 'toolbar' },
    count,
    ctx.isAdmin ? h('button', { type: 'button', class: 'btn primary', id: 'add-aggregator', onclick: () => addDialog() }, t('addAggregator')) : null);
  root.append(toolbar, list);

  let canInit = true;
  async function load(): Promise<void> {
    if (ctx.canWrite) canInit = await routeExists('POST', '/aggregators/0/init');
    const [r, running] = await Promise.all([get<{ items: Aggregator[] }>('/aggregators'), get<{ items: Task[] }>('/tasks', { limit: 100 })]);
    if (!r.ok) { replace(list, errorBox(r.error)); return; }
    items = r.value.items;
    // The current task of each aggregator as of now (running before suspended before queued); events keep it moving afterwards.
    if (running.ok) {
      const rank = (s: string): number => ['running', 'suspended', 'queued'].indexOf(s);
      for (const x of running.value.items) {
        const had = tasks.get(x.aggregatorId);
        if (rank(x.status) < 0 || (had && rank(had.status) >= 0 && rank(had.status) <= rank(x.status))) continue;
        tasks.set(x.aggregatorId, { taskId: x.id, kind: x.kind, status: x.status, progress: x.progress, total: x.total });
      }
    }
    draw();
  }

  function draw(): void {
    if (disposed) return;
    count.textContent = t('aggregatorsCount', { n: items.length, online: items.filter((a) => a.online).length });
    if (items.length === 0) { replace(list, empty(t('noAggregators'))); return; }
    replace(list, items.map(tile));
  }

  function tile(a: Aggregator): HTMLElement {
    const task = tasks.get(a.id);
    const initNote = inits.get(a.id);
    const state = a.online ? badge(t('online'), 'ok') : badge(t('offline'), 'off');
    state.dataset.state = a.online ? 'online' : 'offline';
    return h('article', { class: `tile${a.online ? '' : ' dim'}`, 'data-aggregator': a.id, 'data-title': a.title },
      h('header', null, h('h3', null, a.title), state),
      h('dl', { class: 'facts' },
        h('dt', null, t('model')), h('dd', null, a.model),
        h('dt', null, t('lastHeard')), h('dd', { title: fmtTime(a.lastHeardAt) }, fmtAgo(a.lastHeardAt)),
        h('dt', null, t('modems')), h('dd', null, String(a.modemChannels)),
        h('dt', null, t('cards')), h('dd', null, h('a', { href: `#/cards?aggregatorId=${a.id}` }, String(a.cards))),
        h('dt', null, t('linkMode')), h('dd', { 'data-link-mode': a.linkMode }, a.linkMode === 'server'
          ? [t('linkServer'), ' · ', h('span', { class: 'mono' }, a.serverIp ?? '—'), ' · ', h('span', { 'data-server-token': a.serverTokenSet ? 'set' : 'unset' }, t(a.serverTokenSet ? 'serverTokenSet' : 'serverTokenNotSet'))]
          : t('linkClient')),
        h('dt', null, t('token')), h('dd', { class: 'mono' }, `…${a.tokenHint}`),
        a.serial ? [h('dt', null, t('serial')), h('dd', { class: 'mono' }, a.serial)] : null,
        h('dt', null, t('task')), h('dd', { 'data-current-task': task && ['running', 'queued', 'suspended'].includes(task.status) ? task.taskId : null }, task && (task.status === 'running' || task.status === 'queued' || task.status === 'suspended')
          ? h('a', { href: `#/tasks?aggregatorId=${a.id}` }, `${kindLabel(task.kind)} · ${task.progress}/${task.total} · ${t(`taskStatus_${task.status}` as Key)}`) : '—')),
      initNote ? h('p', { class: `init-result ${initNote.state === 'queued' ? 'ok' : 'warn'}`, 'data-init': initNote.state, role: 'status' }, `${t('initResult')}: ${initNote.text}`) : null,
      h('footer', null,
        h('button', { type: 'button', class: 'btn small', 'data-action': 'slots', onclick: () => slotsDialog(a) }, t('slotMap')),
        ctx.isAdmin ? h('button', { type: 'button', class: 'btn small', 'data-action': 'init', disabled: !canInit, title: canInit ? '' : t('notAvailable'), onclick: () => { void init(a); } }, t('init')) : null,
        ctx.canWrite ? h('button', { type: 'button', class: 'btn small', 'data-action': 'stop', onclick: () => command(a, 'stop') }, t('stop')) : null,
        ctx.isAdmin ? h('button', { type: 'button', class: 'btn small', 'data-action': 'edit', onclick: () => editDialog(a) }, t('edit')) : null,
        ctx.isAdmin ? h('button', { type: 'button', class: 'btn small', 'data-action': 'token', onclick: () => rotate(a) }, t('newLinkToken')) : null,
        ctx.isAdmin ? h('button', { type: 'button', class: 'btn small danger', 'data-action': 'delete', onclick: () => remove(a) }, t('delete')) : null));
  }

  async function command(a: Aggregator, what: 'stop'): Promise<void> {
    if (!(await confirmDialog(t('stopConfirm', { title: a.title }), t('stop')))) return;
    // Stop takes every card of the aggregator offline (the runtime then idles it).
    const r = await post<unknown>('/online/stop', { aggregatorId: a.id });
    if (!r.ok) { toastError(r.error); return; }
    toast(t(`${what}Queued`), 'ok');
  }

  /** Init (admin): the driver's init sequence; the API's answer — queued, or why not — stays on the tile. */
  async function init(a: Aggregator): Promise<void> {
    const r = await post<{ commands?: unknown }>(`/aggregators/${a.id}/init`, {});
    const n = r.ok && Array.isArray(r.value.commands) ? r.value.commands.length : r.ok && typeof r.value.commands === 'number' ? r.value.commands : 0;
    inits.set(a.id, r.ok ? { state: 'queued', text: t('initAccepted', { n }) }
      : r.error.code === 'SIMNAV_ERR_NOT_SUPPORTED_FOR_MODEL' ? { state: 'not-supported', text: t('initNotSupported', { message: r.error.message }) }
        : { state: 'refused', text: t('initFailed', { message: r.error.message }) });
    if (r.ok) toast(t('initQueued'), 'ok');
    draw();
  }

  function showLink(c: CreatedAggregator, titleKey: Key): void {
    modal(t(titleKey), (close) => h('div', { class: 'stack', id: 'link-info' },
      h('p', null, t('linkExplain')),
      field(t('linkUrl'), h('div', { class: 'copyline' }, h('code', { id: 'link-url' }, c.linkUrl), copyButton(c.linkUrl))),
      field(t('token'), h('div', { class: 'copyline' }, h('code', { id: 'link-token' }, c.token), copyButton(c.token))),
      h('p', { class: 'warn' }, t('shownOnce')),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn primary', onclick: () => close() }, t('done')))), { wide: true });
  }

  function addDialog(): void {
    const title = h('input', { name: 'title', required: true, maxlength: 100 });
    const model = h('select', { name: 'model' }, MODEL_TITLES.map((m) => h('option', { value: m }, m)));
    const link = linkFields(null);
    const msg = h('p', { class: 'form-error', role: 'alert' });
    modal(t('addAggregator'), (close) => onSubmit(h('form', { class: 'stack', id: 'add-aggregator-form' },
      field(t('title'), title), field(t('model'), model), link.nodes, msg,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')),
        h('button', { type: 'submit', class: 'btn primary' }, t('add')))), async () => {
      const r = await post<CreatedAggregator>('/aggregators', { title: title.value.trim(), model: model.value, ...link.body() });
      if (!r.ok) { msg.textContent = r.error.message; return; }
      close();
      showLink(r.value, 'aggregatorAdded');
      void load();
    }));
  }

  function editDialog(a: Aggregator): void {
    const title = h('input', { name: 'title', required: true, maxlength: 100, value: a.title });
    const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: a.enabled });
    const bankMap = h('input', { name: 'bankMap', pattern: '[01]{1,8}', value: typeof a.settings.bankMap === 'string' ? a.settings.bankMap : '' });
    const msg = h('p', { class: 'form-error', role: 'alert' });
    const banked = /bank|board/i.test(a.model);
    // Per-model settings (panel-features.md §2.4 form; checked by the server, src/models/base.ts).
    const train = /train/i.test(a.model);
    const smart = /smart/i.test(a.model);
    const multi = a.modemChannels > 1;
    const num = (v: unknown): string => (typeof v === 'number' ? String(v) : '');
    const rowBegin = h('input', { name: 'rowBegin', type: 'number', min: 0, max: 999, value: num(a.settings.rowBegin) });
    const rowEnd = h('input', { name: 'rowEnd', type: 'number', min: 0, max: 999, value: num(a.settings.rowEnd) });
    const smartType = h('select', { name: 'smartType' }, h('option', { value: '' }, '—'), [52, 54, 55].map((n) => h('option', { value: n }, String(n))));
    smartType.value = num(a.settings.smartType);
    const channels = Array.isArray(a.settings.enabledChannels) ? a.settings.enabledChannels.filter((c): c is number => typeof c === 'number') : [];
    const enabledChannels = h('input', { name: 'enabledChannels', pattern: '[0-9, ]*', maxlength: 200, value: channels.join(', '), placeholder: t('allModems') });
    const link = linkFields(a);
    modal(t('editAggregator'), (close) => onSubmit(h('form', { class: 'stack', id: 'edit-aggregator-form' },
      field(t('title'), title), h('label', { class: 'check' }, enabled, t('enabled')), link.nodes,
      banked ? field(t('bankMap'), bankMap, t('bankMapHint')) : null,
      train ? [field(t('rowBegin'), rowBegin), field(t('rowEnd'), rowEnd, t('rowsHint'))] : null,
      smart ? field(t('smartType'), smartType) : null,
      multi ? field(t('enabledChannels'), enabledChannels, t('enabledChannelsHint', { n: a.modemChannels })) : null, msg,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')),
        h('button', { type: 'submit', class: 'btn primary' }, t('save')))), async () => {
      const body: Record<string, unknown> = { title: title.value.trim(), enabled: enabled.checked, ...link.body() };
      const settings: Record<string, unknown> = { ...a.settings };
      if (banked && bankMap.value) settings.bankMap = bankMap.value;
      if (train) for (const [k, el] of [['rowBegin', rowBegin], ['rowEnd', rowEnd]] as const) { if (el.value === '') delete settings[k]; else settings[k] = Number(el.value); }
      if (smart) { if (smartType.value === '') delete settings.smartType; else settings.smartType = Number(smartType.value); }
      if (multi) {
        const list = enabledChannels.value.split(/[\s,;]+/).filter(Boolean).map(Number);
        if (list.length === 0) delete settings.enabledChannels; else settings.enabledChannels = list;
      }
      if (JSON.stringify(settings) !== JSON.stringify(a.settings)) body.settings = settings;
      const r = await patch<Aggregator>(`/aggregators/${a.id}`, body);
      if (!r.ok) { msg.textContent = r.error.message; return; }
      close();
      void load();
    }));
  }

  async function rotate(a: Aggregator): Promise<void> {
    if (!(await confirmDialog(t('rotateLinkConfirm', { title: a.title }), t('newLinkToken')))) return;
    const r = await post<CreatedAggregator>(`/aggregators/${a.id}/link-token`);
    if (!r.ok) { toastError(r.error); return; }
    showLink(r.value, 'newLinkToken');
  }

  async function remove(a: Aggregator): Promise<void> {
    if (!(await confirmDialog(t('deleteAggregatorConfirm', { title: a.title, n: a.cards }), t('delete')))) return;
    const r = await del<unknown>(`/aggregators/${a.id}`);
    if (!r.ok) { toastError(r.error); return; }
    toast(t('deleted'), 'ok');
    void load();
  }

  const reload = throttle(() => { void load(); }, 1000);
  const offs = [
    on('aggregator.status', (e) => {
      const a = items.find((x) => x.id === e.aggregatorId);
      if (!a) { reload(); return; }
      a.online = Boolean(e.online);
      a.lastHeardAt = typeof e.lastHeardAt === 'number' ? e.lastHeardAt : a.lastHeardAt;
      draw();
    }),
    on('aggregators.changed', reload),
    on('resync', reload),
    on('task.progress', (e) => {
      tasks.set(Number(e.aggregatorId), { taskId: Number(e.taskId), kind: String(e.kind), status: String(e.status), progress: Number(e.progress), total: Number(e.total) });
      draw();
    }),
  ];
  // "Last heard … ago" is re-rendered locally; the list itself is refreshed rarely as a safety net
  // for runtimes that do not publish aggregator.status.
  const tick = setInterval(() => draw(), 5000);
  const refresh = setInterval(() => { void load(); }, 10000);
  void load();
  return () => { disposed = true; offs.forEach((f) => f()); clearInterval(tick); clearInterval(refresh); };
}

/** Legacy status codes (panel-features.md §1.5) → CSS class and label key. */
/**
 * Link mode fields of the add and edit forms (device-link.md §2.5): client (the device polls the
 * panel) or server (the panel calls `http://<address>/port`), with the device's address and local
 * token. The API checks both and its refusal is shown in the form. The token is never answered
 * back, so on edit an empty field keeps it; a checkbox removes it. `body()` holds only changes.
 */
function linkFields(a: Aggregator | null): { nodes: HTMLElement; body: () => Record<string, unknown> } {
  const mode = h('select', { name: 'linkMode' }, h('option', { value: 'client' }, t('linkModeClient')), h('option', { value: 'server' }, t('linkModeServer')));
  mode.value = a?.linkMode ?? 'client';
  const ip = h('input', { name: 'serverIp', maxlength: 260, autocomplete: 'off', placeholder: '192.168.1.50:80', value: a?.serverIp ?? '' });
  const token = h('input', { name: 'serverToken', autocomplete: 'off', placeholder: a?.serverTokenSet ? t('serverTokenKeep') : '' });
  const clear = h('input', { type: 'checkbox', name: 'serverTokenClear' });
  const server = h('div', { class: 'stack', 'data-link': 'server' },
    field(t('serverIp'), ip, t('serverIpHint')), field(t('serverToken'), token, t('serverTokenHint')),
    a?.serverTokenSet ? h('label', { class: 'check' }, clear, t('serverTokenClear')) : null);
  const show = (): void => { server.classList.toggle('hidden', mode.value !== 'server'); };
  mode.addEventListener('change', show);
  show();
  return {
    nodes: h('div', { class: 'stack' }, field(t('linkMode'), mode), server),
    body() {
      const out: Record<string, unknown> = {};
      if (mode.value !== (a?.linkMode ?? 'client')) out.linkMode = mode.value;
      if (mode.value !== 'server') return out;
      const addr = ip.value.trim();
      if (addr !== (a?.serverIp ?? '')) out.serverIp = addr === '' ? null : addr;
      if (token.value.trim() !== '') out.serverToken = token.value.trim();
      else if (clear.checked) out.serverToken = null;
      return out;
    },
  };
}

export function statusClass(code: number | null | undefined): { cls: string; key: Key } {
  switch (code) {
    case 1: return { cls: 'st-active', key: 'st_1' };
    case 5: return { cls: 'st-roaming', key: 'st_5' };
    case 2: return { cls: 'st-search', key: 'st_2' };
    case 0: return { cls: 'st-none', key: 'st_0' };
    case 3: return { cls: 'st-denied', key: 'st_3' };
    case 6: return { cls: 'st-empty', key: 'st_6' };
    case 9: return { cls: 'st-nosms', key: 'st_9' };
    case -1: case -2: case -3: return { cls: 'st-wait', key: `st_m${-code}` as Key };
    case 4: return { cls: 'st-unknown', key: 'st_4' };
    default: return { cls: 'st-unknown', key: 'st_unknown' };
  }
}

export function slotsDialog(a: Aggregator): void {
  const host = h('div', { class: 'slotmap-host' }, t('loading'));
  modal(t('slotMapOf', { title: a.title }), () => host, { wide: true });
  void (async () => {
    const r = await get<Layout>(`/aggregators/${a.id}/layout`);
    if (!r.ok) { replace(host, r.error.code === 'SIMNAV_ERR_ROUTE_NOT_FOUND' ? unavailable() : errorBox(r.error)); return; }
    replace(host, slotMap(r.value));
  })();
}

export function slotMap(l: Layout): HTMLElement {
  const cell = (s: LayoutSlot): HTMLElement => {
    const c = s.card;
    const st = c?.online ? statusClass(c.statusCode) : null;
    const cls = !c ? 'slot vacant' : c.blocked ? 'slot blocked' : c.online ? `slot online ${st!.cls}` : c.number ? 'slot known' : 'slot unknown';
    const el = h('div', { class: cls, 'data-place': s.place, title: c ? `${s.place} · ${fmtNumber(c.number)}${st ? ` · ${t(st.key)}` : ''}` : `${s.place} · ${t('vacant')}` },
      h('span', { class: 'place' }, s.place));
    const col = safeColor(c?.operatorColor);
    if (col) setVar(el, '--op', col);
    return el;
  };
  return h('div', { class: `slotmap kind-${l.kind}`, 'data-model': l.model },
    h('div', { class: 'legend' },
      h('span', { class: 'slot known' }), t('legendKnown'), h('span', { class: 'slot unknown' }), t('legendUnknown'),
      h('span', { class: 'slot online st-active' }), t('online'), h('span', { class: 'slot blocked' }), t('blocked'), h('span', { class: 'slot vacant' }), t('vacant')),
    l.lines.map((line) => h('div', { class: 'slot-line' }, h('span', { class: 'line-label' }, line.label), h('div', { class: 'slots' }, line.slots.map(cell)))));
}
