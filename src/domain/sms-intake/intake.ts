/**
 * Exactly-once SMS intake (issue #5 item 5, ARCHITECTURE.md "An SMS is deleted from a SIM only
 * after it is committed"): a received PDU part is committed first, under a natural de-duplication
 * key (SIM + originator + SMSC time + reference/total/seq + PDU hash), so reading the same stored
 * message again — a lost delete, a duplicated answer, a restart — inserts nothing. Parts of a
 * multipart message are assembled in the same write transaction as the last part arrives, so a
 * message becomes visible to getSms/getLastSms exactly once and whole; after `reassemblyWaitMs`
 * `flushStale` assembles what arrived with the missing parts marked.
 * Decoding is the codec's; grouping is by card + sender + ref + total (never the SMSC, which
 * differs between parts, nor the legacy key without SIM and sender, device-link.md §10.4).
 */
import { createHash } from 'node:crypto';
import { decodePdu } from '../../codec/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Store } from '../../store/open-store.ts';
import { writeTransaction, type Tx } from '../../store/write-transaction.ts';

/** Default wait for missing parts before a message is released incomplete (legacy: 60 s). */
export const DEFAULT_REASSEMBLY_WAIT_MS = 60_000;
/** What stands in for a missing part in a message assembled after the wait. */
export const MISSING_PART = ' [...] ';

export type IntakeOutcome =
  | { readonly ok: true; readonly kind: 'stored'; readonly partId: number; readonly smsId: number | null }
  | { readonly ok: true; readonly kind: 'duplicate' }
  | { readonly ok: false; readonly error: { readonly code: 'PDU_UNREADABLE' | 'NOT_A_DELIVER'; readonly reason: string } };

export interface PartInput {
  readonly cardId: number;
  /** Our SIM's number when received (digits), if known. */
  readonly number: string | null;
  /** PDU hex as the modem listed it (with SMSC field). */
  readonly pdu: string;
}

/** A whole message the device decoded itself (SMART `sms` event). */
export interface WholeInput {
  readonly cardId: number;
  readonly number: string | null;
  readonly sender: string;
  readonly text: string;
  /** Device time of the message as sent (its own text; part of the dedup key), and as epoch ms if known. */
  readonly deviceTime: string;
  readonly sentAt: number | null;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export function createSmsIntake(deps: { store: Store; clock: Clock; reassemblyWaitMs?: number }) {
  const { store, clock } = deps;
  const waitMs = deps.reassemblyWaitMs ?? DEFAULT_REASSEMBLY_WAIT_MS;

  async function insertSms(tx: Tx, v: { cardId: number; number: string | null; sender: string; text: string; sentAt: number | null; missing: boolean }): Promise<number> {
    const r = await tx.insertInto('sms').values({
      card_id: v.cardId, number: v.number, sender: v.sender, text: v.text, sent_at: v.sentAt, received_at: clock.now(), read: 0, parts_missing: v.missing ? 1 : 0,
    }).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  /** Inserts a part unless its dedup key exists; returns the new id or null (duplicate). */
  async function insertPart(tx: Tx, v: { cardId: number; number: string | null; sender: string; smsc: string | null; scts: number | null; ref: number; total: number; seq: number; pdu: string; text: string; key: string }): Promise<number | null> {
    const r = await tx.insertInto('sms_parts').values({
      card_id: v.cardId, number: v.number, sender: v.sender, smsc: v.smsc, scts: v.scts, ref: v.ref, total: v.total, seq: v.seq,
      pdu: v.pdu, text: v.text, dedup_key: v.key, received_at: clock.now(), sms_id: null,
    }).onConflict((oc) => oc.column('dedup_key').doNothing()).returning('id').executeTakeFirst();
    return r?.id ?? null;
  }

  /** Assembles the group of a part when every part is there (or `force`); returns the sms id. */
  async function assemble(tx: Tx, g: { cardId: number; sender: string; ref: number; total: number }, force: boolean): Promise<number | null> {
    const q = tx.selectFrom('sms_parts').select(['id', 'seq', 'text', 'scts', 'number'])
      .where('card_id', '=', g.cardId).where('sender', '=', g.sender).where('ref', '=', g.ref).where('total', '=', g.total)
      .where('sms_id', 'is', null).orderBy('seq').orderBy('id');
    // PostgreSQL: lock the parts, so a concurrent assembly of the same group (the cluster's flush job, another session) waits and then finds them taken.
    const parts = await (store.dialect === 'postgres' ? q.forUpdate() : q).execute();
    const bySeq = new Map<number, (typeof parts)[number]>();
    for (const p of parts) if (!bySeq.has(p.seq)) bySeq.set(p.seq, p);
    const complete = bySeq.size >= g.total;
    if (!complete && !force) return null;
    if (bySeq.size === 0) return null;
    let text = '';
    for (let i = 1; i <= g.total; i++) text += bySeq.get(i)?.text ?? MISSING_PART;
    const first = bySeq.get(1) ?? parts[0]!;
    const id = await insertSms(tx, { cardId: g.cardId, number: first.number, sender: g.sender, text, sentAt: first.scts, missing: !complete });
    await tx.updateTable('sms_parts').set({ sms_id: id }).where('id', 'in', parts.map((p) => p.id)).execute();
    return id;
  }

  return {
    /**
     * Commits one received part (resolves only after the commit: only then may the device delete
     * it from the SIM). A part that was committed before is a `duplicate` — also safe to delete.
     */
    async commitPart(input: PartInput): Promise<IntakeOutcome> {
      const pdu = input.pdu.trim().toUpperCase();
      const d = decodePdu(pdu, { lenient: true });
      if (!d.ok) return { ok: false, error: { code: 'PDU_UNREADABLE', reason: d.error.reason ?? d.error.code } };
      if (d.value.kind !== 'deliver') return { ok: false, error: { code: 'NOT_A_DELIVER', reason: d.value.kind } };
      const m = d.value;
      const sender = m.sender.digits || m.sender.text;
      const scts = Number.isFinite(m.timestamp.epochMs) ? m.timestamp.epochMs : null;
      const concat = m.concat && m.concat.total > 1 && m.concat.seq >= 1 && m.concat.seq <= m.concat.total ? m.concat : null;
      const ref = concat?.ref ?? 0;
      const total = concat?.total ?? 1;
      const seq = concat?.seq ?? 1;
      const text = m.text ?? (m.data !== null ? `[data ${m.data}]` : '');
      const key = sha([input.cardId, sender, scts ?? m.timestamp.iso, ref, total, seq, sha(pdu)].join('|'));
      return writeTransaction(store, async (tx) => {
        const partId = await insertPart(tx, { cardId: input.cardId, number: input.number, sender, smsc: m.smsc?.text ?? null, scts, ref, total, seq, pdu, text, key });
        if (partId === null) return { ok: true as const, kind: 'duplicate' as const };
        const smsId = await assemble(tx, { cardId: input.cardId, sender, ref, total }, false);
        return { ok: true as const, kind: 'stored' as const, partId, smsId };
      });
    },

    /** Commits a message the device already assembled (SMART firmware). */
    async commitWhole(input: WholeInput): Promise<IntakeOutcome> {
      const key = sha(['whole', input.cardId, input.sender, input.deviceTime, sha(input.text)].join('|'));
      return writeTransaction(store, async (tx) => {
        const partId = await insertPart(tx, { cardId: input.cardId, number: input.number, sender: input.sender, smsc: null, scts: input.sentAt, ref: 0, total: 1, seq: 1, pdu: '', text: input.text, key });
        if (partId === null) return { ok: true as const, kind: 'duplicate' as const };
        const smsId = await assemble(tx, { cardId: input.cardId, sender: input.sender, ref: 0, total: 1 }, false);
        return { ok: true as const, kind: 'stored' as const, partId, smsId };
      });
    },

    /** Assembles every group whose first part waited longer than the reassembly wait; returns how many. */
    async flushStale(): Promise<number> {
      const cutoff = clock.now() - waitMs;
      const groups = await store.db.selectFrom('sms_parts').select(['card_id', 'sender', 'ref', 'total'])
        .where('sms_id', 'is', null).where('received_at', '<', cutoff).groupBy(['card_id', 'sender', 'ref', 'total']).execute();
      let n = 0;
      for (const g of groups) {
        const id = await writeTransaction(store, (tx) => assemble(tx, { cardId: g.card_id, sender: g.sender, ref: Number(g.ref), total: Number(g.total) }, true));
        if (id !== null) n++;
      }
      return n;
    },
  };
}

export type SmsIntake = ReturnType<typeof createSmsIntake>;
