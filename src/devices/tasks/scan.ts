/**
 * `scan_number` (device-link.md §6.5 `get_number`): the SIM's ICCID and provider name (read for
 * the whole batch beforehand, ./sim-identity.ts), the operator rule found by that name, the
 * number asked by USSD (`a|b` = menu steps) and, when the reply holds none, read from the SMS the
 * operator sends. The number gets the rule's country prefix when it lacks it.
 */
import { askOperator } from './ask-operator.ts';
import type { KindRunner, SlotResult } from './slot.ts';

const NUMBER = /\+?\d[\d ()-]{8,17}\d/g;

/** The first 10–13 digit run of a text (spaces, dashes and brackets inside are ignored). */
export function numberIn(t: string): string | null {
  for (const m of t.matchAll(NUMBER)) {
    const d = m[0].replace(/\D/g, '');
    if (d.length >= 10 && d.length <= 13) return d;
  }
  return null;
}

export const scanNumber: KindRunner = async (env, slot) => {
  const info = { ...(slot.iccid ? { iccid: slot.iccid } : {}), ...(slot.operator ? { operator: slot.operator } : {}) };
  if (Object.keys(info).length > 0) await env.repo.updateCardInfo(slot.card.id, info);
  if (!slot.iccid && env.io.driver.family === 'classic') return { code: 'iccid' };
  if (!slot.operator) return { code: 'operator' };
  const rule = (await env.tasks.profileFor(slot.operator)) ?? (slot.network ? await env.tasks.profileFor(slot.network) : null);
  if (!rule || rule.method === 'none' || rule.code === '') return { code: 'profile', detail: slot.operator };
  const store = async (found: string): Promise<SlotResult> => {
    const number = found.length === 10 && rule.prefix !== '' && !found.startsWith(rule.prefix) ? rule.prefix + found : found;
    await env.repo.updateCardInfo(slot.card.id, { number });
    return { code: 'ok', detail: number };
  };
  const asked = await askOperator(env, slot, rule.code, numberIn);
  if (asked.ok) return store(asked.value);
  if (asked.code === 'later') {
    const { check } = asked;
    return { code: 'number', detail: asked.detail, later: { check: async () => { const v = await check(); return v === null ? null : store(v); } } };
  }
  return { code: asked.code === 'ussd' ? 'ussd' : 'number', detail: asked.detail };
};
