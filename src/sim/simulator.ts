/**
 * A running simulation: the mobile network, every device of a fleet with its cards, and the
 * operations the control API exposes (send SMS, ring, change a SIM's registration, faults, remove
 * and insert cards, snapshots). Time comes from an injected clock; randomness from the fleet seed.
 */
import { realClock, type Clock } from '../lib/clock.ts';
import { ClassicDevice } from './classic-device.ts';
import { DeviceServer } from './device-server.ts';
import { DEFAULT_DEVICE_TIMINGS, type Fault, type SimDevice } from './device.ts';
import type { Fleet, FleetDevice, FleetSim } from './fleet.ts';
import { Hardware } from './firmware.ts';
import { httpTransport, type LinkTransport } from './link-transport.ts';
import { DEFAULT_MECHANICS_TIMINGS } from './mechanics.ts';
import { DEFAULT_MODEM_TIMINGS } from './modem.ts';
import { MODELS } from './models.ts';
import { MobileNetwork, normalizeNumber, type SimResult, type SmsRequest } from './network.ts';
import { OPERATORS, type OperatorId } from './operators.ts';
import { createRng, type Rng } from './rng.ts';
import { SimCard, type RegistrationBehaviour } from './sim-card.ts';
import { SmartDevice } from './smart-device.ts';

/** Where each device polls: its token and, optionally, its own link URL. */
export type TokenMap = Readonly<Record<string, { readonly token: string; readonly linkUrl?: string }>>;

export interface SimulatorOptions {
  readonly fleet: Fleet;
  /** Panel base URL; devices poll `<panel>/link.php` unless they have their own link URL. */
  readonly panelUrl: string;
  readonly tokens?: TokenMap;
  readonly clock?: Clock;
  readonly transport?: LinkTransport;
  /** Address server-mode devices listen on (default 127.0.0.1). */
  readonly serverHost?: string;
}

/** A server-mode device's listener and what the panel needs to call it. */
export interface ServerLink {
  readonly token: string;
  readonly port: number;
  /** `host:port` once `listen()` ran, else null. */
  readonly address: string | null;
}

export class Simulator {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly network: MobileNetwork;
  readonly devices = new Map<string, SimDevice>();
  private readonly transport: LinkTransport;
  private readonly ownTransport: (LinkTransport & { close(): void }) | undefined;
  private readonly usedNumbers = new Set<string>();
  private readonly servers = new Map<string, { token: string; port: number; server: DeviceServer }>();
  private started = false;

  constructor(readonly opts: SimulatorOptions) {
    this.clock = opts.clock ?? realClock();
    this.rng = createRng(opts.fleet.seed);
    this.network = new MobileNetwork({ clock: this.clock, rng: this.rng.fork('network') });
    if (opts.transport) this.transport = opts.transport;
    else {
      this.ownTransport = httpTransport({ maxSockets: Math.min(256, Math.max(8, opts.fleet.devices.length)) });
      this.transport = this.ownTransport;
    }
    for (const d of opts.fleet.devices) this.addDevice(d);
  }

  /** Points devices at the tokens and link URLs a panel issued (before `start`). */
  setLinks(tokens: TokenMap): void {
    for (const [id, t] of Object.entries(tokens)) {
      const d = this.devices.get(id);
      if (d) d.link = { token: t.token, linkUrl: t.linkUrl ?? d.link.linkUrl };
    }
  }

  /**
   * Opens the HTTP listener of every server-mode device (device-link.md §2.5), so their addresses
   * are known before the aggregators are registered; `start` does it too when it was not done.
   */
  async listen(): Promise<void> {
    const host = this.opts.serverHost ?? '127.0.0.1';
    for (const [id, s] of this.servers) {
      if (s.server.address !== null) continue;
      this.devices.get(id)!.serverAddress = await s.server.listen(host, s.port);
    }
  }

  /** Server mode: the token and address of a device, undefined for a polling device. */
  serverLink(deviceId: string): ServerLink | undefined {
    const s = this.servers.get(deviceId);
    return s ? { token: s.token, port: s.port, address: s.server.address } : undefined;
  }

  /** Requests held unanswered by silent server-mode devices (all other requests finish on their own). */
  get parkedRequests(): number {
    let n = 0;
    for (const s of this.servers.values()) n += s.server.parkedRequests;
    return n;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const d of this.devices.values()) d.start();
    if ([...this.servers.values()].some((s) => s.server.address === null)) {
      this.listen().catch((e: unknown) => { for (const d of this.devices.values()) if (d.linkMode === 'server' && d.serverAddress === null) d.stats.lastError = `cannot listen: ${(e as Error).message}`; });
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.servers.values()].map((s) => s.server.close()));
    await Promise.all([...this.devices.values()].map((d) => d.stop()));
    this.ownTransport?.close();
  }

  // --- control operations ---

  sendSms(req: SmsRequest): SimResult<{ parts: number; delivered: boolean }> { return this.network.sendSms(req); }

  call(to: string, from: string, seconds: number): SimResult<{ ringing: true }> { return this.network.ring(to, from, seconds); }

  setRegistration(number: string, reg: RegistrationBehaviour): SimResult<{ number: string; registration: RegistrationBehaviour }> {
    const sim = this.network.sim(number);
    if (!sim) return { ok: false, error: { code: 'UNKNOWN_NUMBER', message: `no simulated SIM has the number ${number}` } };
    sim.registration = reg;
    for (const d of this.devices.values()) d.hw.modemHolding(sim)?.behaviourChanged();
    return { ok: true, value: { number: sim.msisdn, registration: reg } };
  }

  fault(deviceId: string, f: Fault): SimResult<{ device: string; kind: string }> {
    const d = this.devices.get(deviceId);
    if (!d) return { ok: false, error: { code: 'UNKNOWN_DEVICE', message: `no device ${deviceId}` } };
    const r = d.applyFault(f);
    return r.ok ? { ok: true, value: { device: deviceId, kind: f.kind } } : { ok: false, error: { code: r.code, message: r.message } };
  }

  removeSim(deviceId: string, place: string): SimResult<{ place: string; number: string }> {
    const d = this.devices.get(deviceId);
    if (!d) return { ok: false, error: { code: 'UNKNOWN_DEVICE', message: `no device ${deviceId}` } };
    const r = d.hw.remove(place);
    if (!r.ok) return { ok: false, error: { code: r.code, message: `cannot remove a card from ${place}` } };
    return { ok: true, value: { place, number: r.sim.msisdn } };
  }

  /** Puts a card into a slot: the one removed from there before, or a new one described by `spec`. */
  insertSim(deviceId: string, place: string, spec?: { operator?: OperatorId; msisdn?: string; registration?: RegistrationBehaviour }): SimResult<{ place: string; number: string }> {
    const d = this.devices.get(deviceId);
    if (!d) return { ok: false, error: { code: 'UNKNOWN_DEVICE', message: `no device ${deviceId}` } };
    const canonical = d.hw.mechanics.canonical(place);
    if (!canonical) return { ok: false, error: { code: 'BAD_PLACE', message: `${place} is not a place of ${d.hw.model.name}` } };
    let sim = d.hw.removed.get(canonical);
    if (!sim || spec?.operator !== undefined || spec?.msisdn !== undefined) {
      if (spec?.msisdn !== undefined && this.network.sim(spec.msisdn)) return { ok: false, error: { code: 'NUMBER_IN_USE', message: `${spec.msisdn} already exists` } };
      sim = this.makeSim({ place: canonical, operator: spec?.operator ?? 'mts', ...(spec?.msisdn ? { msisdn: normalizeNumber(spec.msisdn) } : {}) }, this.rng);
    }
    if (spec?.registration) sim.registration = spec.registration;
    const r = d.hw.insert(canonical, sim);
    if (!r.ok) return { ok: false, error: { code: r.code, message: `cannot insert a card into ${place}` } };
    return { ok: true, value: { place: canonical, number: sim.msisdn } };
  }

  snapshot(): Array<Record<string, unknown>> { return [...this.devices.values()].map((d) => d.snapshot()); }

  sims(): Array<Record<string, unknown>> {
    const where = new Map<SimCard, { device: string; place: string }>();
    for (const d of this.devices.values()) for (const [place, sim] of d.hw.slots) where.set(sim, { device: d.id, place });
    return this.network.allSims().map((s) => ({
      number: s.msisdn, iccid: s.iccid, operator: s.operator, cspn: OPERATORS[s.operator].cspn,
      registration: s.registration, balance: s.balance, stored: s.used, attached: this.network.isAttached(s.msisdn),
      pending: this.network.pendingFor(s.msisdn), ...(where.get(s) ?? { device: null, place: null }),
    }));
  }

  // --- construction ---

  private addDevice(fd: FleetDevice): void {
    const model = MODELS[fd.model];
    const t = this.opts.fleet.timings;
    const rng = this.rng.fork(`device:${fd.id}`);
    let device: ClassicDevice | SmartDevice | undefined;
    const hw = new Hardware({
      model, network: this.network, clock: this.clock, modemType: fd.modemType ?? 'SIM800',
      modemTimings: { ...DEFAULT_MODEM_TIMINGS, ...t.modem },
      mechanicsTimings: { ...DEFAULT_MECHANICS_TIMINGS, ...t.mechanics },
      ...(fd.bankMap === undefined ? {} : { bankMap: fd.bankMap }),
      ...(fd.smartType === undefined ? {} : { smartType: fd.smartType }),
      onModemOutput: (m, text) => device?.modemOutput(m, text),
    });
    const explicit = new Set<string>();
    for (const s of fd.sims) {
      const sim = this.makeSim(s, rng);
      if (hw.insert(s.place, sim).ok) explicit.add(hw.mechanics.canonical(s.place)!);
    }
    if (fd.fill) {
      let n = 0;
      for (const place of model.places) {
        if (n >= fd.fill.count) break;
        if (explicit.has(place) || !hw.mechanics.canonical(place)) continue;
        const op = fd.fill.operators[rng.int(0, fd.fill.operators.length - 1)]!;
        hw.insert(place, this.makeSim({ place, operator: op, ...(fd.fill.registration ? { registration: fd.fill.registration } : {}) }, rng));
        n++;
      }
    }
    const tok = this.opts.tokens?.[fd.id];
    const token = tok?.token ?? fd.token ?? String(rng.int(1, 9)) + rng.digits(9);
    const linkUrl = tok?.linkUrl ?? fd.linkUrl ?? new URL('link.php', withSlash(this.opts.panelUrl)).toString();
    const linkMode = fd.link ?? 'client';
    const opts = {
      id: fd.id, token, linkUrl, hw, clock: this.clock, rng, transport: this.transport,
      timings: { ...DEFAULT_DEVICE_TIMINGS, ...t.device }, serial: '0' + rng.digits(17), linkMode,
    };
    device = model.family === 'smart' ? new SmartDevice(opts) : new ClassicDevice(opts);
    this.devices.set(fd.id, device);
    if (linkMode === 'server') {
      // Drawn after everything else, so adding a server device leaves the other devices' numbers as they were.
      const serverToken = fd.serverToken ?? rng.digits(5);
      this.servers.set(fd.id, { token: serverToken, port: fd.serverPort ?? 0, server: new DeviceServer({ device, token: serverToken, clock: this.clock }) });
    }
  }

  private makeSim(s: FleetSim, rng: Rng): SimCard {
    const op = OPERATORS[s.operator];
    let msisdn = s.msisdn;
    while (msisdn === undefined || this.usedNumbers.has(msisdn)) {
      if (msisdn !== undefined && s.msisdn === msisdn) { msisdn = undefined; continue; }
      msisdn = op.prefixes[rng.int(0, op.prefixes.length - 1)]! + rng.digits(7);
    }
    this.usedNumbers.add(msisdn);
    const iccid = s.iccid ?? luhn(op.iccidPrefix + rng.digits(19 - op.iccidPrefix.length));
    const sim = new SimCard({ iccid, msisdn, operator: s.operator, registration: s.registration ?? 'ok', balance: s.balance ?? rng.int(1000, 99_999) / 100 });
    this.network.addSim(sim);
    return sim;
  }
}

function withSlash(u: string): string { return u.endsWith('/') ? u : u + '/'; }

/** Appends the Luhn check digit (ICCIDs carry one). */
function luhn(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return digits + String((10 - (sum % 10)) % 10);
}
