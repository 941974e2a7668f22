/**
 * Asks the operator something by USSD (the operator rule's code, `a|b` = menu steps) and reads
 * the answer from the USSD reply or, when the reply does not hold it, from the SMS the operator
 * sends (device-link.md §6.5 `get_number` / `get_balance`). The SMS is committed through the
 * intake before it is deleted, like every other SMS.
 *
 * On classic firmware the SMS is not waited for here: the answer is `later`, with a `check` that
 * reads the SIM's stored SMS once. The runner asks every card of a batch first and then checks
 * them all in rounds, so the operators' SMS arrive in parallel instead of one card after another
 * (listings name their modem; only the USSD replies need one modem at a time).
 */
import { decodePdu, parseSmartPayload } from '../../codec/index.ts';
import { parseUssdCode, runUssd } from '../drivers/ussd.ts';
import { pullStored, waitOutput } from './modem-io.ts';
import type { Slot, SlotEnv } from './slot.ts';

/** How long to wait for the operator's SMS after the USSD request, ms. */
export const OPERATOR_SMS_MS = 60_000;

export type Asked<T> =
  | { ok: true; value: T; text: string }
  | { ok: false; code: 'ussd' | 'none'; detail: string }
  /** The answer comes by SMS: `check` reads the SIM's stored SMS once (committing them) and picks it, or null. */
  | { ok: false; code: 'later'; detail: string; check: () => Promise<T | null> };

/** One read of the SIM's stored SMS: every one committed, then deleted; the first that `pick` accepts. */
async function fromStored<T>(env: SlotEnv, slot: Slot, pick: (text: string) => T | null): Promise<T | null> {
  const pulled = await pullStored(env.io, env.intake, slot.channel, slot.card);
  for (const pdu of pulled?.pdus ?? []) {
    const d = decodePdu(pdu, { lenient: true });
    if (!d.ok || d.value.kind !== 'deliver' || !d.value.text) continue;
    const v = pick(d.value.text);
    if (v !== null) return v;
  }
  return null;
}

export async function askOperator<T>(env: SlotEnv, slot: Slot, code: string, pick: (text: string) => T | null): Promise<Asked<T>> {
  const steps = parseUssdCode(code);
  if (!steps.ok) return { ok: false, code: 'none', detail: `bad request code ${JSON.stringify(code.slice(0, 20))}` };
  const { io } = env;
  let lastText = '';
  let ussdFailed = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const mark = io.ch.unsolicited.mark();
    const r = await runUssd(io.ch, io.driver, slot.channel, steps.value);
    if (r.ok) {
      lastText = r.value.text;
      const v = pick(r.value.text);
      if (v !== null) return { ok: true, value: v, text: r.value.text };
    } else {
      ussdFailed = r.message;
    }
    // The answer by SMS: SMART pushes it as an `sms` alert; classic modems store it (+CMTI).
    if (io.driver.family === 'smart') {
      const msg = await io.ch.unsolicited.waitFor({ predicate: (m) => { const p = parseSmartPayload(m.text); return p.kind === 'alert' && p.event === 'sms' && p.modem === slot.channel; } }, { since: mark, timeoutMs: OPERATOR_SMS_MS });
      const p = msg ? parseSmartPayload(msg.text) : null;
      if (p?.kind === 'alert') {
        const text = p.result.replace(/<CR>/g, '\n');
        const v = pick(text);
        if (v !== null) return { ok: true, value: v, text };
      }
      continue;
    }
    if (r.ok) return { ok: false, code: 'later', detail: lastText.slice(0, 60), check: () => fromStored(env, slot, pick) };
    // No USSD answer at all: the SMS may still come (some networks answer only by SMS).
    if (await waitOutput(io, slot.channel, { regex: /\+CMTI:/ }, mark, OPERATOR_SMS_MS)) {
      const v = await fromStored(env, slot, pick);
      if (v !== null) return { ok: true, value: v, text: '' };
    }
  }
  return lastText !== '' ? { ok: false, code: 'none', detail: lastText.slice(0, 60) } : { ok: false, code: 'ussd', detail: ussdFailed || 'no answer' };
}
