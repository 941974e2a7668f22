/**
 * One aggregator's online session as a reconciler (device-link.md §5, issue #5 item 4): it reads
 * the desired state (`card_online.desired`, queued SMS, device requests), drives the hardware
 * towards it through the model's driver, and writes the actual state back (position, channel,
 * status code) only for the generation it acted on. SMS are read with `modem>sms:4` (or a
 * `modem>pack` of `AT+CMGL=4`), committed through the exactly-once intake, and only then deleted
 * from the SIM — in one "delete read" command when the last listing committed everything, so
 * deletes cost the device one or two polls instead of two per message; a `+CMTI` is answered in
 * the reply to the very poll that brought it (queued deletes are withdrawn, a queued routine
 * check goes after it). `+CLIP` becomes a call record and `RING_[…]` for the card whose modem rang
 * (the SR-Box-2 output prefix, else `AT+CLCC` when several cards are online).
 * One engine for every model: what differs is in ../drivers/driver.ts.
 */
import { parseActivation, parsePackAnswer, parseSmartPayload, parseSmsAnswer, type SmsEntry } from '../../codec/index.ts';
import { parseRegistration } from '../../codec/at/creg.ts';
import { parseClip } from '../../codec/at/urc.ts';
import { parseCmgl } from '../../codec/at/sms-replies.ts';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import { placeKey, type ModelDescriptor, type ResolvedSettings } from '../../models/index.ts';
import type { CallLog } from '../../domain/calls/calls.ts';
import type { CardState, DeviceStateRepo } from '../../domain/device-state/repo.ts';
import type { SmsIntake } from '../../domain/sms-intake/intake.ts';
import type { SmsOutbox } from '../../domain/pools/outbox.ts';
import type { Command, CommandOutcome, UnsolicitedMessage } from '../channel/types.ts';
import type { DeviceLink, RuntimeLog } from '../link/link-hub.ts';
import { recipientOf, type Driver, type SeatTarget } from '../drivers/driver.ts';
import type { TaskQueue } from '../../domain/tasks/tasks.ts';
import { runTaskUnit, type TaskUnit } from '../tasks/run-unit.ts';

export interface SessionTimings {
  /**
   * Desired state is re-read at least this often, ms: a safety net only — changes wake the
   * session (the runtime's DesiredStateWatch, the pool API, the outbox), and timers due sooner
   * (registration checks, SMS listings, retries) shorten the sleep.
   */
  readonly rereadMs: number;
  /** Stored SMS are listed at least this often (a +CMTI triggers a listing at once), ms. */
  readonly smsPollMs: number;
  /** Registration is re-checked this often while every card is registered, ms. */
  readonly regCheckMs: number;
  /** …and this often while some card is not, ms. */
  readonly regRetryMs: number;
  /** A modem searching (stat 2) or unregistered (0/4) this long is restarted, ms. */
  readonly restartAfterMs: number;
  /** Waiting for a seating command, ms. */
  readonly seatTimeoutMs: number;
  /** Waiting for routine command answers, ms. */
  readonly commandTimeoutMs: number;
  /** Waiting for the modem's verdict on an outgoing SMS, ms. */
  readonly sendTimeoutMs: number;
}

export const DEFAULT_SESSION_TIMINGS: SessionTimings = {
  rereadMs: 20_000, smsPollMs: 30_000, regCheckMs: 60_000, regRetryMs: 10_000, restartAfterMs: 90_000,
  seatTimeoutMs: 240_000, commandTimeoutMs: 150_000, sendTimeoutMs: 90_000,
};

export interface SessionDeps {
  readonly link: DeviceLink;
  readonly driver: Driver;
  readonly model: ModelDescriptor;
  readonly settings: ResolvedSettings;
  readonly repo: DeviceStateRepo;
  readonly intake: SmsIntake;
  readonly calls: CallLog;
  readonly outbox: SmsOutbox;
  readonly clock: Clock;
  readonly log: RuntimeLog;
  readonly timings?: Partial<SessionTimings>;
  /** The task queue; tasks run when no card of the aggregator is wanted online (mutual exclusion). */
  readonly tasks?: TaskQueue;
}

interface Seat {
  cardId: number;
  place: string;
  number: string | null;
  channel: number;
  position: number;
  generation: number;
  status: number | null;
  statusSince: number;
  lastRestart: number;
  seatFailures: number;
}

const text: Command<string>['parse'] = (a) => ({ ok: true, value: a });
const isNull = (a: string): boolean => a.trim() === 'NULL' || a.trim() === '';
/** A caller's `AT+CLCC` question serves its repeated `+CLIP` until they stop this long, ms. */
const CLCC_REUSE_MS = 30_000;
/**
 * Waiting for the `AT+CLCC` answer, ms (then the call goes to the newest card). Long: while the
 * phone rings, a `+CLIP` every few seconds fills the device's outbox ahead of the answer.
 */
const CLCC_TIMEOUT_MS = 90_000;
/** Deletes wait for this long without new listings… */
const DELETE_QUIET_MS = 12_000;
/** …unless this many committed messages wait on one SIM. */
const DELETE_BATCH = 6;
/** Deletes due while a listing runs wait this long for it, ms (a delete of read messages must not overtake it). */
const DELETE_RETRY_MS = 1000;
/** SMART firmware powers its modems at boot; a card change before they are up is lost (device-link.md §4.8). */
const SMART_BOOT_MS = 10_000;
const registered = (s: number | null): boolean => s === 1 || s === 5;
/** A failed seating is tried again after this long, ms. */
const SEAT_RETRY_MS = 1000;
/** Shortest sleep between ticks, ms (a timer due now still lets the device be polled). */
const MIN_SLEEP_MS = 250;

export class OnlineSession {
  private readonly d: SessionDeps;
  private readonly t: SessionTimings;
  private readonly seated = new Map<number, Seat>();
  /** Last known mechanical position per channel (to attribute SMS of a card that just left). */
  private readonly lastPosition = new Map<number, number>();
  /** Shared position (SR-Train row, SR-Nano ordinal) the device is at, when known. */
  private shared: number | null = null;
  private lastReg = -Infinity;
  private lastSms = -Infinity;
  /** Listings sent and not yet processed, and the chain that processes them in the order sent. */
  private listings = 0;
  private intake: Promise<void> = Promise.resolve();
  /** When the device last announced a (re)boot; SMART modems are left to finish booting before a card change. */
  private bootAt = -Infinity;
  private firstHeardAt: number | null = null;
  /** Committed messages still on the SIM: channel → index → PDU. */
  private readonly pendingDeletes = new Map<number, Map<number, string>>();
  private deleteTimer: TimerHandle | null = null;
  /** Bumped when deletes are sent; listings queued before that are stale for scheduling deletes. */
  private deleteEpoch = 0;
  /**
   * Channels whose last listing committed every message it showed (and so marked read): until the
   * next listing runs, every READ message on that SIM is in the store, and one "delete read"
   * command may replace a chain of per-index deletes (see flushDeletes).
   */
  /** Channels whose last listing committed all it showed → the channel's `storageReads` right after that listing was queued. */
  private readonly listingClean = new Map<number, number>();
  /** `AT+CLCC` questions by caller (last 10 digits): which channel rings, asked once per ringing. */
  private readonly clcc = new Map<string, { at: number; answer: Promise<number | null> }>();
  /** Steps of delete commands queued in the channel (withdrawn if still queued when a read must go). */
  private queuedDeletes: number[] = [];
  private wakeUp: (() => void) | null = null;
  private dirty = true;
  /** When something not driven by a wake-up must be looked at again (seat retry, SMART boot wait). */
  private retryAt: number | null = null;
  private unsubscribe: Array<() => void> = [];
  private stopped = false;
  private signal: AbortSignal | null = null;
  readonly stats = { ticks: 0, smsListed: 0, smsCommitted: 0, duplicates: 0, seatFailures: 0, restarts: 0, reboots: 0, deleteRead: 0 };

  constructor(deps: SessionDeps) {
    this.d = deps;
    this.t = { ...DEFAULT_SESSION_TIMINGS, ...deps.timings };
  }

  private get ch() { return this.d.link.channel; }
  private get aggId(): number { return this.d.link.aggregator.id; }

  /** Makes the session re-read the desired state now (openNumber, closeNumber, sendSms…). */
  wake(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    this.subscribe();
    try {
      while (!signal.aborted && !this.stopped) {
        try {
          await this.tick();
        } catch (err) {
          this.d.log.error({ err, aggregator: this.aggId }, 'session tick failed');
        }
        await this.sleep(this.sleepMs(), signal);
      }
    } finally {
      if (this.deleteTimer) this.d.clock.clearTimeout(this.deleteTimer);
      for (const u of this.unsubscribe) u();
      this.unsubscribe = [];
    }
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp?.();
  }

  // ── tasks ──────────────────────────────────────────────────────────────────────────────────

  private async runUnit(u: TaskUnit): Promise<void> {
    await runTaskUnit({
      aggregatorId: this.aggId, ch: this.ch, driver: this.d.driver, model: this.d.model, settings: this.d.settings,
      tasks: this.d.tasks!, intake: this.d.intake, repo: this.d.repo,
      interrupted: () => this.stopped || this.signal?.aborted === true,
    }, u);
    this.shared = null; // the unit moved the mechanics: the next seat starts from an unknown position
  }

  // ── reconciliation ─────────────────────────────────────────────────────────────────────────

  private async tick(): Promise<void> {
    this.stats.ticks++;
    this.dirty = false;
    this.retryAt = null;
    const states = await this.d.repo.cardStates(this.aggId);
    if (this.d.tasks && this.seated.size === 0 && !states.some((s) => s.desired === 'online')) {
      const unit = await this.d.tasks.next(this.aggId);
      if (unit) { await this.runUnit(unit); this.dirty = true; return; }
    }
    await this.reconcileSeats(states);
    const now = this.d.clock.now();
    if (this.seated.size > 0 && this.d.driver.family === 'classic') {
      const unhealthy = [...this.seated.values()].some((s) => !registered(s.status));
      if (now - this.lastReg >= (unhealthy ? this.t.regRetryMs : this.t.regCheckMs)) await this.checkRegistration();
    }
    if (this.d.driver.family === 'smart') this.restartStuck();
    if (this.d.driver.family === 'classic' && this.d.clock.now() - this.lastSms >= this.t.smsPollMs && this.seated.size > 0) this.requestSms();
    await this.sendQueued();
    await this.handleRequests();
  }

  /** Where a desired card goes: its recorded channel when valid, else the first option fitting the shared position. */
  private targetOf(c: CardState): SeatTarget | null {
    const p = this.d.model.parsePlace(c.place, this.d.settings);
    if (!p.ok) return null;
    const opts = this.d.model.channelOptions(p.value, this.d.settings);
    const pick = opts.find((o) => o.channel === c.channel) ?? opts.find((o) => this.shared === null || !this.d.model.sharedPosition || o.position === this.shared) ?? opts[0];
    return pick ? { channel: pick.channel, modem: pick.modem, position: pick.position, place: this.d.model.formatPlace(p.value) } : null;
  }

  private async reconcileSeats(states: readonly CardState[]): Promise<void> {
    const desired = new Map<number, { state: CardState; target: SeatTarget }>();
    for (const s of states) {
      if (s.desired !== 'online') continue;
      const target = this.targetOf(s);
      if (target && !desired.has(target.channel)) desired.set(target.channel, { state: s, target });
    }
    // 1. cards that left (closeNumber) or moved: back to HOLD.
    let released = false;
    for (const [channel, seat] of [...this.seated]) {
      const want = desired.get(channel);
      if (!want || want.state.cardId !== seat.cardId || want.target.position !== seat.position) {
        this.seated.delete(channel);
        this.listingClean.delete(channel);
        released = true;
        await this.d.repo.releaseCard(seat.cardId);
      } else if (want.state.generation !== seat.generation) {
        seat.generation = want.state.generation; // re-opened while seated: report again for the new generation
        seat.number = want.state.number;
        await this.d.repo.reportCard(seat.cardId, seat.generation, { position: 'ONLINE', channel, statusCode: seat.status ?? -2 });
      }
    }
    for (const s of states) if (s.desired !== 'online' && s.position === 'ONLINE' && ![...this.seated.values()].some((x) => x.cardId === s.cardId)) await this.d.repo.releaseCard(s.cardId);
    if (released && this.seated.size === 0 && desired.size === 0) {
      for (const cmd of this.d.driver.releaseAll()) this.ch.enqueue(cmd);
      if (this.d.model.sharedPosition) this.shared = null;
    }
    // 2. cards to seat.
    const todo = [...desired.values()].filter(({ target }) => !this.seated.has(target.channel));
    if (todo.length === 0) return;
    if (this.d.driver.family === 'smart' && !this.smartSettled()) { this.retryAfter(SEAT_RETRY_MS); return; }
    const targets = todo.map((x) => x.target);
    const now = this.d.clock.now();
    for (const { state, target } of todo) await this.d.repo.reportCard(state.cardId, state.generation, { position: 'ONLINE', channel: target.channel, statusCode: -1 });
    const ok = await this.runSeat(this.d.driver.seat(targets, this.d.model.sharedPosition ? this.shared : null));
    if (!ok) {
      this.stats.seatFailures++;
      this.d.log.warn({ aggregator: this.aggId, places: targets.map((t) => t.place) }, 'seating failed; retrying');
      if (this.d.driver.kind === 'nano') this.ch.enqueue('answer>clear&&card>reposition');
      this.shared = null;
      this.retryAfter(SEAT_RETRY_MS);
      return;
    }
    if (this.d.model.sharedPosition && targets[0]) this.shared = targets[0].position;
    for (const { state, target } of todo) {
      const seat: Seat = {
        cardId: state.cardId, place: target.place, number: state.number, channel: target.channel, position: target.position,
        generation: state.generation, status: -2, statusSince: now, lastRestart: now, seatFailures: 0,
      };
      this.seated.set(target.channel, seat);
      this.listingClean.delete(target.channel); // another SIM: its read messages are not ours until listed
      this.lastPosition.set(target.channel, target.position);
      await this.d.repo.reportCard(state.cardId, state.generation, { position: 'ONLINE', channel: target.channel, statusCode: -2 });
    }
    for (const cmd of this.d.driver.prepare(targets.map((t) => t.channel))) this.ch.enqueue(cmd);
    this.lastReg = -Infinity;
    this.lastSms = -Infinity;
  }

  /**
   * SMART modems are powered by the firmware itself at boot; a card changed before they are up is
   * lost. Wait until the device has been heard for SMART_BOOT_MS and its last boot is that old.
   */
  private smartSettled(): boolean {
    const now = this.d.clock.now();
    if (this.ch.lastHeardAt === null) return false;
    this.firstHeardAt ??= now;
    return now - this.firstHeardAt >= SMART_BOOT_MS && now - this.bootAt >= SMART_BOOT_MS;
  }

  /** Sends seating chains one after the other; every answer of every sub-command must be truthy. */
  private async runSeat(cmds: readonly string[]): Promise<boolean> {
    for (const cmd of cmds) {
      const q = this.ch.enqueue(cmd);
      if (!q.ok) return false;
      if (this.d.driver.family === 'smart' && !cmd.startsWith('.')) continue;
      const count = this.d.driver.family === 'smart' ? 1 : cmd.split('&&').length;
      const answers = await this.ch.waitAnswers(q.step, { count, timeoutMs: this.t.seatTimeoutMs });
      const got = answers ?? this.ch.answersOf(q.step).answers;
      if (got.length === 0 || got.some(isNull)) return false;
    }
    return true;
  }

  private async setStatus(seat: Seat, code: number | null): Promise<void> {
    if (seat.status === code) return;
    // Registered now: SMS queued for this card can go (they wait for registration, not for a timer).
    if (registered(code) && !registered(seat.status)) this.wake();
    seat.status = code;
    seat.statusSince = this.d.clock.now();
    const written = await this.d.repo.reportCard(seat.cardId, seat.generation, { statusCode: code });
    if (!written) this.wake();
  }

  private async checkRegistration(): Promise<void> {
    this.lastReg = this.d.clock.now();
    const reg = this.d.driver.registration([...this.seated.keys()]);
    const r = await this.send(reg.text, this.t.commandTimeoutMs);
    if (!r.ok) return;
    const seatedChannels = [...this.seated.keys()];
    if (reg.kind === 'activation') {
      const a = parseActivation(r.answer);
      const seat = this.seated.values().next().value;
      if (seat) await this.setStatus(seat, a.ok ? a.value.code : 0);
    } else {
      for (const sec of parsePackAnswer(r.answer).sections) {
        const channel = this.d.driver.sectionChannel(sec.modem, seatedChannels);
        const seat = channel === null ? undefined : this.seated.get(channel);
        if (!seat) continue;
        const stat = parseRegistration(sec.output);
        await this.setStatus(seat, stat.ok ? stat.value.stat : seat.status !== null && seat.status < 0 ? seat.status : 0);
      }
    }
    this.restartStuck();
  }

  /** Restarts modems that have not registered for `restartAfterMs` (and were not restarted that recently). */
  private restartStuck(): void {
    const now = this.d.clock.now();
    const stuck = [...this.seated.values()].filter((s) => (s.status === 0 || s.status === 4 || s.status === 2 || (s.status !== null && s.status < 0))
      && now - s.statusSince >= this.t.restartAfterMs && now - s.lastRestart >= this.t.restartAfterMs);
    if (stuck.length > 0) {
      this.stats.restarts++;
      for (const s of stuck) s.lastRestart = now;
      this.d.log.info({ aggregator: this.aggId, channels: stuck.map((s) => s.channel) }, 'restarting modems stuck in registration');
      this.ch.enqueue(this.d.driver.restart(stuck.map((s) => s.channel)));
    }
  }

  // ── SMS intake ─────────────────────────────────────────────────────────────────────────────

  /**
   * Lists stored SMS now. Synchronous up to the queueing of the command, so a `+CMTI` subscriber
   * gets it into the reply of the poll that brought it — also while an earlier listing is on the
   * device (it ran before this message arrived); a listing still waiting in the outbox will see
   * the message, so none is added then. Answers are processed one after the other in the order
   * sent (= the order the device ran them): a listing's view of the SIM is never overtaken by an
   * older one (the delete decisions rely on the latest view).
   */
  requestSms(): void {
    const list = this.d.driver.smsList([...this.seated.keys()]);
    if (!list || this.seated.size === 0) return;
    // Deletes not handed to the device yet would go first and delay the read by a round trip:
    // they are withdrawn (the listing shows those messages again and schedules them anew).
    for (const step of this.queuedDeletes) this.ch.withdraw(step);
    this.queuedDeletes = [];
    if (this.ch.hasQueued(list.text)) return;
    this.lastSms = this.d.clock.now();
    const answer = this.ch.send({ text: list.text, timeoutMs: this.t.commandTimeoutMs, parse: text }, { exclusive: false });
    const readsAt = this.ch.storageReads;
    // A routine registration check still queued goes after the read (order does not matter to it).
    const reg = this.d.driver.registration([...this.seated.keys()]);
    if (reg.kind !== 'none') this.ch.postpone(reg.text);
    const epoch = this.deleteEpoch;
    const listed = new Map([...this.seated].map(([c, seat]) => [c, seat.cardId]));
    this.listings++;
    this.intake = this.intake.then(() => answer).then(async (r) => {
      const dirty = list.kind === 'pack' ? await this.processPackListing(r, epoch) : await this.processSms(r, epoch);
      for (const [c, cardId] of listed) {
        if (dirty === 'all' || dirty.has(c) || this.seated.get(c)?.cardId !== cardId) this.listingClean.delete(c); else this.listingClean.set(c, readsAt);
      }
    }).catch((err: unknown) => { this.listingClean.clear(); this.d.log.error({ err, aggregator: this.aggId }, 'SMS intake failed'); })
      .finally(() => { this.listings--; });
  }

  /**
   * A `modem>sms:4` answer. Resolves the channels whose messages are not all committed (a modem
   * that could not be read, an unreadable PDU…), or 'all' when the answer says nothing reliable.
   */
  private async processSms(r: CommandOutcome<string>, epoch: number): Promise<Set<number> | 'all'> {
    if (!r.ok) return 'all';
    const ans = parseSmsAnswer(r.answer);
    if (ans.kind === 'device-error') {
      const seat = this.seated.values().next().value;
      if (seat && ans.text === 'Error') await this.setStatus(seat, 9);
      if (ans.text === 'NO RESPONSE') this.lastReg = -Infinity;
      return 'all';
    }
    const dirty = new Set<number>();
    if (ans.kind !== 'sections') return dirty; // '1': nothing stored anywhere
    if (ans.garbage.length > 0) return 'all';
    const seatedChannels = [...this.seated.keys()];
    for (const sec of ans.sections) {
      const channel = this.d.driver.sectionChannel(sec.modem, seatedChannels) ?? sec.modem;
      if (sec.status !== 'ok') { dirty.add(channel); continue; }
      if (sec.entries.length === 0) continue;
      const card = await this.cardOnChannel(channel);
      if (!card) { dirty.add(channel); this.d.log.warn({ aggregator: this.aggId, channel }, 'SMS on a channel with no known card; left on the SIM'); continue; }
      if (!(await this.commitAndDelete(channel, card, sec.entries, epoch))) dirty.add(channel);
    }
    return dirty;
  }

  /**
   * A `modem>pack:AT+CMGL=4` answer: per modem section, the PDU-mode +CMGL records. Resolves the
   * channels not known to be wholly committed: a seated channel without a section, a listing that
   * did not end in `OK`, a record that is not a readable PDU, a commit that failed.
   */
  private async processPackListing(r: CommandOutcome<string>, epoch: number): Promise<Set<number> | 'all'> {
    if (!r.ok) return 'all';
    const seatedChannels = [...this.seated.keys()];
    const dirty = new Set<number>(seatedChannels);
    for (const sec of parsePackAnswer(r.answer).sections) {
      const channel = this.d.driver.sectionChannel(sec.modem, seatedChannels) ?? sec.modem;
      const records = parseCmgl(sec.output);
      const entries: SmsEntry[] = [];
      for (const m of records) {
        if (m.mode === 'pdu' && m.index !== null) entries.push({ index: m.index, stat: m.stat ?? 0, alpha: m.alpha, length: m.length ?? 0, pdu: m.pdu });
      }
      const whole = /(^|\n)\s*OK\s*$/.test(sec.output) && entries.length === records.length;
      if (entries.length === 0) { if (whole) dirty.delete(channel); continue; }
      const card = await this.cardOnChannel(channel);
      if (!card) { this.d.log.warn({ aggregator: this.aggId, channel }, 'SMS on a channel with no known card; left on the SIM'); continue; }
      if ((await this.commitAndDelete(channel, card, entries, epoch)) && whole) dirty.delete(channel);
    }
    return dirty;
  }

  private async cardOnChannel(channel: number): Promise<{ id: number; number: string | null } | null> {
    const seat = this.seated.get(channel);
    if (seat) return { id: seat.cardId, number: seat.number };
    const position = this.lastPosition.get(channel) ?? (this.d.model.sharedPosition ? this.shared : null);
    if (position === null || position === undefined) return null;
    const place = this.d.model.placeAt(channel, position, this.d.settings);
    if (!place) return null;
    return this.d.repo.ensureCard(this.aggId, this.d.model.formatPlace(place), placeKey(place));
  }

  /** Commits the listed messages of a channel, then schedules their deletion; true when every one is committed (or not ours to keep). */
  private async commitAndDelete(channel: number, card: { id: number; number: string | null }, entries: readonly SmsEntry[], epoch: number): Promise<boolean> {
    this.checkPendingDeletes(channel, entries);
    const done: number[] = [];
    for (const e of entries) {
      this.stats.smsListed++;
      const out = await this.d.intake.commitPart({ cardId: card.id, number: card.number, pdu: e.pdu });
      if (out.ok) {
        if (out.kind === 'duplicate') this.stats.duplicates++; else this.stats.smsCommitted++;
        done.push(e.index);
      } else if (out.error.code === 'NOT_A_DELIVER') {
        done.push(e.index); // status reports and stored outgoing messages are not ours to keep
      } else {
        this.d.log.warn({ aggregator: this.aggId, channel, index: e.index, reason: out.error.reason }, 'unreadable PDU left on the SIM');
      }
    }
    // Deleted only now that every listed part is committed (ARCHITECTURE.md) — and a little later,
    // when the device is quiet: every command costs the device one or two polls of outbox, which
    // would delay the next +CMTI. A committed message listed again meanwhile is a harmless duplicate.
    // A listing queued before the last flush of deletes ran ahead of those deletes on the device:
    // its indexes may have been freed and reused since, so it schedules nothing (what it saw is
    // committed; a later listing schedules the delete).
    const whole = done.length === entries.length;
    if (epoch !== this.deleteEpoch) return whole;
    const pending = this.pendingDeletes.get(channel) ?? new Map<number, string>();
    for (const e of entries) if (done.includes(e.index)) pending.set(e.index, e.pdu);
    this.pendingDeletes.set(channel, pending);
    this.scheduleDeletes(pending.size >= DELETE_BATCH ? 0 : DELETE_QUIET_MS);
    return whole;
  }

  private scheduleDeletes(delayMs: number): void {
    if (this.deleteTimer) this.d.clock.clearTimeout(this.deleteTimer);
    this.deleteTimer = this.d.clock.setTimeout(() => { this.deleteTimer = null; this.flushDeletes(); }, delayMs);
  }

  /**
   * Sends the deletes of committed messages. Each command costs the device one poll per answer
   * and per output message (a Nano `modem>send:AT+CMGD=i` two, six deletes twelve polls: 36 s in
   * which a new `+CMTI` waits behind them), so where it is safe one "delete read" command
   * (`AT+CMGD=1,1`, 3GPP TS 27.005 §3.5.4) replaces the chain: when the channel's last listing
   * committed everything it showed and no listing is queued or running — every message a listing
   * marked read is then in the store, and a listing queued later runs after the delete. Otherwise
   * the listed indexes are deleted one by one, as before. A read sent by anyone since that listing
   * (the console terminal's `AT+CMGR`, a task) may have marked a message nobody stored: per index then.
   */
  private flushDeletes(): void {
    if (this.stopped) return;
    const waiting = [...this.pendingDeletes.values()].reduce((n, p) => n + p.size, 0);
    if (this.listings > 0 && waiting < DELETE_BATCH * 3) { this.scheduleDeletes(DELETE_RETRY_MS); return; }
    this.deleteEpoch++;
    for (const [channel, pending] of this.pendingDeletes) {
      if (pending.size === 0) continue;
      // Nobody (terminal, task, another listing) sent a read since that listing: else per index.
      const deleteRead = this.listings === 0 && this.listingClean.get(channel) === this.ch.storageReads ? this.d.driver.deleteRead(channel) : null;
      const q = this.ch.enqueue(deleteRead ?? this.d.driver.deleteSms(channel, [...pending.keys()]));
      if (q.ok) this.queuedDeletes.push(q.step);
      if (deleteRead) this.stats.deleteRead++;
      this.listingClean.delete(channel);
    }
    this.pendingDeletes.clear();
  }

  /** A listing shows what is in each slot now: a pending delete whose slot holds another PDU is dropped. */
  private checkPendingDeletes(channel: number, entries: readonly SmsEntry[]): void {
    const pending = this.pendingDeletes.get(channel);
    if (!pending) return;
    for (const e of entries) {
      const want = pending.get(e.index);
      if (want !== undefined && want.toUpperCase() !== e.pdu.toUpperCase()) pending.delete(e.index);
    }
  }

  // ── unsolicited traffic ──────────────────────────────────────────────────────────────────────

  private subscribe(): void {
    const u = this.ch.unsolicited;
    // A boot banner that arrived before this session started still counts.
    for (const m of u.list({ regex: /^\s*SR start/ })) this.bootAt = Math.max(this.bootAt, m.at);
    if (this.d.driver.family === 'classic') {
      this.unsubscribe.push(u.subscribe({ regex: /\+CMTI:/ }, () => { this.registeredByCmti(); this.requestSms(); }));
      this.unsubscribe.push(u.subscribe({ predicate: (m) => { const i = m.body.indexOf('+CLIP:'); return i >= 0 && i < 12; } }, (m) => { void this.onClip(m); }));
      this.unsubscribe.push(u.subscribe({ regex: /^\s*SR start/ }, () => this.onReboot()));
    } else {
      this.unsubscribe.push(u.subscribe({}, (m) => { void this.onSmart(m); }));
    }
  }

  /**
   * A `+CMTI` means the network just delivered an SMS: with one card seated, already known to be
   * registered, that is as good as a registration check — the next one is due a full period later
   * (each check costs the device a poll in which the next `+CMTI` would wait).
   */
  private registeredByCmti(): void {
    if (this.seated.size !== 1) return;
    const seat = this.seated.values().next().value;
    if (seat && registered(seat.status)) this.lastReg = Math.max(this.lastReg, this.d.clock.now());
  }

  private onReboot(): void {
    this.stats.reboots++;
    this.bootAt = this.d.clock.now();
    this.d.log.warn({ aggregator: this.aggId }, 'device rebooted; seating again');
    this.seated.clear();
    this.shared = null;
    this.pendingDeletes.clear();
    this.listingClean.clear();
    this.deleteEpoch++;
    this.wake();
  }

  /**
   * Which seated card a call is for: the modem named by the output prefix (SR-Box-2), the only
   * card, the one calls are routed to (`modem>fix`, grabCall), else the modem that reports the call
   * in `AT+CLCC` (boxes whose output names no modem), else the newest.
   */
  private async callTarget(modemPrefix: number | null, caller: string): Promise<Seat | undefined> {
    const seats = [...this.seated.values()];
    if (modemPrefix !== null && seats.some((s) => this.d.driver.outputPrefix(s.channel) !== null)) return seats.find((s) => this.d.driver.outputPrefix(s.channel) === modemPrefix);
    if (seats.length <= 1) return seats[0];
    // Asked before anything is awaited: inside the poll that brought the +CLIP, so the question
    // leaves in its reply while the phone still rings.
    const asked = this.ringingChannel(caller);
    const states = await this.d.repo.cardStates(this.aggId);
    const grabbed = states.find((s) => s.grabCalls && s.desired === 'online');
    const byGrab = grabbed ? seats.find((s) => s.cardId === grabbed.cardId) : undefined;
    if (byGrab) return byGrab;
    const ringing = await asked;
    if (ringing !== null && this.seated.has(ringing)) return this.seated.get(ringing);
    const newest = [...states].filter((s) => s.desired === 'online').sort((a, b) => (b.openedAt ?? 0) - (a.openedAt ?? 0))[0];
    return seats.find((s) => s.cardId === newest?.cardId) ?? seats[0];
  }

  /**
   * Asks the seated modems which one has `caller` on an incoming call (`AT+CLCC` in the driver's
   * `modem>pack`, sections mapped back by `sectionChannel`). One question per caller while
   * its `+CLIP` repeats (every few seconds while ringing); null when the box cannot tell.
   */
  private ringingChannel(caller: string): Promise<number | null> {
    const now = this.d.clock.now();
    for (const [k, v] of this.clcc) if (now - v.at > CLCC_REUSE_MS) this.clcc.delete(k);
    const key = caller.replace(/\D/g, '').slice(-10);
    const have = this.clcc.get(key);
    if (have) { have.at = now; return have.answer; }
    const channels = [...this.seated.keys()];
    const question = this.d.driver.pack(channels, 'AT+CLCC');
    if (question === null) return Promise.resolve(null);
    const answer = this.send(question, CLCC_TIMEOUT_MS).then((r) => {
      if (!r.ok) return null;
      for (const sec of parsePackAnswer(r.answer).sections) {
        for (const m of sec.output.matchAll(/\+CLCC:\s*\d+,1,[45],\d+,\d+,"([^"]*)"/g)) {
          if (m[1]!.replace(/\D/g, '').slice(-10) === key) return this.d.driver.sectionChannel(sec.modem, channels);
        }
      }
      return null;
    });
    this.clcc.set(key, { at: now, answer });
    return answer;
  }

  private async onClip(m: UnsolicitedMessage): Promise<void> {
    try {
      const clip = parseClip(m.body);
      if (!clip || clip.number === '') return;
      const seat = await this.callTarget(m.modem, clip.number);
      if (!seat) return;
      await this.d.calls.ring({ cardId: seat.cardId, number: seat.number, caller: clip.number });
    } catch (err) {
      this.d.log.error({ err, aggregator: this.aggId }, 'call record failed');
    }
  }

  private async onSmart(m: UnsolicitedMessage): Promise<void> {
    try {
      if (/^\s*SR started/.test(m.text)) { this.onReboot(); return; }
      const msg = parseSmartPayload(m.text);
      if (msg.kind === 'state' && msg.modem !== null) {
        const seat = this.seated.get(msg.modem);
        if (seat && msg.code !== null && (msg.card === null || Number(msg.card) === seat.position)) await this.setStatus(seat, msg.code);
      } else if (msg.kind === 'alert' && msg.modem !== null) {
        const seat = this.seated.get(msg.modem);
        if (msg.event === 'sms') {
          const iccid = msg.fields['iccid'];
          const card = seat ? { id: seat.cardId, number: seat.number } : iccid ? await this.d.repo.cardByIccid(this.aggId, iccid) : await this.cardOnChannel(msg.modem);
          if (!card) { this.d.log.warn({ aggregator: this.aggId, modem: msg.modem }, 'SMART sms for an unknown card'); return; }
          const out = await this.d.intake.commitWhole({
            cardId: card.id, number: card.number, sender: msg.fields['sender'] ?? '', text: msg.result.replace(/<CR>/g, '\n'),
            deviceTime: msg.fields['time'] ?? String(m.at), sentAt: null,
          });
          if (out.ok && out.kind === 'stored') this.stats.smsCommitted++;
          else if (out.ok) this.stats.duplicates++;
        } else if (msg.event === 'incomming call' || msg.event === 'incoming call') {
          const caller = msg.fields['number'] ?? '';
          if (seat && caller !== '') await this.d.calls.ring({ cardId: seat.cardId, number: seat.number, caller });
        }
      }
    } catch (err) {
      this.d.log.error({ err, aggregator: this.aggId }, 'SMART event failed');
    }
  }

  // ── outgoing SMS and one-off requests ─────────────────────────────────────────────────────────

  private seatOf(cardId: number): Seat | undefined {
    for (const s of this.seated.values()) if (s.cardId === cardId) return s;
    return undefined;
  }

  private async sendQueued(): Promise<void> {
    const items = await this.d.repo.queuedOutbox(this.aggId);
    for (const item of items) {
      const seat = this.seatOf(item.cardId);
      if (!seat || !registered(seat.status)) continue; // stays queued until registered or the API's wait ends
      if (!(await this.d.outbox.claim(item.id))) continue;
      const to = recipientOf(item.recipient);
      if (!to || item.text === '') { await this.d.outbox.report(item.id, 'error', 'bad recipient or empty text'); continue; }
      const verdict = await this.sendSms(seat, to, item.text);
      await this.d.outbox.report(item.id, verdict.ok ? 'sent' : 'error', verdict.detail);
    }
  }

  private async sendSms(seat: Seat, to: string, body: string): Promise<{ ok: boolean; detail: string }> {
    const cmd = this.d.driver.sendSms(seat.channel, to, body);
    const mark = this.ch.unsolicited.mark();
    const r = await this.send(cmd, this.t.commandTimeoutMs);
    if (!r.ok) return { ok: false, detail: r.error.code };
    if (this.d.driver.family === 'smart') return r.answer.trim() === '1' ? { ok: true, detail: 'sent' } : { ok: false, detail: r.answer.slice(0, 80) };
    if (r.answer.split('&&').some(isNull) || isNull(r.answer)) return { ok: false, detail: 'device refused' };
    const prefix = this.d.driver.outputPrefix(seat.channel);
    const verdict = await this.ch.unsolicited.waitFor(
      { regex: /\+CMGS:|(^|\n)\s*ERROR|\+CMS ERROR/, ...(prefix !== null ? { modem: prefix } : {}) },
      { since: mark, timeoutMs: this.t.sendTimeoutMs },
    );
    if (!verdict) return { ok: false, detail: 'no verdict from the modem' };
    return /\+CMGS:/.test(verdict.body) ? { ok: true, detail: verdict.body.trim().slice(0, 80) } : { ok: false, detail: verdict.body.trim().slice(0, 80) };
  }

  private async handleRequests(): Promise<void> {
    const reqs = await this.d.repo.queuedRequests(this.aggId);
    for (const r of reqs) {
      if (r.kind === 'clear_storage') {
        const channels = [...this.seated.keys()];
        this.pendingDeletes.clear();
        this.listingClean.clear();
        this.deleteEpoch++;
        if (channels.length > 0) this.ch.enqueue(this.d.driver.clearStorage(channels));
        await this.d.repo.finishRequest(r.id, 'done', `channels ${channels.join(',')}`);
      } else if (r.kind === 'grab_call') {
        const seat = r.cardId === null ? undefined : this.seatOf(r.cardId);
        const cmd = seat ? this.d.driver.grab(seat.channel) : null;
        if (!seat || !cmd) { await this.d.repo.finishRequest(r.id, 'error', seat ? 'model cannot' : 'not online'); continue; }
        const out = await this.send(cmd, this.t.commandTimeoutMs);
        if (out.ok) await this.d.repo.setGrab(this.aggId, seat.cardId);
        await this.d.repo.finishRequest(r.id, out.ok ? 'done' : 'error', out.ok ? `modem ${seat.channel}` : out.error.code);
      } else {
        await this.d.repo.finishRequest(r.id, 'error', `unknown request ${r.kind}`);
      }
    }
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────────

  private send(cmd: string, timeoutMs: number): Promise<CommandOutcome<string>> {
    return this.ch.send({ text: cmd, timeoutMs, parse: text }, { exclusive: false });
  }

  private retryAfter(ms: number): void {
    const at = this.d.clock.now() + ms;
    this.retryAt = this.retryAt === null ? at : Math.min(this.retryAt, at);
  }

  /** Until the next tick: the re-read safety net, or sooner when a timer of this session is due. */
  private sleepMs(): number {
    const now = this.d.clock.now();
    let due = now + this.t.rereadMs;
    if (this.retryAt !== null) due = Math.min(due, this.retryAt);
    if (this.seated.size > 0) {
      const seats = [...this.seated.values()];
      if (this.d.driver.family === 'classic') {
        due = Math.min(due, this.lastReg + (seats.some((s) => !registered(s.status)) ? this.t.regRetryMs : this.t.regCheckMs));
        if (this.listings === 0) due = Math.min(due, this.lastSms + this.t.smsPollMs);
      } else {
        for (const s of seats) if (!registered(s.status)) due = Math.min(due, Math.max(s.statusSince, s.lastRestart) + this.t.restartAfterMs);
      }
    }
    return Math.max(MIN_SLEEP_MS, due - now);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    // An abort that came during the tick has already fired: listening for it now would wait forever
    // on a fake clock, and a whole re-read interval on the real one (runtime.stop() awaits this loop).
    if (this.dirty || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => { this.d.clock.clearTimeout(timer); this.wakeUp = null; signal.removeEventListener('abort', done); resolve(); };
      const timer = this.d.clock.setTimeout(done, ms);
      this.wakeUp = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Seats as the session sees them (console, tests). */
  snapshot(): Array<{ channel: number; cardId: number; place: string; status: number | null }> {
    return [...this.seated.values()].map((s) => ({ channel: s.channel, cardId: s.cardId, place: s.place, status: s.status }));
  }
}
