/**
 * The classic (step) firmware: polls `link.php?token&step&data`, executes `{data}<step>#!#<cmd>`
 * chains left to right, one result message per sub-command tagged with the chain's step, and never
 * executes the same step twice in a row (device-link.md §2.1, §3.1, §11).
 */
import { execClassic, type CommandContext } from './classic-commands.ts';
import { SimDevice, type DeviceOptions, type Outbound } from './device.ts';
import { BOOT_MESSAGE } from './modem.ts';
import type { LinkQuery } from './link-transport.ts';
import { buildCommandBody, parseClassicBody } from '../codec/index.ts';

export class ClassicDevice extends SimDevice {
  private lastStep: number | undefined;
  private readonly ctx: CommandContext;

  constructor(opts: DeviceOptions) {
    super(opts);
    this.ctx = {
      hw: opts.hw,
      serial: opts.serial,
      version: `${opts.hw.model.name} firmware 6.5 (simnav simulator)`,
      clearOutbox: () => { this.outbox.length = 0; },
      reboot: () => this.requestReboot(),
      unsolicited: (text) => this.push({ step: 0, data: text }),
      activationTimeoutMs: opts.timings.activationTimeoutMs,
    };
  }

  /**
   * Modem output becomes a step-0 message; Box-2 firmware prefixes each line with the modem number.
   * Boot noise of a multi-modem box is forwarded only from the selected modem: the logged SR-Board
   * reported `Call Ready` 4 times in 41 power-ups of 8 modems (link_1.log).
   */
  modemOutput(modem: number, text: string): void {
    if (text === BOOT_MESSAGE && this.hw.modems.length > 2 && modem !== this.hw.selected) return;
    const data = this.hw.model.mechanics === 'box2' ? prefixLines(modem, text) : text;
    this.push({ step: 0, data });
  }

  protected bootBanner(): string { return 'SR start'; }

  protected query(msg: Outbound): LinkQuery {
    return { token: this.link.token, step: msg.step, data: msg.data };
  }

  protected resetFirmware(): void { this.lastStep = undefined; }

  protected commandBody(step: number, command: string): string { return buildCommandBody(step, command); }

  protected firmwareSnapshot(): Record<string, unknown> { return { lastStep: this.lastStep ?? null }; }

  protected async handleBody(body: string): Promise<void> {
    const r = parseClassicBody(body);
    if (!r.ok || r.value.kind !== 'command') return; // empty (holding), idle or not ours: just poll again
    const parsed = r.value;
    if (parsed.step === this.lastStep) return; // a repeated step is never executed twice [doc]
    this.lastStep = parsed.step;
    this.stats.commands++;
    this.stats.lastCommand = parsed.command;
    for (const sub of parsed.command.split('&&')) {
      const result = await execClassic(this.ctx, sub);
      if (result !== undefined) this.push({ step: parsed.step, data: result });
    }
  }
}

function prefixLines(modem: number, text: string): string {
  return text.split('\n').map((l) => (l === '' || l === '\r' ? l : `${modem}:${l}`)).join('\n');
}
