/**
 * What the console's device buttons do on the hardware, on top of the aggregator's command channel
 * (src/devices/channel): the admin terminal (raw command text, its answers and the step-0 output
 * that follows published as `terminal.answer`), USSD on a card's modem inside a USSD transaction
 * (`ussd.reply`), a dial, and the driver's init sequence. Pure of HTTP: the plugin (./plugin.ts)
 * validates, authorises, audits and maps these typed outcomes to catalogued errors.
 */
import { parseCusd } from '../../codec/at/cusd.ts';
import { TRANSACTIONS } from '../../devices/channel/exclusive.ts';
import type { DeviceChannel } from '../../devices/channel/channel.ts';
import type { Command } from '../../devices/channel/types.ts';
import type { Driver } from '../../devices/drivers/driver.ts';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { EventBus } from '../../domain/events/bus.ts';

/** Longest terminal command accepted (a chain of a few dozen commands). */
export const MAX_TERMINAL_COMMAND = 2000;
/** How long a terminal command's answers and the device's step-0 output are followed after the last line, ms. */
export const TERMINAL_FOLLOW_MS = 60_000;
/** How long one USSD step waits for its `+CUSD`, ms. */
export const USSD_REPLY_MS = 60_000;

export type ActionOutcome<T> = { ok: true; value: T } | { ok: false; code: ActionErrorCode; message: string };
export type ActionErrorCode = 'INVALID' | 'DEVICE_TIMEOUT' | 'DEVICE_ERROR' | 'NOT_SUPPORTED';

const asText: Command<string>['parse'] = (a) => ({ ok: true, value: a });

/** A terminal command: one line of printable text, not empty, not over {@link MAX_TERMINAL_COMMAND}. */
export function checkTerminalCommand(raw: string): ActionOutcome<string> {
  const command = raw.trim();
  if (command === '') return { ok: false, code: 'INVALID', message: 'the command is empty' };
  if (command.length > MAX_TERMINAL_COMMAND) return { ok: false, code: 'INVALID', message: `the command is longer than ${MAX_TERMINAL_COMMAND} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(command)) return { ok: false, code: 'INVALID', message: 'the command holds control characters' };
  return { ok: true, value: command };
}

/** The command as the audit log keeps it: the text of an `sms>send` is replaced by its length. */
export function auditableCommand(command: string): string {
  return command.split('&&').map((part) => {
    const m = /^(\s*sms>send:[^;]*;)([\s\S]*)$/i.exec(part);
    return m ? `${m[1]}<${m[2]!.length} chars>` : part;
  }).join('&&');
}

/** USSD request: `*100#`, or menu steps `*111#|1|2`. Each step holds digits, `*`, `#` and `+` only. */
export function parseUssdCode(raw: string): ActionOutcome<string[]> {
  const steps = raw.split('|').map((s) => s.trim());
  if (raw.length > 200 || steps.length > 10) return { ok: false, code: 'INVALID', message: 'the USSD request is too long' };
  if (steps.some((s) => !/^[0-9*#+]{1,40}$/.test(s))) return { ok: false, code: 'INVALID', message: 'a USSD step holds only digits, *, # and +; | separates menu replies' };
  return { ok: true, value: steps };
}

/** A number to dial: an optional `+` and 2–20 digits (`*`/`#` allowed for service numbers). */
export function parseDialNumber(raw: string): ActionOutcome<string> {
  const n = raw.replace(/[\s()-]/g, '');
  return /^\+?[0-9*#]{2,20}$/.test(n) ? { ok: true, value: n } : { ok: false, code: 'INVALID', message: 'the number holds only digits, an optional leading +, * and #' };
}

/**
 * Publishes what a terminal command brings: every answer of `step` as it arrives, and the device's
 * step-0 output (as step 0) until nothing of the step came for {@link TERMINAL_FOLLOW_MS}. One
 * step-0 follower per aggregator; a newer command extends it.
 */
export class TerminalFollower {
  private readonly zero = new Map<number, { off: () => void; timer: TimerHandle }>();
  private closed = false;

  constructor(private readonly clock: Clock, private readonly bus: () => EventBus | undefined) {}

  follow(aggregatorId: number, ch: DeviceChannel, step: number): void {
    if (this.closed) return;
    this.followZero(aggregatorId, ch);
    void this.followStep(aggregatorId, ch, step);
  }

  private publish(aggregatorId: number, step: number, text: string): void {
    this.bus()?.publish({ type: 'terminal.answer', aggregatorId, step, text });
  }

  private followZero(aggregatorId: number, ch: DeviceChannel): void {
    const cur = this.zero.get(aggregatorId);
    if (cur) { this.clock.clearTimeout(cur.timer); cur.timer = this.clock.setTimeout(() => this.stopZero(aggregatorId), TERMINAL_FOLLOW_MS); return; }
    const off = ch.unsolicited.subscribe({}, (m) => {
      const z = this.zero.get(aggregatorId);
      if (z) { this.clock.clearTimeout(z.timer); z.timer = this.clock.setTimeout(() => this.stopZero(aggregatorId), TERMINAL_FOLLOW_MS); }
      this.publish(aggregatorId, 0, m.text);
    });
    this.zero.set(aggregatorId, { off, timer: this.clock.setTimeout(() => this.stopZero(aggregatorId), TERMINAL_FOLLOW_MS) });
  }

  private stopZero(aggregatorId: number): void {
    const z = this.zero.get(aggregatorId);
    if (!z) return;
    this.clock.clearTimeout(z.timer);
    z.off();
    this.zero.delete(aggregatorId);
  }

  private async followStep(aggregatorId: number, ch: DeviceChannel, step: number): Promise<void> {
    let published = 0;
    while (!this.closed) {
      const got = await ch.waitAnswers(step, { count: published + 1, timeoutMs: TERMINAL_FOLLOW_MS });
      if (!got || this.closed) return;
      for (const text of got.slice(published)) this.publish(aggregatorId, step, text);
      published = got.length;
      this.followZero(aggregatorId, ch);
    }
  }

  /** Stops every follower (app close). */
  close(): void {
    this.closed = true;
    for (const id of [...this.zero.keys()]) this.stopZero(id);
  }
}

export interface UssdStep { readonly text: string; readonly final: boolean }

/**
 * USSD on the modem of `channel`: each step is `AT+CUSD=1,"<step>",15`, then the `+CUSD` that
 * follows is decoded. All steps run inside one `USSD` transaction so nothing cuts into the menu.
 * `onReply` sees every decoded reply (for `ussd.reply`); the result is the last one.
 */
export async function runUssd(
  ch: DeviceChannel, driver: Driver, channel: number, steps: readonly string[], onReply: (r: UssdStep) => void,
): Promise<ActionOutcome<UssdStep>> {
  const prefix = driver.outputPrefix(channel);
  const r = await ch.transaction('USSD', async (tx): Promise<ActionOutcome<UssdStep>> => {
    let last: UssdStep | null = null;
    for (const [i, step] of steps.entries()) {
      const mark = ch.unsolicited.mark();
      const sent = await tx.send({ text: driver.at(channel, `AT+CUSD=1,"${step}",15`), timeoutMs: USSD_REPLY_MS, parse: asText });
      if (!sent.ok) return sent.error.code === 'TIMEOUT' ? { ok: false, code: 'DEVICE_TIMEOUT', message: 'the device did not take the USSD request' } : { ok: false, code: 'DEVICE_ERROR', message: `the device refused the USSD request (${sent.error.code})` };
      const msg = await ch.unsolicited.waitFor({ includes: '+CUSD:', ...(prefix !== null ? { modem: prefix } : {}) }, { since: mark, timeoutMs: USSD_REPLY_MS });
      if (!msg) return { ok: false, code: 'DEVICE_TIMEOUT', message: 'no USSD answer from the network' };
      const cusd = parseCusd(msg.body);
      if (!cusd) return { ok: false, code: 'DEVICE_ERROR', message: 'the USSD answer cannot be read' };
      if (cusd.m === 4) return { ok: false, code: 'DEVICE_ERROR', message: 'the network does not support this USSD request' };
      if (cusd.text === null) return { ok: false, code: 'DEVICE_ERROR', message: `the USSD session ended without text (+CUSD: ${cusd.m})` };
      last = { text: cusd.text, final: !cusd.sessionActive || i === steps.length - 1 };
      onReply(last);
      if (!cusd.sessionActive && i < steps.length - 1) return { ok: false, code: 'DEVICE_ERROR', message: 'the network closed the USSD session before the last menu reply' };
    }
    return last ? { ok: true, value: last } : { ok: false, code: 'INVALID', message: 'no USSD step' };
  }, { windowMs: TRANSACTIONS.USSD });
  if (!r.ok) return { ok: false, code: 'DEVICE_ERROR', message: `the device is busy or closed (${r.error.code})` };
  return r.value;
}

/** The driver's init sequence, or null when the driver has none (init is then not supported). */
export function initSequenceOf(driver: Driver): readonly string[] | null {
  const init = (driver as Driver & { init?: () => readonly string[] }).init;
  return typeof init === 'function' ? init.call(driver) : null;
}
