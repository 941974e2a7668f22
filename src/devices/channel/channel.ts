/**
 * The command channel of one aggregator (device-link.md §2.2–2.4, §12): step allocation, the
 * outgoing FIFO with the `carrier_limit` hold rule, answers keyed by step with deadlines, the
 * non-destructive stream of unsolicited messages, and exclusive transactions. Pure in-memory
 * logic on an injected clock; the link endpoint feeds polls in, drivers send commands out.
 * See README.md in this folder for the API in one page.
 */
import { parseFinalLine, splitLines, stripModemPrefix } from '../../codec/at/lines.ts';
import type { Clock } from '../../lib/clock.ts';
import { AnswerBook, type StepAnswers } from './answers.ts';
import { DEFAULT_WINDOW_MS, DeviceMutex, type Lease } from './exclusive.ts';
import { frameCommand, frameIdle, HOLD_BODY, smartExpectsReply, stepOfSign, type LinkMode } from './framing.ts';
import { Outbox, type Dispatch } from './outbox.ts';
import { StepCounter, type StepCounterOptions } from './steps.ts';
import type { Command, CommandError, CommandOutcome, UnsolicitedMessage } from './types.ts';
import { DEFAULT_RETENTION_MS, UnsolicitedStream, type MessageFilter } from './unsolicited.ts';

/** Commands that may mark stored SMS read (see `storageReads`). */
const STORAGE_READ = /AT\+CMG[RL]|modem>sms/i;

export interface DeviceChannelOptions {
  readonly clock: Clock;
  /** Link protocol: classic `step#!#` polling (default) or SMART JSON. */
  readonly mode?: LinkMode;
  /** The persisted step counter and how to persist it. */
  readonly steps: StepCounterOptions;
  /** Legacy `carrier_limit` in ms (default 120 000). */
  readonly carrierLimitMs?: number;
  /** How long answers and unsolicited messages are kept, ms (default 300 000). */
  readonly retentionMs?: number;
  /** Default exclusive window of a plain `send`, ms (default 30 000). */
  readonly windowMs?: number;
}

/** A classic poll, as parsed by the codec (`parseLinkRequest`). */
export interface ClassicPoll {
  /** Step the payload answers; 0 = unsolicited / nothing. */
  readonly step: number;
  /** Decoded payload; `REQUEST` = idle. */
  readonly data: string;
}

/** A SMART poll: the raw payload and, for a command reply, its `sign`. */
export interface SmartPoll {
  readonly data: string;
  /** `sign` of a `{"result","sign"}` reply, else null. */
  readonly sign: string | null;
  /** `result` of such a reply (what the step's waiter gets); defaults to `data`. */
  readonly result?: string;
}

/** What the link endpoint answers, and what happened. */
export interface PollReply {
  /** The HTTP body to send back (empty while holding). */
  readonly body: string;
  readonly dispatch: Dispatch;
  /** Where the payload went: a step's answers, the unsolicited stream, or nowhere (idle poll). */
  readonly stored: 'answer' | 'unsolicited' | 'none';
}

/** A transaction's view of the channel: commands sent inside the holder's window. */
export interface Transaction {
  readonly name: string;
  /** True once the window ended; further commands return `TX_EXPIRED`. */
  readonly expired: boolean;
  send<T>(cmd: Command<T>, opts?: { signal?: AbortSignal }): Promise<CommandOutcome<T>>;
  at<T>(d: AtDialogue<T>, opts?: { signal?: AbortSignal }): Promise<CommandOutcome<T>>;
}

/**
 * An AT dialogue (device-link.md §3.1): `modem>send:<AT>` answers `1` at once and the modem's
 * output arrives later as a step-0 message; `match` picks that message (usually the echo, e.g.
 * `{ includes: 'AT+ICCID' }`, plus `modem` on the SR-Box-2 family), `parse` reads its `body`.
 */
export interface AtDialogue<T> extends Command<T> {
  readonly match: MessageFilter;
}

/**
 * Finds a `+CME ERROR: <n>` / `+CMS ERROR: <n>` final result in an answer (3GPP TS 27.007 §9.2,
 * TS 27.005 §3.2.5), through the codec's final-line parser. `errorCode` is the number, or the
 * text when the modem reports verbose errors.
 */
export function findEquipmentError(answer: string): { code: 'CME_ERROR' | 'CMS_ERROR'; errorCode: number | string } | null {
  for (const line of splitLines(stripModemPrefix(answer).text)) {
    const f = parseFinalLine(line);
    if (f?.type === 'CME' || f?.type === 'CMS') {
      return { code: f.type === 'CME' ? 'CME_ERROR' : 'CMS_ERROR', errorCode: f.code ?? f.meaning.slice(0, 80) };
    }
  }
  return null;
}

/** Longest command text accepted (the body travels in one HTTP answer; SMS chains stay far below). */
export const MAX_COMMAND_LENGTH = 8_000;

const fail = <T>(error: CommandError): CommandOutcome<T> => ({ ok: false, error });

const ACK = (answer: string) => (answer.trim() === '1'
  ? { ok: true as const, value: answer }
  : { ok: false as const, error: { code: 'DEVICE_REFUSED', reason: `the device answered ${JSON.stringify(answer.slice(0, 40))}` } });

export class DeviceChannel {
  /** The step-0 stream: `subscribe`, `waitFor`, `list`, `mark`. */
  readonly unsolicited: UnsolicitedStream;
  readonly mode: LinkMode;
  private readonly clock: Clock;
  private readonly counter: StepCounter;
  private readonly outbox: Outbox;
  private readonly answers: AnswerBook;
  private readonly mutex: DeviceMutex;
  private readonly windowMs: number;
  /** Sends in flight: step → how to cancel them. */
  private readonly inFlight = new Map<number, { cancel: (reason: string) => void }>();
  private heardAt: number | null = null;
  private closed = false;
  private counters = { polls: 0, released: 0, holds: 0, answers: 0, unsolicited: 0 };

  private storageReadCount = 0;

  constructor(opts: DeviceChannelOptions) {
    this.clock = opts.clock;
    this.mode = opts.mode ?? 'classic';
    this.counter = new StepCounter(opts.steps);
    this.outbox = new Outbox(opts.carrierLimitMs ?? 120_000);
    const retention = opts.retentionMs ?? DEFAULT_RETENTION_MS;
    this.answers = new AnswerBook(this.clock, retention);
    this.unsolicited = new UnsolicitedStream(this.clock, retention);
    this.mutex = new DeviceMutex(this.clock);
    this.windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
  }

  // ── link endpoint side ─────────────────────────────────────────────────────────────────────

  /**
   * One classic poll (device-link.md §2.1): stores the payload (answer of `step`, or step 0 →
   * unsolicited stream; subscribers run synchronously, so a command they queue with
   * `send(…, { exclusive: false })` leaves in this very reply), then releases at most one command.
   */
  handlePoll(poll: ClassicPoll): PollReply {
    this.counters.polls++;
    this.heardAt = this.clock.now();
    const idle = poll.data === 'REQUEST';
    let stored: PollReply['stored'] = 'none';
    if (!idle && !this.closed) {
      if (poll.step > 0) { this.answers.deliver(poll.step, poll.data); this.counters.answers++; stored = 'answer'; }
      else { this.unsolicited.push(poll.data); this.counters.unsolicited++; stored = 'unsolicited'; }
    }
    return this.dispatch(!idle, stored);
  }

  /**
   * One SMART poll (device-link.md §2.6): a reply whose `sign` is ours answers that step; any
   * other payload (states, alerts, banners) goes to the unsolicited stream.
   */
  handleSmartPoll(poll: SmartPoll): PollReply {
    this.counters.polls++;
    this.heardAt = this.clock.now();
    const idle = poll.data === 'REQUEST';
    let stored: PollReply['stored'] = 'none';
    if (!idle && !this.closed) {
      const step = stepOfSign(poll.sign);
      if (step !== null) { this.answers.deliver(step, poll.result ?? poll.data); this.counters.answers++; stored = 'answer'; }
      else { this.unsolicited.push(poll.data); this.counters.unsolicited++; stored = 'unsolicited'; }
    }
    return this.dispatch(!idle, stored);
  }

  /** Clock time of the last poll, or null (liveness, device-link.md §2.7). */
  get lastHeardAt(): number | null {
    return this.heardAt;
  }

  private dispatch(payload: boolean, stored: PollReply['stored']): PollReply {
    const d = this.outbox.poll(this.clock.now(), payload);
    if (d.kind === 'hold') { this.counters.holds++; return { body: HOLD_BODY, dispatch: d, stored }; }
    if (d.kind === 'idle') return { body: frameIdle(this.mode), dispatch: d, stored };
    this.counters.released++;
    return { body: frameCommand(this.mode, d.command.step, d.command.text), dispatch: d, stored };
  }

  // ── driver side ────────────────────────────────────────────────────────────────────────────

  /**
   * Sends one command and waits for its first answer. By default it takes the device for the
   * default window (a `COMMAND` transaction) so it never cuts into an SMS/USSD/call dialogue;
   * `exclusive: false` queues at once without the lock (for reactions inside a poll, and for
   * commands the caller knows are harmless). The timeout counts from queueing; a command still
   * queued at its deadline is withdrawn.
   */
  async send<T>(cmd: Command<T>, opts: { signal?: AbortSignal; exclusive?: boolean } = {}): Promise<CommandOutcome<T>> {
    if (opts.exclusive === false) return this.sendNow(cmd, opts.signal);
    const r = await this.transaction('COMMAND', (tx) => tx.send(cmd, opts), opts.signal ? { signal: opts.signal } : {});
    return r.ok ? r.value : fail(r.error);
  }

  /** An AT dialogue under the default lock (see {@link AtDialogue}). */
  async at<T>(d: AtDialogue<T>, opts: { signal?: AbortSignal } = {}): Promise<CommandOutcome<T>> {
    const r = await this.transaction('COMMAND', (tx) => tx.at(d, opts), opts.signal ? { signal: opts.signal } : {});
    return r.ok ? r.value : fail(r.error);
  }

  /**
   * How many commands queued so far may have marked stored SMS read (`AT+CMGR`, `AT+CMGL`, the
   * firmware's `modem>sms` listing), whoever sent them: a session, a task, the console terminal.
   * A "delete read" (`AT+CMGD=1,1`) is safe only while this has not moved since the listing whose
   * messages were all committed: a read by anyone else could have marked a message nobody stored.
   */
  get storageReads(): number { return this.storageReadCount; }

  private noteStorageRead(text: string): void {
    if (STORAGE_READ.test(text)) this.storageReadCount++;
  }

  /**
   * Queues a command without waiting for anything (legacy `sr_command` with `wait = 0`); its
   * answers stay readable through `answersOf(step)` for the retention window.
   */
  enqueue(text: string): { ok: true; step: number } | { ok: false; error: CommandError } {
    const bad = this.checkText(text);
    if (bad) return { ok: false, error: bad };
    const step = this.allocate();
    this.noteStorageRead(text);
    this.outbox.push({ step, text });
    return { ok: true, step };
  }

  /**
   * Runs `fn` with the device to itself for `windowMs` (default 30 s; see TRANSACTIONS for the
   * console's SMS / USSD / CALL / ANSWER windows). Waits in order behind earlier holders. Inside,
   * send through `tx` only (a plain `send` would wait for this very lock).
   */
  async transaction<R>(
    name: string,
    fn: (tx: Transaction) => Promise<R>,
    opts: { windowMs?: number; signal?: AbortSignal } = {},
  ): Promise<{ ok: true; value: R } | { ok: false; error: CommandError }> {
    const lease = await this.mutex.acquire(name, {
      windowMs: opts.windowMs ?? this.windowMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!lease) return { ok: false, error: { code: 'CANCELLED', step: 0, reason: this.closed ? 'channel closed' : 'aborted while waiting for the device' } };
    try {
      return { ok: true, value: await fn(this.txView(lease)) };
    } finally {
      lease.release();
    }
  }

  /** Every answer received so far for `step` (chains answer more than once). */
  answersOf(step: number): StepAnswers {
    return this.answers.get(step);
  }

  /** Waits until `count` answers arrived for `step` (or the timeout); null on timeout. */
  waitAnswers(step: number, opts: { count: number; timeoutMs: number; signal?: AbortSignal }): Promise<string[] | null> {
    return this.answers.wait(step, opts);
  }

  /**
   * Lets everything queued now go before the queued commands with this exact text (their steps and
   * waiters unchanged). For commands whose order does not matter, e.g. a routine check that should
   * not delay an urgent read. Returns how many moved.
   */
  postpone(text: string): number {
    return this.outbox.postpone(text);
  }

  /** True while a command with exactly this text waits in the outbox (not yet released to the device). */
  hasQueued(text: string): boolean {
    return this.outbox.hasText(text);
  }

  /**
   * Takes back a command queued with `enqueue` that no poll has released yet (a later command must
   * not wait behind it). Returns false when it already went to the device (or was never queued).
   */
  withdraw(step: number): boolean {
    const removed = this.outbox.remove(step);
    if (removed) this.inFlight.get(step)?.cancel('withdrawn');
    return removed;
  }

  /**
   * Drops every queued command (legacy queue purge when the device stays silent); their senders
   * get `CANCELLED`. Returns how many were dropped.
   */
  clearQueue(reason = 'queue cleared'): number {
    const dropped = this.outbox.clear();
    for (const c of dropped) this.inFlight.get(c.step)?.cancel(reason);
    return dropped.length;
  }

  /** Cancels everything: queued and in-flight commands, waiters, transactions. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.outbox.clear();
    for (const f of [...this.inFlight.values()]) f.cancel('channel closed');
    this.mutex.close();
    this.answers.close();
    this.unsolicited.close();
  }

  /** Counters and sizes for metrics and the console. */
  stats(): {
    polls: number; released: number; holds: number; answers: number; unsolicited: number;
    queued: number; inFlight: number; retainedMessages: number; holder: string | null; waitingForLock: number; nextStep: number;
  } {
    return {
      ...this.counters,
      queued: this.outbox.length,
      inFlight: this.inFlight.size,
      retainedMessages: this.unsolicited.size,
      holder: this.mutex.holder,
      waitingForLock: this.mutex.waiting,
      nextStep: this.counter.persisted,
    };
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  private txView(lease: Lease): Transaction {
    const refused = (): CommandOutcome<never> | null => {
      if (this.closed) return fail({ code: 'CANCELLED', step: 0, reason: 'channel closed' });
      return lease.expired ? fail({ code: 'TX_EXPIRED', transaction: lease.name }) : null;
    };
    return {
      name: lease.name,
      get expired() { return lease.expired; },
      send: (cmd, o = {}) => { const r = refused(); return r ? Promise.resolve(r) : this.sendNow(cmd, o.signal); },
      at: (d, o = {}) => { const r = refused(); return r ? Promise.resolve(r) : this.dialogue(d, o.signal); },
    };
  }

  private checkText(text: string): CommandError | null {
    if (this.closed) return { code: 'CANCELLED', step: 0, reason: 'channel closed' };
    if (typeof text !== 'string' || text.trim() === '') return { code: 'BAD_COMMAND', reason: 'empty command' };
    if (text.length > MAX_COMMAND_LENGTH) return { code: 'BAD_COMMAND', reason: `longer than ${MAX_COMMAND_LENGTH} characters` };
    return null;
  }

  private allocate(): number {
    const queued = new Set(this.outbox.steps);
    return this.counter.allocate((s) => queued.has(s) || this.inFlight.has(s) || this.answers.isTaken(s));
  }

  /**
   * Queues synchronously (so a subscriber inside `handlePoll` gets its command into the same
   * reply), then waits for the first answer and classifies it.
   */
  private sendNow<T>(cmd: Command<T>, signal?: AbortSignal): Promise<CommandOutcome<T>> {
    const bad = this.checkText(cmd.text);
    if (bad) return Promise.resolve(fail(bad));
    const step = this.allocate();
    this.noteStorageRead(cmd.text);
    this.outbox.push({ step, text: cmd.text });
    const expectsAnswer = this.mode === 'classic' || smartExpectsReply(cmd.text);
    let cancelled: string | null = null;
    const ac = new AbortController();
    this.inFlight.set(step, { cancel: (reason) => { cancelled = reason; ac.abort(); } });
    const onAbort = (): void => { cancelled = 'aborted by the caller'; ac.abort(); };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const timeoutMs = Math.max(0, cmd.timeoutMs);
    const waited = expectsAnswer ? this.answers.wait(step, { timeoutMs, signal: ac.signal }) : Promise.resolve(['']);
    return waited.then((answers) => {
      this.inFlight.delete(step);
      signal?.removeEventListener('abort', onAbort);
      // A command that expects no reply (SMART, no leading dot) stays queued: it is done once queued.
      const withdrawn = expectsAnswer ? this.outbox.remove(step) : false;
      if (cancelled !== null) return fail<T>({ code: 'CANCELLED', step, reason: cancelled });
      const answer = answers?.[0];
      if (answer === undefined) return fail<T>({ code: 'TIMEOUT', step, timeoutMs, released: !withdrawn });
      return this.classify(cmd, step, answer);
    });
  }

  private classify<T>(cmd: Command<T>, step: number, answer: string): CommandOutcome<T> {
    const eq = findEquipmentError(answer);
    if (eq) return fail({ code: eq.code, step, errorCode: eq.errorCode, answer });
    let parsed;
    try {
      parsed = cmd.parse(answer);
    } catch (e) {
      // A parser must not throw (STYLE.md §1); if one does, it is a parse failure, not a crash.
      parsed = { ok: false as const, error: { code: 'PARSER_THREW', reason: e instanceof Error ? e.message : String(e) } };
    }
    return parsed.ok ? { ok: true, value: parsed.value, step, answer } : fail({ code: 'PARSE_FAILED', step, answer, cause: parsed.error });
  }

  private async dialogue<T>(d: AtDialogue<T>, signal?: AbortSignal): Promise<CommandOutcome<T>> {
    const started = this.clock.now();
    const mark = this.unsolicited.mark();
    const ack = await this.sendNow({ text: d.text, timeoutMs: d.timeoutMs, parse: ACK }, signal);
    if (!ack.ok) return fail(ack.error);
    const left = Math.max(0, d.timeoutMs - (this.clock.now() - started));
    const msg: UnsolicitedMessage | null = await this.unsolicited.waitFor(d.match, { since: mark, timeoutMs: left, ...(signal ? { signal } : {}) });
    if (!msg) {
      if (signal?.aborted || this.closed) return fail({ code: 'CANCELLED', step: ack.step, reason: this.closed ? 'channel closed' : 'aborted by the caller' });
      return fail({ code: 'TIMEOUT', step: ack.step, timeoutMs: d.timeoutMs, released: true });
    }
    return this.classify(d, ack.step, msg.body);
  }
}
