/**
 * `check_balance` (device-link.md §6.5 `get_balance`): the operator rule of the SIM's provider
 * (read fresh, else the card's stored operator), its balance request by USSD or the SMS answer,
 * the amount stored on the card with the previous one kept as `last_balance` (the change).
 */
import { askOperator } from './ask-operator.ts';
import type { KindRunner, SlotResult } from './slot.ts';

/**
 * The balance in an operator's text: the first amount of up to 5 digits with an optional `.`/`,`
 * and 1–2 decimals; negative when a minus sign precedes it or the text says "минус"/"minus".
 */
export function balanceIn(text: string): number | null {
  const m = /(-\s*)?(\d{1,5}(?:[.,]\d{1,2})?)(?!\d)/.exec(text);
  if (!m) return null;
  const v = Number(m[2]!.replace(',', '.'));
  if (!Number.isFinite(v)) return null;
  const negative = m[1] !== undefined || /минус|minus/i.test(text);
  return negative ? -v : v;
}

const money = (v: number): string => v.toFixed(2);

export const checkBalance: KindRunner = async (env, slot) => {
  const name = slot.operator ?? slot.card.operator ?? '';
  if (slot.operator) await env.repo.updateCardInfo(slot.card.id, { operator: slot.operator });
  if (name === '') return { code: 'operator' };
  const rule = (await env.tasks.profileFor(name)) ?? (slot.network ? await env.tasks.profileFor(slot.network) : null);
  if (!rule || rule.balanceMethod === 'none' || rule.balanceCode === '') return { code: 'profile', detail: name };
  const store = async (balance: number): Promise<SlotResult> => {
    const { previous } = await env.tasks.recordBalance(slot.card.id, balance);
    const change = previous === null ? '' : ` (was ${money(previous)}, ${balance - previous >= 0 ? '+' : ''}${money(balance - previous)})`;
    return { code: 'ok', detail: `${money(balance)}${change}` };
  };
  const asked = await askOperator(env, slot, rule.balanceCode, balanceIn);
  if (asked.ok) return store(asked.value);
  if (asked.code === 'later') {
    const { check } = asked;
    return { code: 'balance', detail: asked.detail, later: { check: async () => { const v = await check(); return v === null ? null : store(v); } } };
  }
  return { code: asked.code === 'ussd' ? 'ussd' : 'balance', detail: asked.detail };
};
