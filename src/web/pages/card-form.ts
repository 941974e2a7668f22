/**
 * Add a card by hand or edit one (panel-features.md §2.6 "Add SIM manually", "Card edit form"):
 * aggregator and place, number, ICCID, operator, balance, title, comment, blocked. The API checks
 * every field (place notation of the model, number uniqueness); its refusal is shown in the form.
 */
import { patch, post } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { t } from '../lib/i18n.ts';
import type { Aggregator, Card } from '../lib/types.ts';
import { field, modal, onSubmit, toast } from '../lib/ui.ts';

/** Opens the form; `saved` runs after the API accepted it. `card` absent: a new card. */
export function cardForm(aggregators: readonly Aggregator[], card: Card | null, saved: () => void): void {
  const agg = h('select', { name: 'aggregatorId', required: true }, aggregators.map((a) => h('option', { value: a.id }, `${a.title} (${a.model})`)));
  if (card) agg.value = String(card.aggregatorId);
  const input = (name: string, value: string | number | null | undefined, o: Record<string, string | number | boolean> = {}) =>
    h('input', { name, value: value === null || value === undefined ? '' : String(value), ...o });
  const place = input('place', card?.place, { required: true, maxlength: 16, placeholder: 'A0, 2-8, B12' });
  const number = input('number', card?.number, { maxlength: 32, inputmode: 'tel' });
  const iccid = input('iccid', card?.iccid, { maxlength: 24 });
  const operator = input('operator', card?.operator, { maxlength: 64 });
  const balance = input('balance', card?.balance, { type: 'number', step: '0.01' });
  const title = input('title', card?.title, { maxlength: 255 });
  const comment = h('textarea', { name: 'comment', maxlength: 1000, rows: 2 }, card?.comment ?? '');
  const blocked = h('input', { type: 'checkbox', name: 'blocked', checked: card?.blocked ?? false });
  const msg = h('p', { class: 'form-error', role: 'alert' });
  const orNull = (v: string): string | null => (v.trim() === '' ? null : v.trim());

  modal(t(card ? 'editCard' : 'addCard'), (close) => onSubmit(h('form', { class: 'stack', id: 'card-form' },
    field(t('aggregator'), agg), field(t('place'), place), field(t('number'), number), field('ICCID', iccid), field(t('operator'), operator, t('operatorNameHint')),
    field(t('balance'), balance), field(t('title'), title), field(t('comment'), comment), h('label', { class: 'check' }, blocked, t('blocked')), msg,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')),
      h('button', { type: 'submit', class: 'btn primary' }, t(card ? 'save' : 'add')))),
  async () => {
    const body: Record<string, unknown> = {
      aggregatorId: Number(agg.value), place: place.value.trim(), number: orNull(number.value)?.replace(/[\s()+-]/g, '') ?? null,
      iccid: orNull(iccid.value), operator: orNull(operator.value), balance: balance.value === '' ? null : Number(balance.value),
      title: title.value.trim(), comment: comment.value, blocked: blocked.checked,
    };
    const r = card ? await patch<Card>(`/cards/${card.id}`, body) : await post<{ id: number }>('/cards', body);
    if (!r.ok) { msg.textContent = r.error.message; return; }
    close();
    toast(t(card ? 'saved' : 'cardAdded'), 'ok');
    saved();
  }), { wide: true });
}
