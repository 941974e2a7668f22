/**
 * SMS inbox and call log (panel-features.md §2.10–2.11): filters (number, sender/caller, text,
 * place, read state, date range), mark read, bulk delete, export (CSV of what is listed), raw
 * PDUs of a message; new rows arrive live.
 */
import { get, post, type Query } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace } from '../lib/dom.ts';
import { fmtNumber, fmtTime, smsText } from '../lib/format.ts';
import { t } from '../lib/i18n.ts';
import { on, throttle } from '../lib/live.ts';
import type { Call, Page, Sms } from '../lib/types.ts';
import { confirmDialog, download, empty, errorBox, field, modal, onSubmit, toast, toastError, unavailable } from '../lib/ui.ts';

type Kind = 'sms' | 'calls';

function csvCell(v: string): string {
  // Formula injection guard for spreadsheets, then RFC 4180 quoting.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

function messagesPage(kind: Kind) {
  return (root: HTMLElement, ctx: PageCtx): () => void => {
    const peer = kind === 'sms' ? 'sender' : 'caller';
    const number = h('input', { name: 'number', maxlength: 64, value: ctx.params.get('number') ?? '' });
    const peerIn = h('input', { name: peer, maxlength: 64 });
    const text = h('input', { name: 'text', maxlength: 200, placeholder: t('fullTextSearch') });
    const place = h('input', { name: 'place', maxlength: 16 });
    const read = h('select', { name: 'read' }, h('option', { value: '' }, t('all')), h('option', { value: 'false' }, t('unread')), h('option', { value: 'true' }, t('read')));
    const since = h('input', { type: 'date', name: 'since' });
    const until = h('input', { type: 'date', name: 'until' });
    let offset = 0;
    const limit = 100;
    let items: Array<Sms | Call> = [];
    let total = 0;
    const selected = new Set<number>();
    const table = h('div', { class: 'table-wrap' });
    const pager = h('div', { class: 'pager' });
    const count = h('span', { class: 'muted' });

    root.append(h('details', { class: 'filter-box', open: true }, h('summary', null, t('filters')),
      onSubmit(h('form', { class: 'filters', id: `${kind}-filters` },
        field(t('simNumber'), number), field(t(kind === 'sms' ? 'sender' : 'caller'), peerIn), kind === 'sms' ? field(t('text'), text) : null,
        field(t('place'), place), field(t('readState'), read), field(t('since'), since), field(t('until'), until),
        h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('apply')))), async () => { offset = 0; await load(); })),
    h('div', { class: 'toolbar' }, count, ctx.canWrite ? [
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'read', onclick: () => { void mark(true); } }, t('markRead')),
      h('button', { type: 'button', class: 'btn', 'data-bulk': 'unread', onclick: () => { void mark(false); } }, t('markUnread')),
      h('button', { type: 'button', class: 'btn danger', 'data-bulk': 'delete', onclick: () => { void remove(); } }, t('delete')),
    ] : null, h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'btn', onclick: () => exportCsv() }, t('exportCsv'))), table, pager);

    function query(): Query {
      const q: Query = { number: number.value.trim(), [peer]: peerIn.value.trim(), place: place.value.trim(), read: read.value || undefined };
      if (kind === 'sms') q.text = text.value.trim();
      if (since.value) q.since = new Date(`${since.value}T00:00:00`).getTime();
      if (until.value) q.until = new Date(`${until.value}T00:00:00`).getTime() + 86_400_000;
      return q;
    }

    async function load(): Promise<void> {
      const r = await get<Page<Sms | Call>>(`/${kind}`, { ...query(), limit, offset });
      if (!r.ok) { replace(table, errorBox(r.error)); return; }
      items = r.value.items;
      total = r.value.total;
      draw();
    }

    function draw(): void {
      count.textContent = t('shownOfTotal', { shown: items.length, total });
      if (items.length === 0) { replace(table, empty(t(kind === 'sms' ? 'noSms' : 'noCalls'))); replace(pager); return; }
      const all = h('input', { type: 'checkbox', 'aria-label': t('selectAll'), checked: items.every((m) => selected.has(m.id)),
        onchange: (e: Event) => { const v = (e.target as HTMLInputElement).checked; for (const m of items) if (v) selected.add(m.id); else selected.delete(m.id); draw(); } });
      replace(table, h('table', { class: 'grid', id: `${kind}-table` },
        h('thead', null, h('tr', null, h('th', null, all), h('th', null, t('simNumber')), h('th', null, t('aggregator')), h('th', null, t('place')),
          h('th', null, t('operator')), h('th', null, t(kind === 'sms' ? 'sender' : 'caller')), kind === 'sms' ? h('th', null, t('text')) : null, h('th', null, t('time')), kind === 'sms' ? h('th', null, '') : null)),
        h('tbody', null, items.map((m) => h('tr', { 'data-id': m.id, class: m.read ? '' : 'unread' },
          h('td', null, h('input', { type: 'checkbox', 'aria-label': t('select'), checked: selected.has(m.id), onchange: (e: Event) => { if ((e.target as HTMLInputElement).checked) selected.add(m.id); else selected.delete(m.id); } })),
          h('td', null, fmtNumber(m.number)), h('td', null, m.aggregatorTitle), h('td', { class: 'mono' }, m.place), h('td', null, m.operator ?? '—'),
          h('td', null, 'sender' in m ? m.sender : m.caller),
          'text' in m ? h('td', { class: 'sms-text' }, smsText(m.text), m.partsMissing ? h('span', { class: 'badge warn' }, t('partsMissing')) : null) : null,
          h('td', { class: 'small' }, fmtTime('receivedAt' in m ? m.receivedAt : m.at)),
          'text' in m ? h('td', null, h('button', { type: 'button', class: 'btn small', 'data-action': 'pdu', onclick: () => pdus(m) }, 'PDU')) : null)))));
      replace(pager,
        h('button', { type: 'button', class: 'btn small', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - limit); void load(); } }, '‹'),
        h('span', null, t('pageOf', { from: offset + 1, to: offset + items.length, total })),
        h('button', { type: 'button', class: 'btn small', disabled: offset + limit >= total, onclick: () => { offset += limit; void load(); } }, '›'));
    }

    function pdus(m: Sms): void {
      const host = h('div', { class: 'stack' }, t('loading'));
      modal(t('rawPdus'), () => host, { wide: true });
      void get<{ items: Array<{ seq: number; total: number; pdu: string; receivedAt: number }> }>(`/sms/${m.id}/parts`).then((r) => {
        if (!r.ok) { replace(host, r.error.status === 404 ? unavailable(t('pduUnavailable')) : errorBox(r.error)); return; }
        replace(host, r.value.items.map((p) => h('div', { class: 'pdu' }, h('div', { class: 'muted' }, `${p.seq}/${p.total} · ${fmtTime(p.receivedAt)}`), h('pre', { class: 'mono wrap' }, p.pdu))));
      });
    }

    async function mark(isRead: boolean): Promise<void> {
      if (selected.size === 0) { toast(t('selectFirst'), 'error'); return; }
      const r = await post<{ count: number }>(`/${kind}/read`, { ids: [...selected], read: isRead });
      if (!r.ok) { toastError(r.error); return; }
      void load();
    }

    async function remove(): Promise<void> {
      if (selected.size === 0) { toast(t('selectFirst'), 'error'); return; }
      if (!(await confirmDialog(t('deleteMessagesConfirm', { n: selected.size }), t('delete')))) return;
      const r = await post<{ count: number }>(`/${kind}/delete`, { ids: [...selected] });
      if (!r.ok) { toastError(r.error); return; }
      selected.clear();
      void load();
    }

    function exportCsv(): void {
      const head = kind === 'sms' ? ['time', 'number', 'aggregator', 'place', 'sender', 'text'] : ['time', 'number', 'aggregator', 'place', 'caller'];
      const rows = items.map((m) => ('text' in m
        ? [fmtTime(m.receivedAt), m.number ?? '', m.aggregatorTitle, m.place, m.sender, m.text]
        : [fmtTime(m.at), m.number ?? '', m.aggregatorTitle, m.place, (m as Call).caller]).map(csvCell).join(';'));
      download(new Blob(['\ufeff' + [head.join(';'), ...rows].join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' }), `simnav-${kind}.csv`);
    }

    const reload = throttle(() => { if (offset === 0) void load(); }, 1500);
    const offs = [on(kind === 'sms' ? 'sms.received' : 'call.incoming', reload), on('resync', reload)];
    void load();
    return () => offs.forEach((f) => f());
  };
}

export const smsPage = messagesPage('sms');
export const callsPage = messagesPage('calls');
