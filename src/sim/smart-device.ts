/**
 * The SMART (JSON) firmware of SR-Organizer-Smart / SR-Box-8-Smart (device-link.md §2.6, §4.8):
 * polls without `step`, receives bare commands (`.answer.clear:sign=test`, `modem2.card:3`,
 * `ussd:*100#,1`), answers `{"result":…,"sign":…}` only to commands with a leading `.`, and pushes
 * `state` objects on every modem change and `alert` events (`sms`, `ussd`, `calling`,
 * `no_carrier`, `incomming call` [sic]) — the device decodes SMS and USSD itself.
 */
import {
  buildSmartAlert, buildSmartBody, buildSmartReply, buildSmartState, decodePdu, hexToBytes, parseSmartBody, parseSmartCommand, ucs2Text,
} from '../codec/index.ts';
import { runAt } from './at-commands.ts';
import { SimDevice, type DeviceOptions, type Outbound } from './device.ts';
import type { LinkQuery } from './link-transport.ts';
import type { LineMechanics } from './mechanics.ts';
import type { Modem } from './modem.ts';
import { OPERATORS } from './operators.ts';

interface PartBuffer { total: number; parts: Map<number, string>; sender: string; time: string }

/**
 * How long the firmware looks for a card before it reports the slot empty: link_1.log 6842–6844
 * shows `"result":"-1"` for the new card, then `"result":"6",…,"report":"not inserted","time":"4"`.
 */
const EMPTY_PROBE_MS = 4000;

export class SmartDevice extends SimDevice {
  private lastState = new Map<number, string>();
  private readonly partials = new Map<string, PartBuffer>();
  private readonly ringing = new Set<number>();
  /** When each line last got another card (the empty-slot probe counts from there). */
  private readonly seatedAt = new Map<number, number>();

  constructor(opts: DeviceOptions) {
    super(opts);
  }

  private get lines(): LineMechanics { return this.hw.mechanics as LineMechanics; }

  /** Device type reported to `.set.dev.type` (52/54/55 for organizers, §4.8). */
  get devType(): string { return this.hw.model.id === 'sr-box-8-smart' ? '88' : String(this.hw.smartType); }

  override start(): void {
    // SMART firmware manages its modems itself: each line's first card goes in, modems power up.
    for (let l = 1; l <= this.lines.lines; l++) if (this.lines.cardOf[l - 1] === 0) this.lines.cardOf[l - 1] = 1;
    for (const m of this.hw.modems) { m.powerOn(); this.seatedAt.set(m.index, this.clock.now()); }
    this.hw.syncSims();
    super.start();
  }

  /** Modem output: URCs become events; command echoes are not forwarded. */
  modemOutput(modem: number, text: string): void {
    const m = this.hw.modem(modem);
    if (!m) return;
    if (text.startsWith('+CMTI:')) this.smsArrived(m, Number(/,(\d+)/.exec(text)?.[1] ?? 0));
    else if (text.startsWith('+CLIP:') || text === 'RING') {
      if (!this.ringing.has(modem)) {
        this.ringing.add(modem);
        const number = /"([^"]*)"/.exec(text)?.[1] ?? '';
        this.alert(modem, 'incomming call', '1', { number });
      }
    } else if (text.startsWith('NO CARRIER')) {
      this.ringing.delete(modem);
      this.alert(modem, 'no_carrier', '1');
    } else if (text.startsWith('+CUSD:')) {
      const hex = /"([0-9A-Fa-f]*)"/.exec(text)?.[1] ?? '';
      const bytes = hexToBytes(hex);
      this.alert(modem, 'ussd', bytes.ok ? ucs2Text(bytes.value, 0, bytes.value.length) : hex);
    }
  }

  protected bootBanner(): string { return 'SR started'; }

  protected query(msg: Outbound): LinkQuery { return { token: this.link.token, data: msg.data }; }

  /** SMART bodies carry no step (server mode is classic-only, see fleet.ts). */
  protected commandBody(_step: number, command: string): string { return buildSmartBody(command); }

  protected resetFirmware(): void {
    this.lastState.clear();
    this.partials.clear();
    this.ringing.clear();
    this.clock.setTimeout(() => {
      for (const m of this.hw.modems) { m.powerOn(); this.seatedAt.set(m.index, this.clock.now()); }
      this.hw.syncSims();
    }, this.opts.timings.rebootMs);
  }

  protected firmwareSnapshot(): Record<string, unknown> { return { devType: this.devType }; }

  /** Pushes a `state` object for every modem whose state changed since the last one. */
  protected override beforePoll(): void {
    for (const m of this.hw.modems) {
      if (m.call.kind === 'idle') this.ringing.delete(m.index);
      const card = this.lines.cardOf[m.index - 1] ?? 0;
      const sim = m.sim;
      const reg = m.answering && sim && m.registered;
      const state = reg && sim
        ? buildSmartState({ modem: m.index, result: m.creg, card, iccid: sim.iccid.toLowerCase(), network: OPERATORS[sim.operator].cops, operator: OPERATORS[sim.operator].shortName })
        : this.emptySlot(m, card) ?? buildSmartState({ modem: m.index, result: m.answering && m.creg === 3 ? 3 : -1, card });
      if (this.lastState.get(m.index) !== state) {
        this.lastState.set(m.index, state);
        this.push({ step: 0, data: state });
      }
    }
  }

  /** Status 6 with the firmware's `report`/`time` once a powered line has looked for its card long enough. */
  private emptySlot(m: Modem, card: number): string | undefined {
    if (m.sim || !m.answering || this.clock.now() - (this.seatedAt.get(m.index) ?? 0) < EMPTY_PROBE_MS) return undefined;
    // The codec's builder knows the common fields; the two the firmware adds for this state follow them.
    const base = JSON.parse(buildSmartState({ modem: m.index, result: 6, card })) as Record<string, string>;
    return JSON.stringify({ ...base, report: 'not inserted', time: String(EMPTY_PROBE_MS / 1000) });
  }

  protected async handleBody(body: string): Promise<void> {
    const r = parseSmartBody(body);
    if (!r.ok || r.value.kind !== 'command') return;
    this.stats.commands++;
    this.stats.lastCommand = r.value.command;
    for (const sub of r.value.command.split('&&')) {
      const c = parseSmartCommand(sub.trim());
      const result = await this.exec(c.name, c.argument);
      if (c.wantsReply) this.push({ step: 0, data: buildSmartReply(result, c.sign) });
    }
  }

  private modemArg(spec: string | undefined): Modem | undefined {
    return this.hw.modem(spec === undefined || spec === '' ? 1 : Number(spec));
  }

  private async exec(name: string, arg: string | null): Promise<string> {
    let m: RegExpExecArray | null;
    if (name === 'answer.clear') { this.outbox.length = 0; return '1'; }
    if (name === 'set.dev.type') return this.devType;
    if (name === 'set.dev.mode' || name === 'display' || name === 'save' || name.startsWith('sound')) return '1';
    if ((m = /^modem(\d*)\.card$/.exec(name))) {
      const line = m[1] === '' ? 1 : Number(m[1]);
      const ok = await this.lines.seat(line, Number(arg ?? ''), this.hw);
      if (ok) this.seatedAt.set(line, this.clock.now());
      this.hw.modem(line)?.powerOn();
      this.hw.syncSims();
      return ok ? '1' : 'NULL';
    }
    if ((m = /^modem(\d*)\.send$/.exec(name))) {
      const modem = this.modemArg(m[1]);
      if (!modem || arg === null) return 'NULL';
      runAt(modem, arg);
      return '1';
    }
    const [a0 = '', a1] = (arg ?? '').split(/,(?=[^,]*$)/);
    if (name === 'ussd') {
      const modem = this.modemArg(a1);
      return modem && runAt(modem, `AT+CUSD=1,"${a0}",15`).endsWith('OK') ? '1' : 'NULL';
    }
    if (name === 'call') {
      const modem = this.modemArg(a1);
      const ok = modem?.dial(a0) ?? false;
      if (modem) this.alert(modem.index, 'calling', ok ? '1' : '0');
      return ok ? '1' : 'NULL';
    }
    if (name === 'command') {
      const modem = this.modemArg(a1);
      if (!modem) return 'NULL';
      if (a0 === 'hangup') { modem.hangup(); return '1'; }
      if (a0 === 'answer') return modem.answer() ? '1' : 'NULL';
      return 'NULL';
    }
    if (name === 'sms.send') return this.sendSms(arg ?? '');
    return 'NULL';
  }

  private sendSms(json: string): string {
    let o: unknown;
    try { o = JSON.parse(json); } catch { return 'NULL'; }
    if (o === null || typeof o !== 'object') return 'NULL';
    const { number, sms, modem } = o as Record<string, unknown>;
    const m = this.modemArg(typeof modem === 'string' || typeof modem === 'number' ? String(modem) : undefined);
    if (typeof number !== 'string' || typeof sms !== 'string' || !m?.sim || !m.registered) return 'NULL';
    m.network.submit(m.sim.msisdn, number, sms);
    return '1';
  }

  private alert(modem: number, event: string, result: string, extra?: Record<string, string>): void {
    this.push({ step: 0, data: buildSmartAlert(extra === undefined ? { modem, event, result } : { modem, event, result, extra }) });
  }

  /** Reads a new message from the SIM, reassembles concatenated parts, pushes one `sms` event. */
  private smsArrived(modem: Modem, index: number): void {
    const sim = modem.sim;
    const stored = sim?.storage.get(index);
    if (!sim || !stored) return;
    sim.storage.delete(index);
    const d = decodePdu(stored.pdu);
    if (!d.ok || d.value.kind !== 'deliver') return;
    const msg = d.value;
    const sender = msg.sender.text;
    const time = smartTime(this.clock.now());
    const text = msg.text ?? '';
    const concat = msg.udh?.concat;
    let full = text;
    if (concat && concat.total > 1) {
      const key = `${modem.index}:${sender}:${concat.ref}`;
      const buf = this.partials.get(key) ?? { total: concat.total, parts: new Map<number, string>(), sender, time };
      buf.parts.set(concat.seq, text);
      this.partials.set(key, buf);
      if (buf.parts.size < buf.total) return;
      this.partials.delete(key);
      full = Array.from({ length: buf.total }, (_, i) => buf.parts.get(i + 1) ?? '').join('');
    }
    this.alert(modem.index, 'sms', full.replace(/\r?\n/g, '<CR>'), {
      card: String(this.lines.cardOf[modem.index - 1] ?? 0), iccid: sim.iccid.toLowerCase(), number: sim.msisdn, time, sender,
    });
  }
}

/** `dd.mm.yy hh:mm:ss` in Moscow time, as SMART firmware stamps events. */
function smartTime(ms: number): string {
  const d = new Date(ms + 3 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
