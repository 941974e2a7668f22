/**
 * The poll loop every simulated aggregator runs (device-link.md §11): keep a FIFO of outbound
 * messages, send its head on each poll (or `REQUEST`), execute what the panel answers while not
 * polling, sleep the cadence with jitter, and start over. Faults scripted through the control API
 * bend this loop (drop or duplicate an answer, go silent, reboot, send garbage, poll slower).
 * The firmware-specific parts (query shape, body parsing, command language) are in subclasses.
 *
 * In server mode (device-link.md §2.5) the same firmware does not poll: the panel calls it
 * (`device-server.ts` answers `/port?data=…` through `serve`), commands run one after the other
 * in the background and every request carries one outbound message back.
 */
import type { Clock } from '../lib/clock.ts';
import type { Hardware } from './firmware.ts';
import type { LinkQuery, LinkTransport } from './link-transport.ts';
import type { Rng } from './rng.ts';

export interface Outbound { readonly step: number; readonly data: string }

export type FaultKind = 'drop-answer' | 'answer-twice' | 'silent' | 'reboot' | 'garbage' | 'slow-poll' | 'modem-dead' | 'modem-alive' | 'jam';
export const FAULT_KINDS: readonly FaultKind[] = ['drop-answer', 'answer-twice', 'silent', 'reboot', 'garbage', 'slow-poll', 'modem-dead', 'modem-alive', 'jam'];

export interface Fault {
  readonly kind: FaultKind;
  /** `silent`: how long; `slow-poll`: how long the slower cadence lasts (default: until changed). */
  readonly seconds?: number;
  /** `slow-poll`: the new poll interval, ms. */
  readonly intervalMs?: number;
  /** `modem-dead` / `modem-alive`: which modem (1-based). */
  readonly modem?: number;
}

export interface DeviceTimings {
  /** Poll cadence, ms (default 3000). */
  readonly pollMs: number;
  /** Uniform jitter added to each interval, ± ms (default 1000). */
  readonly jitterMs: number;
  /** Reboot time before `SR start`, ms (default 5000). */
  readonly rebootMs: number;
  /** `modem>activation` gives up after, ms (default 60000). */
  readonly activationTimeoutMs: number;
  /** Boot moments spread uniformly over [0, startSpreadMs) so a fleet does not poll in lockstep (default 0). */
  readonly startSpreadMs: number;
}

export const DEFAULT_DEVICE_TIMINGS: DeviceTimings = { pollMs: 3000, jitterMs: 1000, rebootMs: 5000, activationTimeoutMs: 60_000, startSpreadMs: 0 };

export interface DeviceOptions {
  readonly id: string;
  readonly token: string;
  readonly linkUrl: string;
  readonly hw: Hardware;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly transport: LinkTransport;
  readonly timings: DeviceTimings;
  readonly serial: string;
  /** `server`: answer the panel's requests (§2.5) instead of polling it. Default `client`. */
  readonly linkMode?: 'client' | 'server';
}

export type DeviceState = 'stopped' | 'polling' | 'executing' | 'sleeping' | 'silent' | 'rebooting';

/** What a server-mode device does with one request from the panel. */
export type ServeOutcome =
  /** Reply with this body (`<step>#!#<data>`, `0#!#REQUEST`, or garbage when scripted). */
  | { readonly kind: 'reply'; readonly body: string }
  /** Not reachable (silent fault): the request gets no answer for `ms`, then the connection drops. */
  | { readonly kind: 'unreachable'; readonly ms: number }
  /** Rebooting or stopped: the connection is refused (reset at once). */
  | { readonly kind: 'down' };

export interface DeviceStats {
  polls: number;
  commands: number;
  httpErrors: number;
  lastCommand: string | null;
  lastError: string | null;
}

export abstract class SimDevice {
  readonly outbox: Outbound[] = [];
  state: DeviceState = 'stopped';
  readonly stats: DeviceStats = { polls: 0, commands: 0, httpErrors: 0, lastCommand: null, lastError: null };
  protected dropNext = 0;
  protected duplicateNext = 0;
  protected garbageNext = 0;
  protected silentUntil = 0;
  protected slowPollMs: number | undefined;
  protected slowUntil = Infinity;
  private rebootRequested = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  /** Server mode: panel bodies waiting to be executed, and how to wake the executing loop. */
  private readonly commandQueue: string[] = [];
  private wakeExecutor: (() => void) | undefined;

  /** Token and link URL the device polls with (set again after `--register`). */
  link: { token: string; linkUrl: string };
  /** Server mode: `host:port` the device listens on, once listening. */
  serverAddress: string | null = null;

  constructor(readonly opts: DeviceOptions) {
    this.link = { token: opts.token, linkUrl: opts.linkUrl };
  }

  get id(): string { return this.opts.id; }
  get hw(): Hardware { return this.opts.hw; }
  get clock(): Clock { return this.opts.clock; }

  /** The banner sent on (re)boot: `SR start` (classic) or `SR started` (SMART). */
  protected abstract bootBanner(): string;
  /** The query for one outbound message. */
  protected abstract query(msg: Outbound): LinkQuery;
  /** Handles one response body; resolves when any command in it has been executed. */
  protected abstract handleBody(body: string): Promise<void>;
  /** Forgets firmware state on reboot (last step, chain state). */
  protected abstract resetFirmware(): void;
  /** Runs before each poll (SMART firmware pushes modem state changes here). */
  protected beforePoll(): void {}
  /** Firmware-specific part of the snapshot. */
  protected abstract firmwareSnapshot(): Record<string, unknown>;

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.hw.signal = this.abort.signal;
    this.outbox.push({ step: 0, data: this.bootBanner() });
    const loop = this.linkMode === 'server' ? this.execute(this.abort.signal) : this.run(this.abort.signal);
    this.loop = loop.catch(() => undefined).finally(() => { this.state = 'stopped'; });
  }

  get linkMode(): 'client' | 'server' { return this.opts.linkMode ?? 'client'; }

  /** A classic panel body (`{data}<step>#!#<command>`) for this firmware; server mode wraps requests in it. */
  protected abstract commandBody(step: number, command: string): string;

  async stop(): Promise<void> {
    this.abort?.abort(new Error('stopped'));
    await this.loop;
    this.loop = undefined;
    for (const m of this.hw.modems) m.powerOff();
  }

  push(msg: Outbound): void { this.outbox.push(msg); }

  /** Reboot: everything volatile is lost, then the banner goes out again. */
  requestReboot(): void { this.rebootRequested = true; this.wakeExecutor?.(); }

  /**
   * Server mode (§2.5): one request of the panel, `<step>` and `<command>` already split from
   * `data=<token>||<step>||<command>` (the token was checked by the caller). A command is queued
   * for the executing loop (the device answers at once: results are asynchronous and travel in
   * the replies of later requests); the reply is the head of the outbox, `0#!#REQUEST` when there
   * is nothing to say. The scripted faults bend it as they bend a poll.
   */
  serve(step: number, command: string): ServeOutcome {
    if (!this.loop || this.state === 'rebooting' || this.rebootRequested) return { kind: 'down' };
    const silentFor = this.silentUntil - this.clock.now();
    if (silentFor > 0) return { kind: 'unreachable', ms: silentFor };
    this.stats.polls++;
    if (command !== 'REQUEST' && step > 0) {
      this.commandQueue.push(this.commandBody(step, command));
      this.wakeExecutor?.();
    }
    if (this.garbageNext > 0) { this.garbageNext--; return { kind: 'reply', body: garbage(this.opts.rng.digits(6)) }; }
    let msg = this.outbox.shift();
    while (msg && this.dropNext > 0) { this.dropNext--; msg = this.outbox.shift(); }
    if (!msg) return { kind: 'reply', body: '0#!#REQUEST' };
    if (this.duplicateNext > 0) { this.duplicateNext--; this.outbox.unshift(msg); }
    return { kind: 'reply', body: `${msg.step}#!#${msg.data}` };
  }

  applyFault(f: Fault): { ok: true } | { ok: false; code: string; message: string } {
    switch (f.kind) {
      case 'drop-answer': this.dropNext++; return { ok: true };
      case 'answer-twice': this.duplicateNext++; return { ok: true };
      case 'garbage': this.garbageNext++; return { ok: true };
      case 'reboot': this.requestReboot(); return { ok: true };
      case 'jam': this.hw.jamNext++; return { ok: true };
      case 'silent':
        if (!(typeof f.seconds === 'number' && f.seconds > 0)) return { ok: false, code: 'BAD_FAULT', message: 'silent needs seconds > 0' };
        this.silentUntil = this.clock.now() + f.seconds * 1000;
        return { ok: true };
      case 'slow-poll': {
        const ms = f.intervalMs ?? this.opts.timings.pollMs * 3;
        if (!(typeof ms === 'number' && ms >= 100 && ms <= 3_600_000)) return { ok: false, code: 'BAD_FAULT', message: 'intervalMs must be 100…3600000' };
        this.slowPollMs = ms;
        this.slowUntil = typeof f.seconds === 'number' && f.seconds > 0 ? this.clock.now() + f.seconds * 1000 : Infinity;
        return { ok: true };
      }
      case 'modem-dead': case 'modem-alive': {
        const m = this.hw.modem(f.modem ?? 1);
        if (!m) return { ok: false, code: 'BAD_FAULT', message: `no modem ${f.modem}` };
        m.dead = f.kind === 'modem-dead';
        return { ok: true };
      }
    }
  }

  snapshot(): Record<string, unknown> {
    return {
      id: this.id, model: this.hw.model.id, family: this.hw.model.family, state: this.state,
      link: this.linkMode, ...(this.linkMode === 'server' ? { server: this.serverAddress } : {}),
      outbox: this.outbox.length, stats: { ...this.stats },
      mechanics: this.hw.mechanics.snapshot(), selected: this.hw.selected,
      slots: Object.fromEntries([...this.hw.slots].map(([p, s]) => [p, s.msisdn])),
      modems: this.hw.modems.map((m) => ({ ...m.snapshot(), place: this.hw.mechanics.placeFor(m.index) ?? null })),
      ...this.firmwareSnapshot(),
    };
  }

  private interval(): number {
    const now = this.clock.now();
    if (now >= this.slowUntil) { this.slowPollMs = undefined; this.slowUntil = Infinity; }
    const base = this.slowPollMs ?? this.opts.timings.pollMs;
    const j = this.opts.timings.jitterMs;
    return Math.max(50, base + (j > 0 ? this.opts.rng.int(-j, j) : 0));
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { clock } = this;
    const spread = this.opts.timings.startSpreadMs;
    if (spread > 0) await clock.sleep(this.opts.rng.int(0, spread - 1), signal);
    while (!signal.aborted) {
      if (this.rebootRequested) await this.reboot(signal);
      const silentFor = this.silentUntil - clock.now();
      if (silentFor > 0) {
        this.state = 'silent';
        await clock.sleep(silentFor, signal);
        continue;
      }
      this.beforePoll();
      let msg = this.outbox.shift();
      while (msg && this.dropNext > 0) { this.dropNext--; msg = this.outbox.shift(); }
      let q = this.query(msg ?? { step: 0, data: 'REQUEST' });
      if (this.garbageNext > 0) {
        this.garbageNext--;
        if (msg) this.outbox.unshift(msg);
        msg = undefined;
        q = { ...q, data: garbage(this.opts.rng.digits(6)) };
      }
      this.state = 'polling';
      this.stats.polls++;
      const res = await this.opts.transport.poll(this.link.linkUrl, q, signal);
      if (signal.aborted) return;
      if (!res.ok || res.status >= 500) {
        this.stats.httpErrors++;
        this.stats.lastError = res.ok ? `HTTP ${res.status}` : res.error;
        if (msg) this.outbox.unshift(msg);
      } else {
        if (msg && msg.data !== 'REQUEST' && this.duplicateNext > 0) { this.duplicateNext--; this.outbox.unshift(msg); }
        this.state = 'executing';
        await this.handleBody(res.body);
      }
      this.state = 'sleeping';
      await clock.sleep(this.interval(), signal);
    }
  }

  /** Everything volatile is lost (outbox, firmware state, modem power), then the banner goes out again. */
  private async reboot(signal: AbortSignal): Promise<void> {
    this.rebootRequested = false;
    this.state = 'rebooting';
    this.outbox.length = 0;
    this.commandQueue.length = 0;
    this.resetFirmware();
    for (const m of this.hw.modems) m.powerOff();
    await this.clock.sleep(this.opts.timings.rebootMs, signal);
    this.outbox.push({ step: 0, data: this.bootBanner() });
  }

  /** Server mode: runs the commands the panel sent, one at a time, in arrival order. */
  private async execute(signal: AbortSignal): Promise<void> {
    const spread = this.opts.timings.startSpreadMs;
    if (spread > 0) await this.clock.sleep(this.opts.rng.int(0, spread - 1), signal);
    while (!signal.aborted) {
      if (this.rebootRequested) { await this.reboot(signal); continue; }
      const body = this.commandQueue.shift();
      if (body !== undefined) {
        this.state = 'executing';
        await this.handleBody(body);
        continue;
      }
      this.state = 'sleeping';
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason);
        this.wakeExecutor = () => { this.wakeExecutor = undefined; signal.removeEventListener('abort', onAbort); resolve(); };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}

/** Bytes a confused firmware might send: control characters, protocol separators, broken UTF-8. */
function garbage(seed: string): string {
  return `\u0000#!#{data}&&${seed}\u00ff\ufffd##E#3#`;
}
