/**
 * Pools (panel-features.md §2.7): list with live FREE / USED / online counts, search by number,
 * rename, restart for the API, rotate the key (shown once, copyable), delete keeping the cards,
 * cards of a pool, and a task over a pool.
 */
import { del, get, patch, post } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace } from '../lib/dom.ts';
import { fmtMoney, fmtTime } from '../lib/format.ts';
import { t } from '../lib/i18n.ts';
import { on, throttle } from '../lib/live.ts';
import type { Pool } from '../lib/types.ts';
import { confirmDialog, copyButton, empty, errorBox, field, modal, onSubmit, toast, toastError } from '../lib/ui.ts';
import { taskDialog } from '../lib/tasks.ts';

/** The key of a new or rotated pool: shown once, with copy. */
export function showPoolKey(pool: Pool, key: string): void {
  modal(t('poolKeyTitle', { title: pool.title }), (close) => h('div', { class: 'stack', id: 'pool-key' },
    h('p', null, t('poolKeyLead')),
    h('div', { class: 'copyline' }, h('code', { id: 'pool-key-value' }, key), copyButton(key)),
    h('p', { class: 'warn' }, t('shownOnce')),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn primary', onclick: () => close() }, t('done')))), { wide: true });
}

export function poolsPage(root: HTMLElement, ctx: PageCtx): () => void {
  const search = h('input', { name: 'number', placeholder: t('searchByNumber'), maxlength: 32 });
  const table = h('div', { class: 'table-wrap' });
  root.append(h('div', { class: 'toolbar' },
    onSubmit(h('form', { class: 'inline', id: 'pool-search' }, search, h('button', { type: 'submit', class: 'btn' }, t('search'))), load),
    h('span', { class: 'spacer' }),
    ctx.canWrite ? h('a', { class: 'btn', href: '#/cards' }, t('newPoolHint')) : null), table);

  async function load(): Promise<void> {
    const r = await get<{ items: Pool[] }>('/pools', search.value.trim() ? { number: search.value.trim() } : undefined);
    if (!r.ok) { replace(table, errorBox(r.error)); return; }
    const items = r.value.items;
    if (items.length === 0) { replace(table, empty(search.value ? t('noPoolsWithNumber') : t('noPools'))); return; }
    replace(table, h('table', { class: 'grid', id: 'pools-table' },
      h('thead', null, h('tr', null, h('th', null, t('title')), h('th', null, t('cards')), h('th', null, 'FREE'), h('th', null, 'USED'), h('th', null, t('online')),
        h('th', null, t('balance')), h('th', null, t('key')), h('th', null, t('updated')), h('th', null, ''))),
      h('tbody', null, items.map((p) => h('tr', { 'data-pool': p.id, 'data-title': p.title },
        h('td', null, h('strong', null, p.title)),
        h('td', null, h('a', { href: `#/cards?poolId=${p.id}` }, String(p.cards))),
        h('td', { class: 'count free', 'data-count': 'free' }, String(p.free)),
        h('td', { class: 'count used', 'data-count': 'used' }, String(p.used)),
        h('td', { class: 'count online', 'data-count': 'online' }, String(p.online)),
        h('td', { class: 'money' }, fmtMoney(p.balance)),
        h('td', { class: 'mono' }, `${p.keyHint}…`),
        h('td', { class: 'small' }, fmtTime(p.updatedAt)),
        h('td', { class: 'row-actions' }, ctx.canWrite ? [
          h('button', { type: 'button', class: 'btn small', 'data-action': 'rename', onclick: () => rename(p) }, t('rename')),
          h('button', { type: 'button', class: 'btn small', 'data-action': 'rotate', onclick: () => { void rotate(p); } }, t('rotateKey')),
          h('button', { type: 'button', class: 'btn small', 'data-action': 'restart', onclick: () => { void restart(p); } }, t('restart')),
          h('button', { type: 'button', class: 'btn small', 'data-action': 'task', onclick: () => taskDialog({ poolId: p.id, title: p.title }, () => ctx.navigate('#/tasks')) }, t('runTaskMenu')),
          h('button', { type: 'button', class: 'btn small danger', 'data-action': 'delete', onclick: () => { void remove(p); } }, t('delete')),
        ] : null))))));
  }

  function rename(p: Pool): void {
    const title = h('input', { name: 'title', required: true, maxlength: 200, value: p.title });
    const msg = h('p', { class: 'form-error', role: 'alert' });
    modal(t('rename'), (close) => onSubmit(h('form', { class: 'stack' }, field(t('title'), title), msg,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')), h('button', { type: 'submit', class: 'btn primary' }, t('save')))),
    async () => {
      const r = await patch<Pool>(`/pools/${p.id}`, { title: title.value.trim() });
      if (!r.ok) { msg.textContent = r.error.message; return; }
      close();
      void load();
    }));
  }

  async function rotate(p: Pool): Promise<void> {
    if (!(await confirmDialog(t('rotateKeyConfirm', { title: p.title }), t('rotateKey')))) return;
    const r = await post<{ key: string }>(`/pools/${p.id}/rotate-key`);
    if (!r.ok) { toastError(r.error); return; }
    showPoolKey(p, r.value.key);
    void load();
  }

  async function restart(p: Pool): Promise<void> {
    if (!(await confirmDialog(t('restartConfirm', { title: p.title }), t('restart'), false))) return;
    const r = await post<unknown>(`/pools/${p.id}/restart`, {});
    if (!r.ok) { toastError(r.error); return; }
    toast(t('restarted'), 'ok');
    void load();
  }

  async function remove(p: Pool): Promise<void> {
    if (!(await confirmDialog(t('deletePoolConfirm', { title: p.title }), t('delete')))) return;
    const r = await del<unknown>(`/pools/${p.id}`);
    if (!r.ok) { toastError(r.error); return; }
    void load();
  }

  const reload = throttle(() => { void load(); }, 2000);
  const offs = [on('pool.changed', reload), on('card.status', reload), on('cards.changed', reload), on('resync', reload)];
  void load();
  return () => offs.forEach((f) => f());
}
