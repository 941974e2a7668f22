/**
 * SIM inventory (panel-features.md §2.6): the legacy filters, sort, pages, bulk select and
 * actions (add to pool, new pool from the selection or the filter, scan number, check balance,
 * delete), duplicate numbers highlighted, balance with its change, operator colours, CSV import
 * and export (UTF-8 or CP1251) and TXT exports.
 */
import { call, get, post, type Query } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace, safeColor, setVar } from '../lib/dom.ts';
import { fmtMoney, fmtNumber, fmtTime } from '../lib/format.ts';
import { t, type Key } from '../lib/i18n.ts';
import { on, throttle } from '../lib/live.ts';
import type { Aggregator, Card, Page, Pool } from '../lib/types.ts';
import { confirmDialog, download, empty, errorBox, field, modal, onSubmit, toast, toastError } from '../lib/ui.ts';
import { showPoolKey } from './pools.ts';
import { kindLabel, startTask, taskDialog } from '../lib/tasks.ts';
import { cardForm } from './card-form.ts';

const FILTERS = ['number', 'iccid', 'title', 'operator', 'placePrefix', 'balance', 'comment'] as const;
const SORTS = ['place', 'aggregator', 'iccid', 'number', 'balance', 'balanceAt', 'operator', 'updated', 'pools'] as const;
const PAGE_SIZES = [50, 100, 500, 1000];

export function cardsPage(root: HTMLElement, ctx: PageCtx): () => void {
  const p = ctx.params;
  const inputs = Object.fromEntries(FILTERS.map((k) => [k, h('input', { name: k, value: p.get(k) ?? '', maxlength: 100, placeholder: t(`ph_${k}` as Key) })])) as Record<(typeof FILTERS)[number], HTMLInputElement>;
  const aggSel = h('select', { name: 'aggregatorId' }, h('option', { value: '' }, t('all')));
  const sortSel = h('select', { name: 'sort' }, SORTS.map((s) => h('option', { value: s }, t(`sort_${s}` as Key))));
  sortSel.value = p.get('sort') ?? 'place';
  const desc = h('input', { type: 'checkbox', name: 'desc', checked: p.get('desc') === 'true' });
  const dupsOnly = h('input', { type: 'checkbox', name: 'duplicates', checked: p.get('duplicates') === 'true' });
  const sizeSel = h('select', { name: 'limit' }, PAGE_SIZES.map((n) => h('option', { value: n }, String(n))));
  sizeSel.value = p.get('limit') ?? '100';
  let offset = Number(p.get('offset') ?? 0) || 0;
  let items: Card[] = [];
  let aggregators: Aggregator[] = [];
  let total = 0;
  const selected = new Set<number>();

  const filterForm = onSubmit(h('form', { class: 'filters', id: 'card-filters' },
    FILTERS.map((k) => field(t(`f_${k}` as Key), inputs[k])),
    field(t('aggregator'), aggSel), field(t('sort'), sortSel), h('label', { class: 'check' }, desc, t('descending')), field(t('pageSize'), sizeSel),
    h('label', { class: 'check' }, dupsOnly, t('duplicatesOnly')),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('apply')),
      h('button', { type: 'button', class: 'btn', onclick: () => { for (const k of FILTERS) inputs[k].value = ''; aggSel.value = ''; dupsOnly.checked = false; offset = 0; void load(); } }, t('reset')))),
  async () => { offset = 0; await load(); });

  const count = h('span', { class: 'muted', id: 'card-count' });
  const selCount = h('span', { class: 'muted', id: 'selected-count' });
  const table = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const fileInput = h('input', { type: 'file', accept: '.csv,.txt,text/csv,text/plain', class: 'offscreen', id: 'import-file', onchange: () => { void importFile(); } });
  const exportEnc = h('select', { name: 'encoding', 'aria-label': t('encoding') }, h('option', { value: 'utf-8' }, 'UTF-8'), h('option', { value: 'windows-1251' }, 'CP1251 (Excel)'));

  const bulk = h('div', { class: 'toolbar bulk' }, count, selCount,
    ctx.canWrite ? [
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'add-to-pool', onclick: () => addToPool() }, t('addToPool')),
      p.get('poolId') ? h('button', { type: 'button', class: 'btn', 'data-bulk': 'remove-from-pool', onclick: () => { void removeFromPool(); } }, t('removeFromPool')) : null,
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'pool-from-selection', onclick: () => newPool('selection') }, t('poolFromSelection')),
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'pool-from-filter', onclick: () => newPool('filter') }, t('poolFromFilter')),
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'scan', onclick: () => { void task('scan_number'); } }, t('scanNumber')),
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'balance', onclick: () => { void task('check_balance'); } }, t('checkBalance')),
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'task', onclick: () => { if (needSelection()) taskDialog({ cardIds: [...selected] }, () => ctx.navigate('#/tasks')); } }, t('runTaskMenu')),
      h('button', { type: 'button', class: 'btn danger', 'data-bulk': 'delete', onclick: () => { void removeSelected(); } }, t('delete')),
    ] : null,
    h('span', { class: 'spacer' }),
    ctx.canWrite ? [
      h('button', { type: 'button', class: 'btn', id: 'add-card', onclick: () => cardForm(aggregators, null, () => { void load(); }) }, t('addCard')),
      fileInput, h('button', { type: 'button', class: 'btn', id: 'import-csv', onclick: () => fileInput.click() }, t('importCsv'))] : null,
    exportEnc,
    h('button', { type: 'button', class: 'btn', id: 'export-csv', onclick: () => { void exportCsv(); } }, t('exportCsv')),
    h('button', { type: 'button', class: 'btn', id: 'export-txt', onclick: () => { void exportTxt(false); } }, t('exportTxt')),
    h('button', { type: 'button', class: 'btn', id: 'export-iccid', onclick: () => { void exportTxt(true); } }, t('exportIccidTxt')));

  root.append(h('details', { class: 'filter-box', open: true }, h('summary', null, t('filters')), filterForm), bulk, table, pager);

  function filterQuery(): Query {
    const q: Query = {};
    for (const k of FILTERS) if (inputs[k].value.trim()) q[k] = inputs[k].value.trim();
    if (aggSel.value) q.aggregatorId = aggSel.value;
    if (p.get('poolId')) q.poolId = p.get('poolId');
    if (dupsOnly.checked) q.duplicates = true;
    return q;
  }
  function listQuery(): Query {
    return { ...filterQuery(), sort: sortSel.value, desc: desc.checked, limit: Number(sizeSel.value), offset };
  }

  async function loadAggregators(): Promise<void> {
    const r = await get<{ items: Aggregator[] }>('/aggregators');
    if (!r.ok) return;
    aggregators = r.value.items;
    const want = p.get('aggregatorId') ?? aggSel.value;
    replace(aggSel, h('option', { value: '' }, t('all')), r.value.items.map((a) => h('option', { value: a.id }, a.title)));
    aggSel.value = want;
  }

  async function load(): Promise<void> {
    const r = await get<Page<Card>>('/cards', listQuery());
    if (!r.ok) { replace(table, errorBox(r.error)); return; }
    items = r.value.items;
    total = r.value.total;
    for (const id of [...selected]) if (!items.some((c) => c.id === id)) selected.delete(id);
    draw();
  }

  function draw(): void {
    count.textContent = t('cardsShown', { shown: items.length, total });
    selCount.textContent = selected.size ? t('selectedN', { n: selected.size }) : '';
    if (items.length === 0) { replace(table, empty(t('noCards'))); replace(pager); return; }
    const all = h('input', { type: 'checkbox', 'aria-label': t('selectAll'), id: 'select-all', checked: items.every((c) => selected.has(c.id)),
      onchange: (e: Event) => { const on = (e.target as HTMLInputElement).checked; for (const c of items) if (on) selected.add(c.id); else selected.delete(c.id); draw(); } });
    const showTitle = items.some((c) => c.title);
    replace(table, h('table', { class: 'grid', id: 'cards-table' },
      h('thead', null, h('tr', null, h('th', null, all), h('th', null, '#'), showTitle ? h('th', null, t('title')) : null, h('th', null, t('number')),
        h('th', null, 'ICCID'), h('th', null, t('pools')), h('th', null, t('aggregator')), h('th', null, t('place')), h('th', null, t('balance')),
        h('th', null, t('operator')), h('th', null, t('updated')), h('th', null, t('comment')), ctx.canWrite ? h('th', null, '') : null)),
      h('tbody', null, items.map((c, i) => {
        // The server marks numbers another card shares anywhere in the inventory, not only on this page.
        const dup = c.duplicate;
        const op = h('td', { class: 'op' }, c.operatorTitle ?? c.operator ?? '—');
        const col = safeColor(c.operatorColor);
        if (col) { op.classList.add('colored'); setVar(op, '--op', col); }
        const delta = c.balance !== null && c.lastBalance !== null ? c.balance - c.lastBalance : 0;
        return h('tr', { 'data-card': c.id, class: `${c.online ? 'is-online' : ''}${selected.has(c.id) ? ' selected' : ''}` },
          h('td', null, h('input', { type: 'checkbox', 'aria-label': t('select'), checked: selected.has(c.id), onchange: (e: Event) => { if ((e.target as HTMLInputElement).checked) selected.add(c.id); else selected.delete(c.id); draw(); } })),
          h('td', { class: 'muted' }, String(offset + i + 1)),
          showTitle ? h('td', null, c.title) : null,
          h('td', { class: `num${dup ? ' dup' : ''}`, title: dup ? t('duplicate') : '' }, c.blocked ? h('span', { class: 'badge bad' }, t('blocked')) : fmtNumber(c.number), c.online ? h('span', { class: 'dot on', title: t('online') }) : null),
          h('td', { class: 'mono small' }, c.iccid ?? '—'),
          h('td', null, String(c.pools)),
          h('td', null, c.aggregatorTitle),
          h('td', { class: 'mono' }, c.place),
          h('td', { class: 'money' }, fmtMoney(c.balance), delta !== 0 ? h('span', { class: delta > 0 ? 'delta up' : 'delta down', title: fmtTime(c.lastBalanceAt) }, `${delta > 0 ? '+' : ''}${fmtMoney(delta)}`) : null),
          op,
          h('td', { class: 'small' }, fmtTime(c.updatedAt)),
          h('td', { class: 'small' }, c.comment),
          ctx.canWrite ? h('td', { class: 'row-actions' },
            h('button', { type: 'button', class: 'btn small', 'data-action': 'edit', onclick: () => cardForm(aggregators, c, () => { void load(); }) }, t('edit')),
            // Connect this card in Online mode (legacy row icon): the Online page opens with its aggregator and place filled in.
            h('a', { class: `btn small${c.online ? ' active' : ''}`, 'data-action': 'online', href: `#/online?aggregatorId=${c.aggregatorId}&place=${encodeURIComponent(c.place)}`, title: c.online ? t('online') : t('putOnline') }, t('putOnline'))) : null);
      }))));
    const size = Number(sizeSel.value);
    replace(pager,
      h('button', { type: 'button', class: 'btn small', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - size); void load(); } }, '‹'),
      h('span', null, t('pageOf', { from: offset + 1, to: offset + items.length, total })),
      h('button', { type: 'button', class: 'btn small', disabled: offset + size >= total, onclick: () => { offset += size; void load(); } }, '›'));
  }

  function needSelection(): boolean {
    if (selected.size > 0) return true;
    toast(t('selectFirst'), 'error');
    return false;
  }

  function addToPool(): void {
    if (!needSelection()) return;
    const sel = h('select', { name: 'pool' });
    void get<{ items: Pool[] }>('/pools').then((r) => { if (r.ok) replace(sel, r.value.items.map((p) => h('option', { value: p.id }, p.title))); });
    modal(t('addToPool'), (close) => onSubmit(h('form', { class: 'stack' }, field(t('pool'), sel),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')), h('button', { type: 'submit', class: 'btn primary' }, t('add')))),
    async () => {
      const r = await post<{ added?: number }>(`/pools/${sel.value}/cards`, { cardIds: [...selected] });
      if (!r.ok) { toastError(r.error); return; }
      close();
      toast(t('addedToPool', { n: selected.size }), 'ok');
      void load();
    }));
  }

  async function removeFromPool(): Promise<void> {
    if (!needSelection()) return;
    const r = await post<{ removed: number }>(`/pools/${p.get('poolId')}/cards/remove`, { cardIds: [...selected] });
    if (!r.ok) { toastError(r.error); return; }
    toast(t('removedFromPool', { n: r.value.removed }), 'ok');
    selected.clear();
    void load();
  }

  function newPool(from: 'selection' | 'filter'): void {
    if (from === 'selection' && !needSelection()) return;
    const title = h('input', { name: 'title', required: true, maxlength: 200 });
    const msg = h('p', { class: 'form-error', role: 'alert' });
    const what = from === 'selection' ? t('poolFromSelectionLead', { n: selected.size }) : t('poolFromFilterLead', { n: total });
    modal(t(from === 'selection' ? 'poolFromSelection' : 'poolFromFilter'), (close) => onSubmit(h('form', { class: 'stack', id: 'new-pool-form' },
      h('p', null, what), field(t('title'), title), msg,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')), h('button', { type: 'submit', class: 'btn primary' }, t('create')))),
    async () => {
      const body = from === 'selection' ? { title: title.value.trim(), cardIds: [...selected] } : { title: title.value.trim(), filter: numericFilter() };
      const r = await post<{ pool: Pool; key: string }>('/pools', body);
      if (!r.ok) { msg.textContent = r.error.message; return; }
      close();
      showPoolKey(r.value.pool, r.value.key);
      void load();
    }));
  }

  function numericFilter(): Record<string, string | number | boolean> {
    const f: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(filterQuery())) {
      if (v === undefined || v === null) continue;
      f[k] = k === 'aggregatorId' || k === 'poolId' ? Number(v) : k === 'duplicates' ? v === true : String(v);
    }
    return f;
  }

  /** The two everyday kinds as one click; the others through the dialog (they may take parameters). */
  async function task(kind: 'scan_number' | 'check_balance'): Promise<void> {
    if (!needSelection()) return;
    const r = await startTask(kind, { cardIds: [...selected] });
    if (!r.ok) { toast(`${kindLabel(kind)}: ${r.message}`, 'error'); return; }
    ctx.navigate('#/tasks');
  }

  async function removeSelected(): Promise<void> {
    if (!needSelection()) return;
    if (!(await confirmDialog(t('deleteCardsConfirm', { n: selected.size }), t('delete')))) return;
    const r = await post<{ count: number }>('/cards/delete', { ids: [...selected] });
    if (!r.ok) { toastError(r.error); return; }
    selected.clear();
    toast(t('deletedN', { n: r.value.count }), 'ok');
    void load();
  }

  async function importFile(): Promise<void> {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (!f) return;
    const r = await call<{ encoding: string; rows: number; inserted: number; updated: number; skipped: number; errors: Array<{ line: number; code: string; field: string }> }>(
      'POST', '/cards/import', { raw: await f.arrayBuffer(), contentType: 'text/csv' });
    if (!r.ok) { toastError(r.error); return; }
    const rep = r.value;
    modal(t('importResult'), (close) => h('div', { class: 'stack', id: 'import-report' },
      h('dl', { class: 'facts' },
        h('dt', null, t('encoding')), h('dd', null, rep.encoding), h('dt', null, t('rows')), h('dd', null, String(rep.rows)),
        h('dt', null, t('inserted')), h('dd', { 'data-inserted': rep.inserted }, String(rep.inserted)), h('dt', null, t('updatedN')), h('dd', null, String(rep.updated)),
        h('dt', null, t('skipped')), h('dd', null, String(rep.skipped))),
      rep.errors.length ? h('ul', { class: 'errors' }, rep.errors.slice(0, 50).map((e) => h('li', null, t('importLineError', { line: e.line, field: e.field, code: e.code })))) : null,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn primary', onclick: () => close() }, t('done')))));
    void load();
  }

  async function exportCsv(): Promise<void> {
    const r = await call<Blob>('GET', '/cards/export.csv', { query: { ...filterQuery(), sort: sortSel.value, desc: desc.checked, encoding: exportEnc.value }, accept: 'blob' });
    if (!r.ok) { toastError(r.error); return; }
    download(r.value, 'simnav-cards.csv');
  }

  async function exportTxt(withIccid: boolean): Promise<void> {
    const lines: string[] = [];
    for (let off = 0; ; off += 1000) {
      const r = await get<Page<Card>>('/cards', { ...filterQuery(), sort: sortSel.value, desc: desc.checked, limit: 1000, offset: off });
      if (!r.ok) { toastError(r.error); return; }
      for (const c of r.value.items) if (c.number && (!withIccid || c.iccid)) lines.push(withIccid ? `${c.iccid} ${c.number}` : c.number);
      if (off + 1000 >= r.value.total) break;
    }
    download(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/plain;charset=utf-8' }), withIccid ? 'simnav-iccid-numbers.txt' : 'simnav-numbers.txt');
  }

  const reload = throttle(() => { void load(); }, 2000);
  const offs = [on('cards.changed', reload), on('resync', reload)];
  void loadAggregators().then(load);
  return () => offs.forEach((f) => f());
}
