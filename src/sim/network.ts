/**
 * The virtual mobile network: knows every simulated SIM by number, which modem currently serves it
 * (a modem attaches the SIM when it registers, stat 1/5, and detaches it on any other state), and
 * delivers SMS and calls to it as an SMSC/MSC would. SMS for a SIM that is not reachable, or whose
 * memory is full, wait at the network and are delivered when it attaches again (store and forward).
 */
import type { Clock } from '../lib/clock.ts';
import { OPERATORS } from './operators.ts';
import { shuffled, type Rng } from './rng.ts';
import type { SimCard } from './sim-card.ts';
import { deliverPdus, parsePduHex, type SmsAlphabet } from './sms-source.ts';

/** What a modem exposes to the network while it serves a SIM. */
export interface Subscriber {
  /** Stores one SMS-DELIVER PDU on the SIM; false when the memory is full. */
  receiveSms(pdu: string): boolean;
  /** An incoming call; false when the line is busy. */
  incomingCall(caller: string, seconds: number): boolean;
}

export type SimResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

function err<T>(code: string, message: string): SimResult<T> {
  return { ok: false, error: { code, message } };
}

export interface SmsRequest {
  /** Receiving SIM number (`+` and spaces allowed). */
  readonly to: string;
  /** Sender: digits (`+` = international) or an alphanumeric name up to 11 characters. */
  readonly from?: string;
  readonly text?: string;
  /** A raw SMS-DELIVER PDU (hex, with SMSC field) delivered as is. */
  readonly pdu?: string;
  /** Force UCS2 even when the text fits GSM 7-bit. */
  readonly alphabet?: SmsAlphabet;
  /** Deliver the parts of a long message in a shuffled order. */
  readonly shuffle?: boolean;
}

export interface SentSms { readonly from: string; readonly to: string; readonly text: string; readonly mr: number; readonly at: number }
export interface CallRecord { readonly from: string; readonly to: string; readonly at: number; readonly direction: 'in' | 'out'; result: string }

export interface NetworkOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  /** Gap between consecutive parts of one message, ms (default 400). */
  readonly partGapMs?: number;
}

export class MobileNetwork {
  private readonly sims = new Map<string, SimCard>();
  private readonly attached = new Map<string, Subscriber>();
  private readonly pending = new Map<string, string[]>();
  private nextRef = 1;
  private nextMr = 1;
  readonly sent: SentSms[] = [];
  readonly calls: CallRecord[] = [];

  constructor(private readonly opts: NetworkOptions) {}

  get clock(): Clock { return this.opts.clock; }

  addSim(sim: SimCard): void { this.sims.set(sim.msisdn, sim); }

  sim(number: string): SimCard | undefined { return this.sims.get(normalizeNumber(number)); }

  allSims(): SimCard[] { return [...this.sims.values()]; }

  isAttached(msisdn: string): boolean { return this.attached.has(msisdn); }

  /** Called by a modem when its SIM registers (stat 1/5); flushes messages that waited. */
  attach(msisdn: string, sub: Subscriber): void {
    this.attached.set(msisdn, sub);
    this.flush(msisdn);
  }

  detach(msisdn: string, sub: Subscriber): void {
    if (this.attached.get(msisdn) === sub) this.attached.delete(msisdn);
  }

  /** Messages waiting at the network for a number (not yet stored on its SIM). */
  pendingFor(msisdn: string): number { return this.pending.get(msisdn)?.length ?? 0; }

  /** Sends an SMS to a simulated SIM: text (split into concatenated parts as needed) or a raw PDU. */
  sendSms(req: SmsRequest): SimResult<{ parts: number; delivered: boolean }> {
    const msisdn = normalizeNumber(req.to);
    const sim = this.sims.get(msisdn);
    if (!sim) return err('UNKNOWN_NUMBER', `no simulated SIM has the number ${req.to}`);
    let pdus: string[];
    if (req.pdu !== undefined) {
      const checked = parsePduHex(req.pdu);
      if (!checked.ok) return err('BAD_PDU', checked.message);
      pdus = [checked.pdu];
    } else {
      if (typeof req.text !== 'string' || req.text.length === 0) return err('BAD_TEXT', 'text must be a non-empty string');
      const from = req.from ?? '+79000000000';
      const built = deliverPdus({
        smsc: OPERATORS[sim.operator].smsc, sender: from, text: req.text,
        timestampMs: this.opts.clock.now(), ref: this.nextRef++ & 0xff, alphabet: req.alphabet,
      });
      if (!built.ok) return err(built.code, built.message);
      pdus = req.shuffle && built.pdus.length > 1 ? shuffled(this.opts.rng, built.pdus) : built.pdus;
    }
    const gap = this.opts.partGapMs ?? 400;
    pdus.forEach((pdu, i) => {
      if (i === 0) this.deliver(msisdn, pdu);
      else this.opts.clock.setTimeout(() => this.deliver(msisdn, pdu), gap * i);
    });
    return { ok: true, value: { parts: pdus.length, delivered: this.attached.has(msisdn) } };
  }

  /** Rings a simulated SIM from `from` for `seconds` (the caller hangs up after that). */
  ring(to: string, from: string, seconds: number): SimResult<{ ringing: true }> {
    const msisdn = normalizeNumber(to);
    if (!this.sims.has(msisdn)) return err('UNKNOWN_NUMBER', `no simulated SIM has the number ${to}`);
    const sub = this.attached.get(msisdn);
    const rec: CallRecord = { from, to: msisdn, at: this.opts.clock.now(), direction: 'in', result: 'unreachable' };
    this.calls.push(rec);
    if (!sub) return err('NOT_REACHABLE', `${to} is not registered in the network`);
    if (!sub.incomingCall(from, seconds)) { rec.result = 'busy'; return err('BUSY', `${to} is busy`); }
    rec.result = 'ringing';
    return { ok: true, value: { ringing: true } };
  }

  /** An SMS submitted by a modem (`sms>send`, `AT+CMGS`); returns the message reference. */
  submit(fromMsisdn: string, to: string, text: string): number {
    const mr = this.nextMr++ & 0xff;
    this.sent.push({ from: fromMsisdn, to, text, mr, at: this.opts.clock.now() });
    if (this.sims.has(normalizeNumber(to))) this.sendSms({ to, from: '+' + fromMsisdn, text });
    return mr;
  }

  /** An outgoing call placed by a modem (`ATD<n>;`). */
  dial(fromMsisdn: string, to: string): CallRecord {
    const rec: CallRecord = { from: fromMsisdn, to, at: this.opts.clock.now(), direction: 'out', result: 'connected' };
    this.calls.push(rec);
    return rec;
  }

  private deliver(msisdn: string, pdu: string): void {
    const queue = this.pending.get(msisdn) ?? [];
    queue.push(pdu);
    this.pending.set(msisdn, queue);
    this.flush(msisdn);
  }

  /** The SMSC retries waiting messages (a SIM freed memory); `retryMs` later. */
  retry(msisdn: string, retryMs = 1000): void {
    if (this.pending.has(msisdn)) this.opts.clock.setTimeout(() => this.flush(msisdn), retryMs);
  }

  private flush(msisdn: string): void {
    const queue = this.pending.get(msisdn);
    const sub = this.attached.get(msisdn);
    if (!queue || !sub) return;
    while (queue.length > 0 && sub.receiveSms(queue[0]!)) queue.shift();
    if (queue.length === 0) this.pending.delete(msisdn);
  }
}

/** Digits only, without `+` or separators: the key numbers are stored under. */
export function normalizeNumber(n: string): string {
  return String(n).replace(/[^0-9]/g, '');
}
