/**
 * Import steps for the SMS inbox (`sms_incoming`, device-link.md §7.3) and the call log
 * (`call_incoming`, §8). A message or call is attached to its SIM by `card_id` when the legacy
 * row has one, else by the receiving number. Parts the legacy panel had not merged yet are merged
 * here by (SIM, sender, concatenation reference) — missing parts become ` ... ` as the legacy
 * merge did, and the message is flagged `parts_missing`. Natural keys: (card, sender, received
 * time, text) for SMS, (card, caller, time) for calls.
 */
import { legacyMillis, phoneDigits } from './convert.ts';
import { chunks, reader, skip } from './context.ts';
import type { ImportedCard, Row, StepContext } from './context.ts';
import type { RowReader } from './legacy-source.ts';
import { cardByNumber } from './steps-pools.ts';

/** Reference, total and 1-based part number of a legacy `header` (`050003CD0402`, with or without blanks). */
export function parseLegacyUdh(header: string): { ref: number; total: number; seq: number } | undefined {
  const hex = header.replace(/\s+/g, '').toUpperCase();
  if (!/^([0-9A-F]{2})+$/.test(hex)) return undefined;
  const b = (hex.match(/../g) ?? []).map((x) => parseInt(x, 16));
  let out: { ref: number; total: number; seq: number } | undefined;
  if (b[1] === 0x00 && b[2] === 0x03 && b.length >= 6) out = { ref: b[3]!, total: b[4]!, seq: b[5]! };
  else if (b[1] === 0x08 && b[2] === 0x04 && b.length >= 7) out = { ref: b[3]! * 256 + b[4]!, total: b[5]!, seq: b[6]! };
  return out && out.total >= 1 && out.seq >= 1 && out.seq <= out.total ? out : undefined;
}

interface Message {
  legacyId: string; cardId: number; number: string | null; sender: string; text: string;
  sentAt: number | null; receivedAt: number; read: boolean; partsMissing: boolean;
}

/** The simnav card of a legacy SMS/call row: by legacy card id, else by the receiving number. */
function cardOf(ctx: StepContext, legacyCardId: number | undefined, number: string, legacyDevice?: number): ImportedCard | 'none' | 'ambiguous' {
  if (legacyCardId !== undefined && legacyCardId > 0) {
    const c = ctx.cards.get(legacyCardId);
    if (c) return c;
  }
  if (number === '') return 'none';
  return cardByNumber(ctx, number, legacyDevice === undefined ? undefined : ctx.aggregators.get(legacyDevice)?.id);
}

/** Saves messages not stored yet (natural key: card, sender, received time, text), in batches. */
async function saveMessages(ctx: StepContext, messages: readonly Message[]): Promise<void> {
  const c = ctx.report.counts.sms;
  const key = (m: { cardId: number; sender: string; receivedAt: number; text: string }) => `${m.cardId}\u0000${m.sender}\u0000${m.receivedAt}\u0000${m.text}`;
  const seen = new Set<string>();
  for (const part of chunks(messages)) {
    const stored = await ctx.tx.selectFrom('sms').select(['card_id', 'sender', 'received_at', 'text'])
      .where('card_id', 'in', [...new Set(part.map((m) => m.cardId))])
      .where('received_at', 'in', [...new Set(part.map((m) => m.receivedAt))])
      .execute();
    for (const s of stored) seen.add(key({ cardId: s.card_id, sender: s.sender, receivedAt: s.received_at, text: s.text }));
    const rows = [];
    for (const m of part) {
      if (seen.has(key(m))) { c.present++; continue; }
      seen.add(key(m));
      rows.push({
        card_id: m.cardId, number: m.number, sender: m.sender, text: m.text, sent_at: m.sentAt, received_at: m.receivedAt,
        read: m.read ? 1 : 0, parts_missing: m.partsMissing ? 1 : 0,
      });
    }
    if (rows.length > 0) await ctx.tx.insertInto('sms').values(rows).execute();
    c.imported += rows.length;
  }
}

function receivedAt(r: RowReader, row: Row): number | null {
  return legacyMillis(r.int(row, 'time_receive')) ?? legacyMillis(r.int(row, 'modified')) ?? legacyMillis(r.int(row, 'time'));
}

export async function importSms(ctx: StepContext): Promise<void> {
  const src = reader(ctx, 'sms_incoming');
  if (!src) return;
  const c = ctx.report.counts.sms;
  const groups = new Map<string, Array<Message & { seq: number; total: number }>>();
  const messages: Message[] = [];
  for (const row of src.t.rows) {
    c.read++;
    const id = src.r.int(row, 'id');
    const number = (src.r.text(row, 'number') ?? '').trim();
    const card = cardOf(ctx, src.r.int(row, 'card_id'), number);
    if (card === 'none') { skip(ctx, 'sms', id, 'NO_CARD', `no imported SIM for card_id ${src.r.int(row, 'card_id') ?? 0} / number '${number.slice(0, 20)}'`); continue; }
    if (card === 'ambiguous') { skip(ctx, 'sms', id, 'AMBIGUOUS_CARD', `number '${number.slice(0, 20)}' names several SIMs`); continue; }
    const at = receivedAt(src.r, row);
    if (at === null) { skip(ctx, 'sms', id, 'NO_TIME', 'no time_receive, modified or time'); continue; }
    const sender = (src.r.text(row, 'sender') ?? '').trim().slice(0, 32);
    const msg: Message = {
      legacyId: String(id ?? '?'), cardId: card.id, number: card.number ?? phoneDigits(number), sender,
      text: src.r.text(row, 'txt') ?? '', sentAt: legacyMillis(src.r.int(row, 'time')), receivedAt: at,
      read: (src.r.int(row, 'readed') ?? 0) !== 0, partsMissing: false,
    };
    const header = (src.r.text(row, 'header') ?? '').trim();
    if (header === '') { messages.push(msg); continue; }
    const udh = parseLegacyUdh(header);
    if (!udh) { skip(ctx, 'sms', id, 'BAD_MULTIPART', `unmerged part with unreadable header '${header.slice(0, 20)}'`); continue; }
    const key = `${card.id}\u0000${sender}\u0000${udh.ref}\u0000${udh.total}`;
    const list = groups.get(key) ?? [];
    list.push({ ...msg, seq: udh.seq, total: udh.total });
    groups.set(key, list);
  }
  for (const parts of groups.values()) {
    parts.sort((a, b) => a.seq - b.seq || a.receivedAt - b.receivedAt);
    const first = parts[0]!;
    const bySeq = new Map(parts.map((p) => [p.seq, p]));
    const texts: string[] = [];
    for (let s = 1; s <= first.total; s++) texts.push(bySeq.get(s)?.text ?? ' ... ');
    messages.push({
      ...first, legacyId: parts.map((p) => p.legacyId).join('+'), text: texts.join(''),
      receivedAt: Math.min(...parts.map((p) => p.receivedAt)), read: parts.every((p) => p.read),
      partsMissing: bySeq.size < first.total,
    });
  }
  await saveMessages(ctx, messages);
}

export async function importCalls(ctx: StepContext): Promise<void> {
  const src = reader(ctx, 'call_incoming');
  if (!src) return;
  const c = ctx.report.counts.calls;
  const calls: Array<{ card_id: number; number: string | null; caller: string; at: number; read: number }> = [];
  for (const row of src.t.rows) {
    c.read++;
    const id = src.r.int(row, 'id');
    const number = (src.r.text(row, 'number') ?? '').trim();
    const card = cardOf(ctx, undefined, number, src.r.int(row, 'device'));
    if (card === 'none') { skip(ctx, 'calls', id, 'NO_CARD', `no imported SIM has number '${number.slice(0, 20)}'`); continue; }
    if (card === 'ambiguous') { skip(ctx, 'calls', id, 'AMBIGUOUS_CARD', `number '${number.slice(0, 20)}' names several SIMs`); continue; }
    const at = legacyMillis(src.r.int(row, 'time'));
    if (at === null) { skip(ctx, 'calls', id, 'NO_TIME', 'call without a time'); continue; }
    const raw = (src.r.text(row, 'incoming') ?? '').trim();
    calls.push({ card_id: card.id, number: card.number ?? phoneDigits(number), caller: (phoneDigits(raw) ?? raw).slice(0, 32), at, read: 0 });
  }
  // Natural key: (card, caller, time).
  const key = (k: { card_id: number; caller: string; at: number }) => `${k.card_id}\u0000${k.caller}\u0000${k.at}`;
  const seen = new Set<string>();
  for (const part of chunks(calls)) {
    const stored = await ctx.tx.selectFrom('calls').select(['card_id', 'caller', 'at'])
      .where('card_id', 'in', [...new Set(part.map((k) => k.card_id))]).where('at', 'in', [...new Set(part.map((k) => k.at))]).execute();
    for (const k of stored) seen.add(key(k));
    const rows = part.filter((k) => { const n = key(k); if (seen.has(n)) { c.present++; return false; } seen.add(n); return true; });
    if (rows.length > 0) await ctx.tx.insertInto('calls').values(rows).execute();
    c.imported += rows.length;
  }
}
