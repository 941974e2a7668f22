/**
 * A virtual GSM modem (SIM800-like by default): power, the SIM in its holder, the registration
 * state machine (device-link.md §11: 0 → 2 → 1/5, or 3 / 4 / stuck at 0 or 2, with configurable delays),
 * calls and USSD sessions. Everything it prints on its own (URCs, late command output) goes to
 * `emit`, which the device turns into step-0 messages. The AT command set is in `at-commands.ts`.
 */
import type { Clock, TimerHandle } from '../lib/clock.ts';
import type { MobileNetwork, Subscriber } from './network.ts';
import type { UssdAction } from './operators.ts';
import { finalCreg, tpduLength, type SimCard } from './sim-card.ts';

export type ModemType = 'SIM800' | 'SIM5360';

/** What a SIM800 prints when it has booted with a SIM (link_1.log 3493–3495). */
export const BOOT_MESSAGE = 'Call Ready\r\n\r\nSMS Ready';

export interface ModemTimings {
  /** Power-on / restart until the modem answers AT and reports `Call Ready`, ms (default 3000). */
  readonly bootMs: number;
  /** From attach (stat 0) to searching (stat 2), ms (default 1000). */
  readonly searchMs: number;
  /** From searching to the final registration state, ms (default 5000). */
  readonly registerMs: number;
  /** From an AT command to its output appearing, ms (default 800). */
  readonly replyMs: number;
  /** From `AT+CUSD` to the network's `+CUSD` answer, ms (default 3000). */
  readonly ussdMs: number;
  /** Interval of `+CLIP` repetitions while ringing, ms (default 3000). */
  readonly ringEveryMs: number;
  /** Outgoing call: ringing time before the callee answers, ms (default 4000). */
  readonly dialAnswerMs: number;
  /** Outgoing call: the callee hangs up this long after answering, ms (default 10000). */
  readonly dialHoldMs: number;
}

export const DEFAULT_MODEM_TIMINGS: ModemTimings = {
  bootMs: 3000, searchMs: 1000, registerMs: 5000, replyMs: 800, ussdMs: 3000,
  ringEveryMs: 3000, dialAnswerMs: 4000, dialHoldMs: 10000,
};

export type CallState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'ringing'; readonly caller: string }
  | { readonly kind: 'active'; readonly peer: string; readonly direction: 'in' | 'out' }
  | { readonly kind: 'dialing'; readonly peer: string };

export interface ModemSnapshot {
  readonly index: number;
  readonly type: ModemType;
  readonly powered: boolean;
  readonly ready: boolean;
  readonly dead: boolean;
  readonly creg: number;
  readonly iccid: string | null;
  readonly msisdn: string | null;
  readonly call: CallState;
  readonly ussdSession: boolean;
  readonly smsStored: number;
}

export class Modem implements Subscriber {
  powered = false;
  /** Answers AT (false while booting). */
  ready = false;
  /** Fault: the modem prints nothing at all (a `modem>pack` section comes back empty). */
  dead = false;
  creg = 0;
  clip = true;
  cmgf = 0;
  sim: SimCard | undefined;
  call: CallState = { kind: 'idle' };
  ussdMenu: Readonly<Record<string, UssdAction>> | undefined;
  private regTimers: TimerHandle[] = [];
  /** The boot delay is kept apart from the radio's timers: a card seated while the modem boots must not cancel the boot. */
  private bootTimers: TimerHandle[] = [];
  private callTimers: TimerHandle[] = [];
  private attachedAs: string | undefined;

  constructor(
    readonly index: number,
    readonly type: ModemType,
    readonly network: MobileNetwork,
    readonly timings: ModemTimings,
    /** Unsolicited output of this modem (URCs, late replies), one message per call. */
    readonly emit: (text: string) => void,
  ) {}

  get clock(): Clock { return this.network.clock; }

  /** True when the modem can take AT commands now. */
  get answering(): boolean { return this.powered && this.ready && !this.dead; }

  powerOn(): void {
    if (this.powered) return;
    this.powered = true;
    this.boot();
  }

  powerOff(): void {
    this.powered = false;
    this.ready = false;
    this.clearTimers(this.bootTimers);
    this.resetRadio();
  }

  /** `AT+CFUN=1,1`: full restart, `Call Ready` when done, registration starts again. */
  restart(): void {
    if (!this.powered) return;
    this.ready = false;
    this.resetRadio();
    this.boot();
  }

  /** The mechanics put a card into the holder (or took it away: undefined). */
  setSim(sim: SimCard | undefined): void {
    if (this.sim === sim) return;
    this.resetRadio();
    this.sim = sim;
    if (this.powered && this.ready) this.startRegistration();
  }

  /** The SIM's registration behaviour changed (control API): the radio follows at once. */
  behaviourChanged(): void {
    if (!this.answering || !this.sim) return;
    this.clearRegTimers();
    const b = this.sim.registration;
    if (b === 'ok' || b === 'roaming') {
      const stat = finalCreg(b)!;
      if (this.creg === 1 || this.creg === 5) { this.setCreg(stat); return; }
      this.setCreg(2);
      this.later(this.regTimers, this.timings.registerMs, () => this.setCreg(stat));
    } else {
      this.setCreg(finalCreg(b) ?? (b === 'searching' ? 2 : 0));
    }
  }

  get registered(): boolean { return this.creg === 1 || this.creg === 5; }

  // --- Subscriber (called by the network) ---

  receiveSms(pdu: string): boolean {
    if (!this.sim || !this.registered) return false;
    const index = this.sim.store(pdu, tpduLength(pdu));
    if (index === undefined) return false;
    this.emit(`+CMTI: "SM",${index}`);
    return true;
  }

  incomingCall(caller: string, seconds: number): boolean {
    if (this.call.kind !== 'idle' || !this.answering) return false;
    this.call = { kind: 'ringing', caller };
    const ring = (): void => {
      if (this.call.kind !== 'ringing') return;
      if (this.clip) this.emit(`+CLIP: "${caller}",145,"",0,"",0`);
      else this.emit('RING');
      this.later(this.callTimers, this.timings.ringEveryMs, ring);
    };
    ring();
    // The caller gives up (or ends the answered call) after `seconds`.
    this.later(this.callTimers, Math.max(1, seconds) * 1000, () => this.remoteHangup());
    return true;
  }

  // --- calls driven by AT commands ---

  answer(): boolean {
    if (this.call.kind !== 'ringing') return false;
    this.call = { kind: 'active', peer: this.call.caller, direction: 'in' };
    return true;
  }

  hangup(): void {
    this.clearCallTimers();
    this.call = { kind: 'idle' };
  }

  dial(number: string): boolean {
    if (!this.registered || this.call.kind !== 'idle' || !this.sim) return false;
    this.network.dial(this.sim.msisdn, number);
    this.call = { kind: 'dialing', peer: number };
    this.later(this.callTimers, this.timings.dialAnswerMs, () => {
      this.call = { kind: 'active', peer: number, direction: 'out' };
      this.later(this.callTimers, this.timings.dialHoldMs, () => this.remoteHangup());
    });
    return true;
  }

  snapshot(): ModemSnapshot {
    return {
      index: this.index, type: this.type, powered: this.powered, ready: this.ready, dead: this.dead,
      creg: this.creg, iccid: this.sim?.iccid ?? null, msisdn: this.sim?.msisdn ?? null,
      call: this.call, ussdSession: this.ussdMenu !== undefined, smsStored: this.sim?.used ?? 0,
    };
  }

  // --- internals ---

  private remoteHangup(): void {
    if (this.call.kind === 'idle') return;
    this.clearCallTimers();
    this.call = { kind: 'idle' };
    this.emit('NO CARRIER');
  }

  private boot(): void {
    this.clearRegTimers();
    this.clearTimers(this.bootTimers);
    this.later(this.bootTimers, this.timings.bootMs, () => {
      if (!this.powered) return;
      this.ready = true;
      // As logged (link_1.log 3493): one message `Call Ready⏎⏎SMS Ready`.
      this.emit(BOOT_MESSAGE);
      this.startRegistration();
    });
  }

  private startRegistration(): void {
    this.clearRegTimers();
    this.setCreg(0);
    const sim = this.sim;
    if (!sim || sim.registration === 'none') return;
    this.later(this.regTimers, this.timings.searchMs, () => {
      this.setCreg(2);
      const b = sim.registration;
      if (b === 'searching' || b === 'none') return;
      this.later(this.regTimers, this.timings.registerMs, () => {
        const now = sim.registration;
        this.setCreg(finalCreg(now) ?? (now === 'none' ? 0 : 2));
      });
    });
  }

  private setCreg(stat: number): void {
    this.creg = stat;
    const sim = this.sim;
    if ((stat === 1 || stat === 5) && sim) {
      if (this.attachedAs !== sim.msisdn) {
        this.detach();
        this.attachedAs = sim.msisdn;
        this.network.attach(sim.msisdn, this);
      }
    } else {
      this.detach();
    }
  }

  private detach(): void {
    if (this.attachedAs !== undefined) this.network.detach(this.attachedAs, this);
    this.attachedAs = undefined;
  }

  private resetRadio(): void {
    this.clearRegTimers();
    this.clearCallTimers();
    this.call = { kind: 'idle' };
    this.ussdMenu = undefined;
    this.setCreg(0);
  }

  private later(list: TimerHandle[], ms: number, fn: () => void): void {
    const h = this.clock.setTimeout(() => {
      const i = list.indexOf(h);
      if (i >= 0) list.splice(i, 1);
      fn();
    }, ms);
    list.push(h);
  }

  private clearRegTimers(): void {
    this.clearTimers(this.regTimers);
  }

  private clearTimers(list: TimerHandle[]): void {
    for (const h of list) this.clock.clearTimeout(h);
    list.length = 0;
  }

  private clearCallTimers(): void {
    for (const h of this.callTimers) this.clock.clearTimeout(h);
    this.callTimers = [];
  }
}

