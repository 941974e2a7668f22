/**
 * The classic firmware's command language (device-link.md §3.2): one sub-command of an `&&` chain
 * in, its result out (`1`, `NULL`, data, or a composite `modem>pack` / `modem>sms` answer, §3.3).
 * Modem output of `modem>send:` and bare AT commands is not a result: it reaches the panel later
 * as a step-0 message (through `Hardware.onModemOutput`).
 */
import { runAt } from './at-commands.ts';
import type { Hardware } from './firmware.ts';
import type { Modem } from './modem.ts';
import { OPERATORS } from './operators.ts';
import { finalCreg } from './sim-card.ts';
import { buildActivation, buildPackAnswer, buildSmsAnswer, type SmsSection } from '../codec/index.ts';

export interface CommandContext {
  readonly hw: Hardware;
  readonly serial: string;
  readonly version: string;
  /** Empties the outbound messages not yet delivered (`answer>clear`). */
  clearOutbox(): void;
  /** Reboots the whole device (`restart`). */
  reboot(): void;
  /** Sends a step-0 message (e.g. `UNKNOWN COMMAND`). */
  unsolicited(text: string): void;
  /** Activation waits at most this long for registration, ms. */
  readonly activationTimeoutMs: number;
}

/** Runs one sub-command; resolves to its result, or undefined when it produces none. */
export async function execClassic(ctx: CommandContext, raw: string): Promise<string | undefined> {
  const hw = ctx.hw;
  const cmd = raw.trim();
  if (hw.jamNext > 0 && /^(card:|row:\d|modem\d?>card:|modem\[\d+\]>card:)/.test(cmd)) {
    // A jammed move: the mechanism travels but the contacts do not close (`card>reposition` or a
    // new approach fixes it, device-link.md §4.2/§4.3).
    hw.jamNext--;
    await hw.mechanics.exec(cmd, hw);
    hw.mechanics.jam?.();
    hw.syncSims();
    return 'NULL';
  }
  const mech = hw.mechanics.exec(cmd, hw);
  if (mech) {
    const r = await mech;
    hw.syncSims();
    return r;
  }
  const kind = hw.model.mechanics;
  let m: RegExpExecArray | null;
  if (cmd === 'answer>clear') { ctx.clearOutbox(); return '1'; }
  if (cmd === 'dev:serial') return ctx.serial;
  if (cmd === 'dev:mode=navigator') return kind === 'organizer' ? 'Navigator mode ON' : '1';
  if (cmd === 'version') return ctx.version;
  if (cmd === 'restart') { ctx.reboot(); return undefined; }
  if (cmd === 'save' || cmd === 'sound:beep' || cmd.startsWith('display=') || cmd.startsWith('server_url=')
    || cmd.startsWith('set.server:') || /^modem>fix:\d+$/.test(cmd) || cmd.startsWith('drv>') || cmd.startsWith('fs>')
    || /^sensor>set:\d;[ol]=-?\d+$/.test(cmd)) return '1';
  if (cmd === 'modem>on') return powerModems(hw, hw.modems, true);
  if (cmd === 'modem>off') return powerModems(hw, hw.modems, false);
  if ((m = /^modem>off\[([12])\]$/.exec(cmd))) {
    const g = Number(m[1]);
    return powerModems(hw, hw.modems.filter((x) => (g === 1 ? x.index <= 4 : x.index >= 5)), false);
  }
  if (cmd === 'modem>connect' || cmd === 'modem>disconnect' || cmd === 'modem>disconect') return '1';
  // Train: `0` when the contacts are open or the modems unpowered (device-link.md §3.2), else `1`.
  if (cmd === 'modem>status') return hw.modems.some((x) => x.powered) && hw.mechanics.placeFor(1) !== undefined ? '1' : '0';
  if ((m = /^modem>select:(.*)$/.exec(cmd))) {
    const n = Number(m[1]);
    const max = kind === 'box2' ? 8 : hw.modems.length;
    if (!/^\d+$/.test(m[1]!) || n < 1 || n > max) return 'NULL';
    hw.selected = n;
    return String(n);
  }
  if (cmd === 'modem>map') return 'NULL';
  if (cmd === 'card>discover' && hw.mechanics.headPlace) {
    await hw.busy(hw.timings.contactMs);
    const place = hw.mechanics.headPlace();
    return place !== undefined && hw.slots.has(place) ? '1' : 'NULL';
  }
  if (cmd.startsWith('modem>pack:')) return pack(hw, cmd.slice('modem>pack:'.length));
  if ((m = /^modem>sms:([0-4])$/.exec(cmd))) return smsList(hw, Number(m[1]));
  if ((m = /^modem>(activation|check)(?::(\d+))?$/.exec(cmd))) return activation(ctx, m[1] === 'activation', m[2] === undefined ? undefined : Number(m[2]));
  // Sending AT text to a modem: `modem>send:`, `modem1>send:` (Box-2), `modem[2]>send:` (Organizer), bare `AT…`.
  if ((m = /^modem(?:(\d)|\[(\d)\])?>send:(.*)$/s.exec(cmd))) return sendAt(hw, targetModem(hw, m[1] ?? m[2]), m[3]!);
  if (/^AT/i.test(cmd)) return sendAt(hw, targetModem(hw, undefined), cmd);
  if ((m = /^sms(\d)?>send:([^;]*);(.*)$/s.exec(cmd))) return sendSms(hw, targetModem(hw, m[1]), m[2]!, m[3]!);
  ctx.unsolicited('UNKNOWN COMMAND');
  return undefined;
}

async function powerModems(hw: Hardware, modems: readonly Modem[], on: boolean): Promise<string> {
  await hw.busy(hw.timings.contactMs);
  for (const x of modems) (on ? x.powerOn() : x.powerOff());
  hw.syncSims();
  return '1';
}

/** The modem a `send` goes to: explicit physical modem, else the selected one (Box-2: the selected channel's). */
function targetModem(hw: Hardware, explicit: string | undefined): Modem | undefined {
  if (explicit !== undefined) return hw.modem(Number(explicit));
  if (hw.model.mechanics === 'box2') return hw.modem(hw.selected <= 4 ? 1 : 2);
  return hw.modem(hw.selected);
}

function sendAt(hw: Hardware, modem: Modem | undefined, at: string): string {
  if (!modem) return 'NULL';
  const out = runAt(modem, at);
  if (out !== '') hw.clock.setTimeout(() => modem.emit(out), modem.timings.replyMs);
  return '1';
}

function sendSms(hw: Hardware, modem: Modem | undefined, number: string, text: string): string {
  if (!modem) return 'NULL';
  hw.clock.setTimeout(() => {
    if (!modem.answering) return;
    if (!modem.registered || !modem.sim || !/^\+?\d{3,15}$/.test(number.trim())) { modem.emit('ERROR'); return; }
    const mr = modem.network.submit(modem.sim.msisdn, number.trim(), text);
    modem.emit(`+CMGS: ${mr}\r\n\r\nOK`);
  }, modem.timings.replyMs * 3);
  return '1';
}

async function pack(hw: Hardware, arg: string): Promise<string> {
  const [at = '', targetsRaw = 'ALL'] = arg.split('##');
  const targets = /^all$/i.test(targetsRaw) || targetsRaw === ''
    ? hw.modems.map((x) => x.index)
    : targetsRaw.split(';').filter((t) => /^\d+$/.test(t)).map(Number).filter((n) => hw.modem(n));
  const sections: Array<{ modem: number; output: string }> = [];
  for (const n of targets) {
    const modem = hw.modem(n)!;
    await hw.busy(modem.timings.replyMs);
    sections.push({ modem: n, output: runAt(modem, at) });
  }
  return buildPackAnswer(sections);
}

async function smsList(hw: Hardware, stat: number): Promise<string> {
  const nano = hw.model.mechanics === 'nano';
  const sections: SmsSection[] = [];
  for (const modem of hw.modems) {
    if (!modem.powered) continue;
    await hw.busy(modem.timings.replyMs);
    if (!modem.answering || !modem.sim) {
      sections.push({ modem: modem.index, status: 'error' });
      continue;
    }
    const entries = modem.sim.list(stat).map(([index, msg]) => {
      const e = { index, stat: msg.stat, alpha: '', length: msg.length, pdu: msg.pdu };
      msg.stat = 1;
      return e;
    });
    if (entries.length > 0) sections.push({ modem: modem.index, status: 'ok', entries });
  }
  if (nano) {
    const modem = hw.modems[0]!;
    if (!modem.powered || !modem.answering) return 'NO RESPONSE';
    if (!modem.sim) return 'Error';
  }
  return buildSmsAnswer(sections, { terminator: !nano });
}

async function activation(ctx: CommandContext, activate: boolean, only: number | undefined): Promise<string> {
  const hw = ctx.hw;
  const modems = only === undefined ? hw.modems : [hw.modem(only)].filter((x): x is Modem => x !== undefined);
  if (modems.length === 0) return 'NULL';
  if (activate) {
    // Seat the contacts and power up, then wait for the registration to settle (or time out).
    if (hw.model.mechanics === 'nano') await hw.mechanics.exec('modem>connect', hw);
    for (const x of modems) x.powerOn();
    hw.syncSims();
    const deadline = hw.clock.now() + ctx.activationTimeoutMs;
    // Waits for every modem whose SIM ends in a final stat (1/5/3/4) to reach it; 0 and 2 never end.
    while (hw.clock.now() < deadline && modems.some((x) => x.sim && finalCreg(x.sim.registration) !== undefined && ![1, 3, 4, 5].includes(x.creg))) {
      await hw.busy(500);
    }
  }
  const first = modems[0]!;
  const name = first.registered && first.sim ? OPERATORS[first.sim.operator].cops : '';
  const rssi = first.sim ? 21 : 0;
  const code = first.answering ? first.creg : 0;
  // SR-Nano reads the operator from the third field, SR-Organizer from the second (§3.2).
  return hw.model.mechanics === 'organizer'
    ? buildActivation({ code, f1: name, f2: String(rssi) })
    : buildActivation({ code, f1: String(rssi), f2: name });
}
