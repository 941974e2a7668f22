/**
 * The non-destructive stream of unsolicited (step 0) messages of one device (device-link.md
 * §2.3, §12): every message is kept for a retention window (default 300 s, like the legacy
 * `log_clear`) and every subscriber and waiter sees it; reading never removes anything (the
 * opposite of the legacy `sr_answer(dev, 0, …)` scan that deleted what it looked at).
 */
import { stripModemPrefix } from '../../codec/at/lines.ts';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { UnsolicitedMessage } from './types.ts';

/** Default retention of step-0 messages, ms. */
export const DEFAULT_RETENTION_MS = 300_000;

/**
 * Which messages a subscriber wants. All given conditions must hold. `includes` and `regex` test
 * the prefix-free `body`; `modem` keeps only messages whose lines carry that `<n>:` prefix.
 */
export interface MessageFilter {
  readonly includes?: string;
  readonly regex?: RegExp;
  readonly predicate?: (m: UnsolicitedMessage) => boolean;
  readonly modem?: number;
}

/** Builds the test function of a filter (a global/sticky regex is copied so `lastIndex` is harmless). */
export function compileFilter(f: MessageFilter): (m: UnsolicitedMessage) => boolean {
  const re = f.regex ? new RegExp(f.regex.source, f.regex.flags.replace(/[gy]/g, '')) : null;
  return (m) =>
    (f.modem === undefined || m.modem === f.modem)
    && (f.includes === undefined || m.body.includes(f.includes))
    && (re === null || re.test(m.body))
    && (f.predicate === undefined || f.predicate(m));
}

interface Waiter {
  readonly test: (m: UnsolicitedMessage) => boolean;
  readonly resolve: (m: UnsolicitedMessage | null) => void;
  timer: TimerHandle | null;
}

export class UnsolicitedStream {
  private messages: UnsolicitedMessage[] = [];
  private seq = 0;
  private readonly subscribers = new Set<{ test: (m: UnsolicitedMessage) => boolean; handler: (m: UnsolicitedMessage) => void }>();
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock, private readonly retentionMs = DEFAULT_RETENTION_MS) {}

  /** Appends a message and hands it to every matching subscriber and waiter. */
  push(text: string): UnsolicitedMessage {
    this.prune();
    // SR-Box-2 family: `1:`/`2:` line prefixes name the modem (device-link.md §2.3).
    const { modem, text: body } = stripModemPrefix(text);
    const m: UnsolicitedMessage = Object.freeze({ seq: ++this.seq, at: this.clock.now(), text, modem, body });
    this.messages.push(m);
    for (const s of [...this.subscribers]) {
      if (!this.subscribers.has(s) || !s.test(m)) continue;
      try { s.handler(m); } catch { /* a subscriber's failure must not starve the others */ }
    }
    for (const w of [...this.waiters]) if (w.test(m)) this.finish(w, m);
    return m;
  }

  /**
   * The current end of the stream: pass it as `since` to see only messages that arrive later
   * (take it *before* sending the command whose output you wait for).
   */
  mark(): number {
    return this.seq;
  }

  /** Retained messages matching `filter` with `seq > since`, oldest first. */
  list(filter: MessageFilter = {}, since = 0): UnsolicitedMessage[] {
    this.prune();
    const test = compileFilter(filter);
    return this.messages.filter((m) => m.seq > since && test(m));
  }

  /** Calls `handler` for every future matching message; returns the unsubscribe function. */
  subscribe(filter: MessageFilter, handler: (m: UnsolicitedMessage) => void): () => void {
    const s = { test: compileFilter(filter), handler };
    this.subscribers.add(s);
    return () => { this.subscribers.delete(s); };
  }

  /**
   * The first retained message after `since` matching `filter`, or the next one to arrive within
   * `timeoutMs`; null on timeout or abort. Nothing is consumed.
   */
  waitFor(filter: MessageFilter, opts: { since: number; timeoutMs: number; signal?: AbortSignal }): Promise<UnsolicitedMessage | null> {
    const hit = this.list(filter, opts.since)[0];
    if (hit) return Promise.resolve(hit);
    if (opts.signal?.aborted || !(opts.timeoutMs > 0)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const w: Waiter = { test: compileFilter(filter), resolve, timer: null };
      this.waiters.add(w);
      w.timer = this.clock.setTimeout(() => this.finish(w, null), opts.timeoutMs);
      opts.signal?.addEventListener('abort', () => this.finish(w, null), { once: true });
    });
  }

  /** Resolves every waiter with null and drops subscribers (channel closed). */
  close(): void {
    for (const w of [...this.waiters]) this.finish(w, null);
    this.subscribers.clear();
  }

  get size(): number {
    this.prune();
    return this.messages.length;
  }

  private finish(w: Waiter, m: UnsolicitedMessage | null): void {
    if (!this.waiters.delete(w)) return;
    if (w.timer) this.clock.clearTimeout(w.timer);
    w.resolve(m);
  }

  private prune(): void {
    const cutoff = this.clock.now() - this.retentionMs;
    let i = 0;
    while (i < this.messages.length && this.messages[i]!.at < cutoff) i++;
    if (i > 0) this.messages = this.messages.slice(i);
  }
}
