/**
 * Answers to stepped commands (device-link.md §2.2, §12): an in-memory map keyed by step instead
 * of polling a table. A waiter gets the first answer of its step; a chain (`a&&b`) may answer
 * several times with the same step, and those extra answers stay available, for the retention
 * window, to a caller that asks for all answers of the step. Duplicates of a step never reach a
 * second waiter by accident: each step has one owner (the command that allocated it).
 */
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import { DEFAULT_RETENTION_MS } from './unsolicited.ts';

/** Every answer received for one step. */
export interface StepAnswers {
  readonly step: number;
  /** In arrival order. */
  readonly answers: readonly string[];
  /** Clock time of the first answer, or null. */
  readonly firstAt: number | null;
}

interface Entry {
  answers: string[];
  firstAt: number | null;
  /** Waiters for "n answers"; resolved with the whole list. */
  waiters: Array<{ count: number; resolve: (a: string[] | null) => void; timer: TimerHandle | null }>;
}

export class AnswerBook {
  private readonly entries = new Map<number, Entry>();
  private prunedAt = -Infinity;

  constructor(private readonly clock: Clock, private readonly retentionMs = DEFAULT_RETENTION_MS) {}

  /** Records an answer for `step` (> 0) and wakes the waiters it satisfies. */
  deliver(step: number, answer: string): void {
    this.prune();
    const e = this.entry(step);
    e.answers.push(answer);
    if (e.firstAt === null) e.firstAt = this.clock.now();
    for (const w of [...e.waiters]) if (e.answers.length >= w.count) this.finish(e, w, [...e.answers]);
  }

  /**
   * Waits until `count` answers (default 1) have arrived for `step`, or `timeoutMs` passes.
   * Resolves with all answers so far (at least `count`), or null on timeout/abort/close.
   */
  wait(step: number, opts: { count?: number; timeoutMs: number; signal?: AbortSignal }): Promise<string[] | null> {
    const count = Math.max(1, opts.count ?? 1);
    const e = this.entry(step);
    if (e.answers.length >= count) return Promise.resolve([...e.answers]);
    if (opts.signal?.aborted || !(opts.timeoutMs > 0)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const w = { count, resolve, timer: null as TimerHandle | null };
      e.waiters.push(w);
      w.timer = this.clock.setTimeout(() => this.finish(e, w, null), opts.timeoutMs);
      opts.signal?.addEventListener('abort', () => this.finish(e, w, null), { once: true });
    });
  }

  /** Answers received so far for `step` (empty when none or expired). */
  get(step: number): StepAnswers {
    this.prune();
    const e = this.entries.get(step);
    return { step, answers: e ? [...e.answers] : [], firstAt: e?.firstAt ?? null };
  }

  /**
   * True while `step` has waiters or retained answers: such a step must not be allocated again,
   * or a new command would be handed an old answer.
   */
  isTaken(step: number): boolean {
    const e = this.entries.get(step);
    return e !== undefined && (e.waiters.length > 0 || e.answers.length > 0);
  }

  /** Wakes every waiter with null (channel closed). */
  close(): void {
    for (const e of this.entries.values()) for (const w of [...e.waiters]) this.finish(e, w, null);
    this.entries.clear();
  }

  get size(): number {
    this.prune();
    return this.entries.size;
  }

  private entry(step: number): Entry {
    let e = this.entries.get(step);
    if (!e) { e = { answers: [], firstAt: null, waiters: [] }; this.entries.set(step, e); }
    return e;
  }

  private finish(e: Entry, w: Entry['waiters'][number], value: string[] | null): void {
    const i = e.waiters.indexOf(w);
    if (i < 0) return;
    e.waiters.splice(i, 1);
    if (w.timer) this.clock.clearTimeout(w.timer);
    w.resolve(value);
  }

  /**
   * Drops answered steps older than the retention window that nobody waits on. Runs at most once
   * per second of clock time: a poll must stay cheap however many steps are retained.
   */
  private prune(): void {
    const now = this.clock.now();
    if (now - this.prunedAt < 1000) return;
    this.prunedAt = now;
    const cutoff = now - this.retentionMs;
    for (const [step, e] of this.entries) {
      if (e.waiters.length === 0 && (e.firstAt === null || e.firstAt < cutoff)) this.entries.delete(step);
    }
  }
}
