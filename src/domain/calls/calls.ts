/**
 * Incoming call records (device-link.md §8, issue #5 item 7): one record per call — caller, time,
 * receiving card and its number. A ringing modem repeats `+CLIP` every few seconds; repeats of the
 * same caller on the same card within `repeatWindowMs` belong to the same call. The window is per
 * card and caller, never per device, so a second caller (or the same caller on another SIM) is
 * never lost (the legacy 30 s per-device debounce lost them, §10.4).
 */
import type { Clock } from '../../lib/clock.ts';
import type { Store } from '../../store/open-store.ts';
import { writeTransaction } from '../../store/write-transaction.ts';

/** Repeated +CLIP of one ringing call arrive about every 3 s; a gap this long starts a new call. */
export const DEFAULT_REPEAT_WINDOW_MS = 30_000;

export interface CallInput {
  readonly cardId: number;
  readonly number: string | null;
  /** Caller as the network presented it (`+7916…`); stored as digits (or text when not numeric). */
  readonly caller: string;
}

export function normaliseCaller(caller: string): string {
  const t = caller.trim().slice(0, 32);
  const digits = t.replace(/[\s()+-]/g, '');
  return /^\d+$/.test(digits) ? digits : t;
}

export function createCallLog(deps: { store: Store; clock: Clock; repeatWindowMs?: number }) {
  const { store, clock } = deps;
  const windowMs = deps.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS;
  /** Last ring per card+caller on this node, so repeats do not hit the database. */
  const lastRing = new Map<string, { at: number; id: number }>();

  return {
    /**
     * Records a ring; a repeat of a call already recorded extends it and returns its id with
     * `repeat: true`. Also stamps the card's `RING_[…]` state (ring_caller, ring_at).
     */
    async ring(input: CallInput): Promise<{ id: number; repeat: boolean }> {
      const caller = normaliseCaller(input.caller);
      const now = clock.now();
      const key = `${input.cardId}|${caller}`;
      await store.db.updateTable('card_online').set({ ring_caller: caller, ring_at: now }).where('card_id', '=', input.cardId).execute();
      const last = lastRing.get(key);
      if (last && now - last.at <= windowMs) { last.at = now; return { id: last.id, repeat: true }; }
      const r = await writeTransaction(store, async (tx) => {
        const prev = await tx.selectFrom('calls').select(['id', 'at']).where('card_id', '=', input.cardId).where('caller', '=', caller)
          .where('at', '>', now - windowMs).orderBy('at', 'desc').limit(1).executeTakeFirst();
        if (prev) return { id: prev.id, repeat: true };
        const row = await tx.insertInto('calls').values({ card_id: input.cardId, number: input.number, caller, at: now, read: 0 }).returning('id').executeTakeFirstOrThrow();
        return { id: row.id, repeat: false };
      });
      lastRing.set(key, { at: now, id: r.id });
      if (lastRing.size > 10_000) for (const [k, v] of lastRing) if (now - v.at > windowMs) lastRing.delete(k);
      return r;
    },
  };
}

export type CallLog = ReturnType<typeof createCallLog>;
