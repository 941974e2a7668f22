/**
 * A USSD dialogue on one modem (device-link.md §3.4, §6.5, §8), shared by the console's USSD
 * button (src/http/device-actions) and the tasks that ask the network for a number or a balance
 * (../tasks). Each step of `*111#|2` is one request; the reply is the next `+CUSD` (classic: the
 * modem output at step 0, with the `1:`/`2:` prefix on the SR-Box-2 family) or the SMART
 * firmware's `ussd` alert of that modem, already decoded by the device. Everything runs inside
 * one `USSD` transaction so nothing cuts into a menu.
 */
import { parseCusd } from '../../codec/at/cusd.ts';
import { parseSmartPayload } from '../../codec/link/smart.ts';
import { TRANSACTIONS } from '../channel/exclusive.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { Command, UnsolicitedMessage } from '../channel/types.ts';
import type { MessageFilter } from '../channel/unsolicited.ts';
import type { Driver } from './driver.ts';

/** How long one USSD step waits for its reply, ms. */
export const USSD_REPLY_MS = 60_000;

export interface UssdStep { readonly text: string; readonly final: boolean }
export type UssdOutcome =
  | { ok: true; value: UssdStep }
  | { ok: false; code: 'INVALID' | 'DEVICE_TIMEOUT' | 'DEVICE_ERROR'; message: string };

const asText: Command<string>['parse'] = (a) => ({ ok: true, value: a });

/** A USSD request: `*100#`, or menu steps `*111#|1|2`. Each step holds digits, `*`, `#` and `+` only. */
export function parseUssdCode(raw: string): { ok: true; value: string[] } | { ok: false; code: 'INVALID'; message: string } {
  const steps = raw.split('|').map((s) => s.trim());
  if (raw.length > 200 || steps.length > 10) return { ok: false, code: 'INVALID', message: 'the USSD request is too long' };
  if (steps.some((s) => !/^[0-9*#+]{1,40}$/.test(s))) return { ok: false, code: 'INVALID', message: 'a USSD step holds only digits, *, # and +; | separates menu replies' };
  return { ok: true, value: steps };
}

/** Which step-0 message is the reply of a USSD request on `channel`. */
function replyFilter(driver: Driver, channel: number): MessageFilter {
  if (driver.family === 'smart') {
    return { predicate: (m) => { const p = parseSmartPayload(m.text); return p.kind === 'alert' && p.event === 'ussd' && p.modem === channel; } };
  }
  const prefix = driver.outputPrefix(channel);
  return { includes: '+CUSD:', ...(prefix !== null ? { modem: prefix } : {}) };
}

/** The reply's text and whether the network keeps the session open, or a refusal. */
function readReply(driver: Driver, m: UnsolicitedMessage): { text: string; open: boolean } | { error: string } {
  if (driver.family === 'smart') {
    const p = parseSmartPayload(m.text);
    return p.kind === 'alert' ? { text: p.result.replace(/<CR>/g, '\n'), open: false } : { error: 'the USSD answer cannot be read' };
  }
  const cusd = parseCusd(m.body);
  if (!cusd) return { error: 'the USSD answer cannot be read' };
  if (cusd.m === 4) return { error: 'the network does not support this USSD request' };
  if (cusd.text === null) return { error: `the USSD session ended without text (+CUSD: ${cusd.m})` };
  return { text: cusd.text, open: cusd.sessionActive };
}

/**
 * Runs the USSD `steps` on the modem of `channel`; `onReply` sees every decoded reply, the result
 * is the last one. A network that closes the session before the last menu step is an error.
 */
export async function runUssd(
  ch: DeviceChannel, driver: Driver, channel: number, steps: readonly string[], onReply: (r: UssdStep) => void = () => undefined,
  opts: { replyMs?: number } = {},
): Promise<UssdOutcome> {
  const replyMs = opts.replyMs ?? USSD_REPLY_MS;
  const filter = replyFilter(driver, channel);
  const r = await ch.transaction('USSD', async (tx): Promise<UssdOutcome> => {
    let last: UssdStep | null = null;
    for (const [i, step] of steps.entries()) {
      const mark = ch.unsolicited.mark();
      const sent = await tx.send({ text: driver.ussd(channel, step), timeoutMs: replyMs, parse: asText });
      if (!sent.ok) return sent.error.code === 'TIMEOUT' ? { ok: false, code: 'DEVICE_TIMEOUT', message: 'the device did not take the USSD request' } : { ok: false, code: 'DEVICE_ERROR', message: `the device refused the USSD request (${sent.error.code})` };
      if (sent.answer.trim() === 'NULL') return { ok: false, code: 'DEVICE_ERROR', message: 'the device refused the USSD request (NULL)' };
      const msg = await ch.unsolicited.waitFor(filter, { since: mark, timeoutMs: replyMs });
      if (!msg) return { ok: false, code: 'DEVICE_TIMEOUT', message: 'no USSD answer from the network' };
      const reply = readReply(driver, msg);
      if ('error' in reply) return { ok: false, code: 'DEVICE_ERROR', message: reply.error };
      last = { text: reply.text, final: !reply.open || i === steps.length - 1 };
      onReply(last);
      if (!reply.open && i < steps.length - 1 && driver.family === 'classic') return { ok: false, code: 'DEVICE_ERROR', message: 'the network closed the USSD session before the last menu reply' };
    }
    return last ? { ok: true, value: last } : { ok: false, code: 'INVALID', message: 'no USSD step' };
  }, { windowMs: Math.max(TRANSACTIONS.USSD, replyMs * steps.length) });
  if (!r.ok) return { ok: false, code: 'DEVICE_ERROR', message: `the device is busy or closed (${r.error.code})` };
  return r.value;
}
