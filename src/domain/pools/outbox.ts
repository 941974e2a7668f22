/**
 * The SMS outbox between the pool API (sendSms) and the device runtime. The API queues a row and
 * waits for its verdict; the runtime is told of new rows (`onQueued`), claims one (`claim`) and
 * reports the modem's answer (`report`), which wakes the waiter at once. A waiter also re-reads
 * the row every second, so a verdict written by another node (cluster) is seen too.
 * A row still `queued` when the wait runs out is withdrawn (status `error`, result `timeout`), so
 * nothing is sent after the client was told it failed.
 */
import type { Store } from '../../store/open-store.ts';
import type { Clock } from '../../lib/clock.ts';

export type Verdict = 'sent' | 'error' | 'timeout';

export interface QueuedSms { id: number; cardId: number; aggregatorId: number; recipient: string }

export interface SmsOutbox {
  /** Queues an SMS from a card; resolves to the outbox row id. */
  enqueue(input: { cardId: number; aggregatorId: number; recipient: string; text: string; origin: string }): Promise<number>;
  /** Runtime side: takes a queued row (`queued` → `sending`); false when it is no longer queued. */
  claim(id: number): Promise<boolean>;
  /** Runtime side: the modem's verdict (`+CMGS` → sent, an error → error, with its text). */
  report(id: number, verdict: 'sent' | 'error', result?: string): Promise<void>;
  /** Runtime side: called for every row queued on this node. Returns an unsubscribe function. */
  onQueued(listener: (row: QueuedSms) => void): () => void;
  /** API side: waits up to `timeoutMs` for the verdict. */
  waitForVerdict(id: number, timeoutMs: number): Promise<Verdict>;
}

/** How often a waiter re-reads its row (verdicts written by other nodes). */
export const OUTBOX_POLL_MS = 1_000;

export function createSmsOutbox(store: Store, clock: Clock): SmsOutbox {
  const listeners = new Set<(row: QueuedSms) => void>();
  const waiters = new Map<number, Set<() => void>>();

  async function verdictOf(id: number): Promise<Verdict | null> {
    const row = await store.db.selectFrom('sms_outbox').select('status').where('id', '=', id).executeTakeFirst();
    if (!row) return 'error';
    return row.status === 'sent' ? 'sent' : row.status === 'error' ? 'error' : null;
  }

  function wake(id: number): void {
    for (const w of waiters.get(id) ?? []) w();
  }

  return {
    async enqueue(input) {
      const now = clock.now();
      const row = await store.db.insertInto('sms_outbox').values({
        card_id: input.cardId, recipient: input.recipient, text: input.text, origin: input.origin, status: 'queued', created_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      const q: QueuedSms = { id: row.id, cardId: input.cardId, aggregatorId: input.aggregatorId, recipient: input.recipient };
      for (const l of listeners) { try { l(q); } catch { /* a listener's fault is its own */ } }
      return row.id;
    },

    async claim(id) {
      const r = await store.db.updateTable('sms_outbox').set({ status: 'sending' }).where('id', '=', id).where('status', '=', 'queued').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async report(id, verdict, result) {
      await store.db.updateTable('sms_outbox').set({ status: verdict, result: result ?? null, result_at: clock.now() })
        .where('id', '=', id).where('status', 'in', ['queued', 'sending']).execute();
      wake(id);
    },

    onQueued(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },

    async waitForVerdict(id, timeoutMs) {
      const deadline = clock.now() + timeoutMs;
      let set = waiters.get(id);
      if (!set) { set = new Set(); waiters.set(id, set); }
      const mine = set;
      try {
        for (;;) {
          const v = await verdictOf(id);
          if (v) return v;
          const left = deadline - clock.now();
          if (left <= 0) break;
          await new Promise<void>((resolve) => {
            const done = (): void => { clock.clearTimeout(t); mine.delete(done); resolve(); };
            const t = clock.setTimeout(done, Math.min(left, OUTBOX_POLL_MS));
            mine.add(done);
          });
        }
        const r = await store.db.updateTable('sms_outbox').set({ status: 'error', result: 'timeout', result_at: clock.now() })
          .where('id', '=', id).where('status', '=', 'queued').executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) return 'timeout';
        return (await verdictOf(id)) ?? 'timeout';
      } finally {
        if (mine.size === 0) waiters.delete(id);
      }
    },
  };
}
