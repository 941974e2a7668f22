/**
 * What the console's device buttons do on the hardware, on top of the aggregator's command channel
 * (src/devices/channel): the admin terminal (raw command text, its answers and the step-0 output
 * that follows published as `terminal.answer`), USSD on a card's modem inside a USSD transaction
 * (`ussd.reply`), a dial, and the driver's init sequence. Pure of HTTP: the plugin (./plugin.ts)
 * validates, authorises, audits and maps these typed outcomes to catalogued errors.
 */
import type { DeviceChannel } from '../../devices/channel/channel.ts';
import type { Driver } from '../../devices/drivers/driver.ts';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { EventBus } from '../../domain/events/bus.ts';

/** Longest terminal command accepted (a chain of a few dozen commands). */
export const MAX_TERMINAL_COMMAND = 2000;
/** How long a terminal command's answers and the device's step-0 output are followed after the last line, ms. */
export const TERMINAL_FOLLOW_MS = 60_000;
// The USSD dialogue (its reply parsing is the device layer's, not HTTP's) lives with the drivers.
export { parseUssdCode, runUssd, USSD_REPLY_MS, type UssdStep } from '../../devices/drivers/ussd.ts';

export type ActionOutcome<T> = { ok: true; value: T } | { ok: false; code: ActionErrorCode; message: string };
export type ActionErrorCode = 'INVALID' | 'DEVICE_TIMEOUT' | 'DEVICE_ERROR' | 'NOT_SUPPORTED';

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

/** The driver's init sequence (device-link.md §4 "Init"); empty would mean the model has none. */
export function initSequenceOf(driver: Driver): readonly string[] {
  return driver.init();
}
