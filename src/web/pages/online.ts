/**
 * Online (panel-features.md §2.9): choose SIMs to put online (by place, row, list or search),
 * a live grid of channels coloured by status, a live SMS feed with codes highlighted and
 * click-to-copy, a sound on new SMS (mutable), an incoming-call banner, per-SIM send SMS, USSD and
 * dial, stop. Everything live comes from the event stream; nothing polls.
 */
import { get, post, routeExists } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace } from '../lib/dom.ts';
import { fmtNumber, fmtTime, smsText } from '../lib/format.ts';
import { t } from '../lib/i18n.ts';
import { on, throttle, type LiveEvent } from '../lib/live.ts';
import type { Aggregator, Card, Layout, OnlineChannel, Page, Sms } from '../lib/types.ts';
import { copyButton, empty, errorBox, field, modal, onSubmit, toast, toastError } from '../lib/ui.ts';
import { statusClass } from './aggregators.ts';

const MUTE_KEY = 'simnav.mute';

function beep(): void {
  try {
    const ac = new AudioContext();
    const o = ac.createOscillator();
    const g = ac.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.08, ac.currentTime);
    g.gain.exponentialRampToValueAtTime(0.0001, ac.currentTime + 0.25);
    o.connect(g).connect(ac.destination);
    o.start();
    o.stop(ac.currentTime + 0.25);
    o.onended = () => { void ac.close(); };
  } catch { /* no audio: silent */ }
}

export function onlinePage(root: HTMLElement, ctx: PageCtx): () => void {
  const aggSel = h('select', { name: 'aggregatorId', id: 'online-aggregator' });
  const what = h('input', { name: 'what', id: 'online-what', placeholder: t('onlineWhatPh'), maxlength: 200, value: ctx.params.get('place') ?? '' });
  const grid = h('div', { class: 'table-wrap', id: 'online-grid' });
  const feed = h('ol', { class: 'feed', id: 'sms-feed', 'aria-live': 'polite' });
  const banner = h('div', { class: 'call-banner hidden', id: 'call-banner', role: 'alert' });
  let muted = localStorage.getItem(MUTE_KEY) === '1';
  const mute = h('button', { type: 'button', class: 'btn small', id: 'mute', 'aria-pressed': String(muted) }, muted ? t('unmute') : t('mute'));
  mute.addEventListener('click', () => { muted = !muted; localStorage.setItem(MUTE_KEY, muted ? '1' : '0'); mute.textContent = muted ? t('unmute') : t('mute'); mute.setAttribute('aria-pressed', String(muted)); });
  let channels: OnlineChannel[] = [];
  const shown = new Set<number>();

  const chooser = ctx.canWrite ? onSubmit(h('form', { class: 'inline chooser', id: 'online-form' },
    field(t('aggregator'), aggSel), field(t('onlineWhat'), what),
    h('button', { type: 'submit', class: 'btn primary', id: 'online-on' }, t('putOnline')),
    h('button', { type: 'button', class: 'btn danger', id: 'online-off', onclick: () => { void stopAll(); } }, t('stopOnline'))), start) : h('div', { class: 'inline' }, field(t('aggregator'), aggSel));

  root.append(banner, h('section', { class: 'panel' }, chooser),
    h('div', { class: 'split' },
      h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, t('channels'))), grid),
      h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, t('liveSms')), mute,
        h('button', { type: 'button', class: 'btn small', onclick: () => { replace(feed); shown.clear(); } }, t('clearFeed'))), feed)));

  async function loadAggregators(): Promise<void> {
    const r = await get<{ items: Aggregator[] }>('/aggregators');
    if (!r.ok) return;
    replace(aggSel, h('option', { value: '' }, t('all')), r.value.items.map((a) => h('option', { value: a.id }, `${a.title} (${a.model})`)));
    aggSel.value = ctx.params.get('aggregatorId') ?? '';
  }
  aggSel.addEventListener('change', () => { void load(); });

  async function load(): Promise<void> {
    const r = await get<{ items: OnlineChannel[] }>('/online', aggSel.value ? { aggregatorId: aggSel.value } : undefined);
    if (!r.ok) { replace(grid, errorBox(r.error)); return; }
    channels = r.value.items;
    draw();
  }

  function draw(): void {
    if (channels.length === 0) { replace(grid, empty(t('nothingOnline'))); return; }
    replace(grid, h('table', { class: 'grid channels' },
      h('thead', null, h('tr', null, h('th', null, t('channel')), h('th', null, t('aggregator')), h('th', null, t('place')), h('th', null, t('number')),
        h('th', null, t('operator')), h('th', null, t('status')), h('th', null, ''))),
      h('tbody', null, channels.map((c) => {
        const st = statusClass(c.desired === 'online' ? c.statusCode : null);
        return h('tr', { 'data-card': c.cardId, 'data-place': c.place },
          h('td', null, c.channel === null ? '—' : String(c.channel)),
          h('td', null, c.aggregatorTitle),
          h('td', { class: 'mono' }, c.place),
          h('td', null, c.number ? [fmtNumber(c.number), copyButton(c.number)] : '—'),
          h('td', null, c.operator ?? '—'),
          h('td', null, h('span', { class: `status ${st.cls}`, 'data-status': c.statusCode ?? '' }, c.desired === 'online' ? t(st.key) : t('releasing'))),
          h('td', { class: 'row-actions' }, ctx.canWrite && c.desired === 'online' ? [
            h('button', { type: 'button', class: 'btn small', 'data-action': 'sms', onclick: () => sendSms(c) }, t('sendSms')),
            h('button', { type: 'button', class: 'btn small', 'data-action': 'ussd', onclick: () => ussd(c) }, t('ussdDial')),
            h('button', { type: 'button', class: 'btn small', 'data-action': 'off', onclick: () => { void stopCards([c.cardId]); } }, t('stopOnline')),
          ] : null));
      }))));
  }

  /** Resolves the chooser text to cards: places `A1,B4`, a row `5`, or a number/title search. */
  async function resolveCards(): Promise<Card[] | null> {
    const text = what.value.trim();
    const aggregatorId = aggSel.value;
    if (!text) { toast(t('onlineWhatPh'), 'error'); return null; }
    const parts = text.split(/[\s,;]+/).filter(Boolean);
    const found: Card[] = [];
    // A bare row number on a chosen aggregator means that row of its layout (Box-Bank/Board row
    // across the columns, Train carriage row, Organizer line), as in the legacy Online page.
    if (aggregatorId && parts.length === 1 && /^\d{1,3}$/.test(parts[0]!)) {
      const row = Number(parts[0]);
      const [layout, list] = await Promise.all([get<Layout>(`/aggregators/${aggregatorId}/layout`), get<Page<Card>>('/cards', { aggregatorId, limit: 1000 })]);
      if (layout.ok && list.ok) {
        const inRow = (place: string): boolean => {
          if (layout.value.kind === 'rows') return Number(place.split('-')[0]) === row;
          if (layout.value.kind === 'lines') return Number(/^(\d+)-/.exec(place)?.[1] ?? (place.charCodeAt(0) - 64)) === row;
          return Number(/^[A-Za-z](\d+)$/.exec(place)?.[1] ?? NaN) === row;
        };
        const rowCards = list.value.items.filter((c) => inRow(c.place));
        if (rowCards.length) return rowCards;
      }
    }
    for (const part of parts.slice(0, 64)) {
      const q: Record<string, string> = { limit: '100' };
      if (aggregatorId) q.aggregatorId = aggregatorId;
      if (/^[A-Za-z]?\d{1,3}(-\d{1,2})?$/.test(part) || /^[A-Za-z]$/.test(part)) q.placePrefix = part;
      else if (/^\+?\d{4,}$/.test(part)) q.number = part.replace(/^\+/, '');
      else q.title = part;
      const r = await get<Page<Card>>('/cards', q);
      if (!r.ok) { toastError(r.error); return null; }
      // An exact place wins over the prefix matches (`A1` must not take `A10`…`A19`).
      const exact = q.placePrefix ? r.value.items.filter((c) => c.place.toUpperCase() === part.toUpperCase()) : [];
      found.push(...(exact.length ? exact : r.value.items));
    }
    const uniq = [...new Map(found.map((c) => [c.id, c])).values()];
    if (uniq.length === 0) { toast(t('noCards'), 'error'); return null; }
    return uniq;
  }

  async function start(): Promise<void> {
    const cards = await resolveCards();
    if (!cards) return;
    const byAgg = new Map<number, number[]>();
    for (const c of cards) byAgg.set(c.aggregatorId, [...(byAgg.get(c.aggregatorId) ?? []), c.id]);
    for (const ids of byAgg.values()) {
      const r = await post<{ online: string[]; refused: string[] }>('/online', { cardIds: ids, replace: true });
      if (!r.ok) { toastError(r.error); continue; }
      toast(t('onlineStarted', { n: r.value.online.length }) + (r.value.refused.length ? ` · ${t('refusedPlaces', { places: r.value.refused.slice(0, 10).join(', ') })}` : ''), r.value.online.length ? 'ok' : 'error');
    }
    void load();
  }

  async function stopCards(ids: number[]): Promise<void> {
    const r = await post<{ count: number }>('/online/stop', { cardIds: ids });
    if (!r.ok) toastError(r.error);
    void load();
  }

  async function stopAll(): Promise<void> {
    const body = aggSel.value ? { aggregatorId: Number(aggSel.value) } : { cardIds: channels.map((c) => c.cardId) };
    const r = await post<{ count: number }>('/online/stop', body);
    if (!r.ok) toastError(r.error); else toast(t('onlineStopped', { n: r.value.count }), 'ok');
    void load();
  }

  function sendSms(c: OnlineChannel): void {
    const to = h('input', { name: 'to', required: true, pattern: '\\+?[0-9]{3,20}', inputmode: 'tel' });
    const text = h('textarea', { name: 'text', required: true, maxlength: 1530, rows: 4 });
    const msg = h('p', { class: 'form-error', role: 'alert' });
    modal(t('sendSmsFrom', { place: c.place }), (close) => onSubmit(h('form', { class: 'stack' }, field(t('recipient'), to), field(t('text'), text), msg,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')), h('button', { type: 'submit', class: 'btn primary' }, t('send')))),
    async () => {
      const r = await post<{ id: number }>(`/online/${c.cardId}/sms`, { to: to.value.trim(), text: text.value });
      if (!r.ok) { msg.textContent = r.error.message; return; }
      close();
      toast(t('smsQueued'), 'ok');
    }));
  }

  function ussd(c: OnlineChannel): void {
    const code = h('input', { name: 'code', required: true, maxlength: 64, placeholder: '*100#  |  +79991234567' });
    const out = h('pre', { class: 'ussd-out', id: 'ussd-out' });
    void Promise.all([routeExists('POST', '/online/0/ussd'), routeExists('POST', '/online/0/dial')]).then(([u, d]) => {
      if (!u && !d) { out.textContent = t('notAvailableUssd'); out.dataset.state = 'not-available'; code.disabled = true; }
    });
    modal(t('ussdDialOn', { place: c.place }), (close) => onSubmit(h('form', { class: 'stack' }, field(t('ussdOrNumber'), code, t('ussdHint')), out,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('close')), h('button', { type: 'submit', class: 'btn primary' }, t('send')))),
    async () => {
      const v = code.value.trim();
      const isUssd = /^[*#]/.test(v);
      const r = await post<{ text?: string }>(`/online/${c.cardId}/${isUssd ? 'ussd' : 'dial'}`, isUssd ? { code: v } : { number: v });
      if (!r.ok) { out.textContent = r.error.status === 404 ? t('notAvailableUssd') : r.error.message; out.dataset.state = 'not-available'; return; }
      out.textContent = r.value.text ?? t('sent');
    }));
  }

  function addSms(s: { id: number; number: string | null; place: string; sender: string; text: string; at: number }, fresh: boolean): void {
    if (shown.has(s.id)) return;
    shown.add(s.id);
    const li = h('li', { class: `sms${fresh ? ' fresh' : ''}`, 'data-sms': s.id },
      h('div', { class: 'meta' }, h('strong', null, s.sender), ' → ', fmtNumber(s.number), ' · ', h('span', { class: 'mono' }, s.place), h('span', { class: 'time' }, fmtTime(s.at))),
      h('div', { class: 'text' }, smsText(s.text)));
    feed.prepend(li);
    while (feed.children.length > 200) feed.lastElementChild?.remove();
  }

  async function loadFeed(): Promise<void> {
    const r = await get<Page<Sms>>('/sms', { limit: 10 });
    if (!r.ok) return;
    for (const s of [...r.value.items].reverse()) addSms({ id: s.id, number: s.number, place: s.place, sender: s.sender, text: s.text, at: s.receivedAt }, false);
  }

  function onSms(e: LiveEvent): void {
    if (aggSel.value && Number(aggSel.value) !== e.aggregatorId) return;
    const id = Number(e.smsId);
    if (shown.has(id)) return;
    addSms({ id, number: (e.number as string | null) ?? null, place: String(e.place), sender: String(e.sender), text: String(e.text), at: Number(e.receivedAt) }, true);
    if (!muted) beep();
  }

  let lastRing = 0;
  function onCall(e: LiveEvent): void {
    replace(banner, h('span', { class: 'ring-icon', 'aria-hidden': 'true' }, '☎'),
      t('incomingCall', { to: `${String(e.place)} ${fmtNumber((e.number as string | null) ?? null)}`, from: fmtNumber(String(e.caller)) }),
      h('button', { type: 'button', class: 'btn small', onclick: () => banner.classList.add('hidden') }, t('close')));
    banner.classList.remove('hidden');
    if (!muted && Date.now() - lastRing > 5000) { lastRing = Date.now(); beep(); }
  }

  const reload = throttle(() => { void load(); }, 1000);
  const offs = [on('sms.received', onSms), on('call.incoming', onCall), on('card.status', reload), on('resync', reload)];
  void loadAggregators().then(load);
  void loadFeed();
  return () => offs.forEach((f) => f());
}
