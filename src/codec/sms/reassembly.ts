/**
 * Multipart reassembly as a pure state-in / state-out function (the domain layer stores the state).
 * Group key = receiving SIM + originator + reference + total — never the SMSC or the time stamp:
 * parts of one message really arrive through different SMSCs a second apart (fixtures
 * pdu/multipart.json `mm-multipart`), and the legacy key without SIM and sender merged strangers'
 * messages (device-link.md §10.4). Out-of-order parts are fine, a repeated part is ignored, a part
 * whose sequence number cannot exist is rejected.
 */
import { wellFormed } from './ucs2.ts';

export interface IncomingPart {
  /** Receiving SIM (any stable id: ICCID, card id). */
  readonly sim: string;
  /** Originator as decoded (`+7916…`, `MTC`). */
  readonly sender: string;
  readonly ref: number;
  readonly total: number;
  readonly seq: number;
  readonly text: string;
  /** When the part was received (epoch ms), for {@link takeStale}. */
  readonly receivedAt?: number;
}

export interface PartGroup {
  readonly key: string;
  readonly sim: string;
  readonly sender: string;
  readonly ref: number;
  readonly total: number;
  /** Part texts by sequence number (1-based). */
  readonly parts: Readonly<Record<number, string>>;
  /** Reception time of the first part, or `null` when unknown. */
  readonly firstAt: number | null;
}

/** All groups still waiting for parts, by key. Plain data: JSON-serialisable. */
export interface ReassemblyState {
  readonly groups: Readonly<Record<string, PartGroup>>;
}

export type ReassemblyOutcome =
  | { readonly kind: 'complete'; readonly key: string; readonly text: string; readonly group: PartGroup }
  | { readonly kind: 'pending'; readonly key: string; readonly received: number; readonly total: number }
  | { readonly kind: 'duplicate'; readonly key: string }
  | { readonly kind: 'rejected'; readonly reason: string };

export const emptyReassembly: ReassemblyState = { groups: {} };

/** The group key of a part. */
export function groupKey(p: Pick<IncomingPart, 'sim' | 'sender' | 'ref' | 'total'>): string {
  return JSON.stringify([p.sim, p.sender, p.ref, p.total]);
}

function joined(g: PartGroup): string {
  let s = '';
  for (let i = 1; i <= g.total; i++) s += g.parts[i] ?? '';
  return wellFormed(s);
}

/** Adds one part; returns the new state and what happened. The input state is not modified. */
export function addPart(state: ReassemblyState, part: IncomingPart): { state: ReassemblyState; outcome: ReassemblyOutcome } {
  const { total, seq } = part;
  if (!Number.isInteger(total) || total < 1 || total > 255) return { state, outcome: { kind: 'rejected', reason: `impossible total ${total}` } };
  if (!Number.isInteger(seq) || seq < 1 || seq > total) return { state, outcome: { kind: 'rejected', reason: `impossible sequence ${seq} of ${total}` } };
  const key = groupKey(part);
  const prev = state.groups[key];
  if (prev && prev.parts[seq] !== undefined) return { state, outcome: { kind: 'duplicate', key } };
  const group: PartGroup = {
    key,
    sim: part.sim,
    sender: part.sender,
    ref: part.ref,
    total,
    parts: { ...(prev?.parts ?? {}), [seq]: part.text },
    firstAt: prev?.firstAt ?? part.receivedAt ?? null,
  };
  const received = Object.keys(group.parts).length;
  const groups = { ...state.groups };
  if (received === total) {
    delete groups[key];
    return { state: { groups }, outcome: { kind: 'complete', key, text: joined(group), group } };
  }
  groups[key] = group;
  return { state: { groups }, outcome: { kind: 'pending', key, received, total } };
}

/**
 * Removes the groups whose first part arrived before `before` (epoch ms) and returns them with the
 * text they have (missing parts left out), so the caller can store an incomplete message.
 */
export function takeStale(state: ReassemblyState, before: number): { state: ReassemblyState; stale: readonly { group: PartGroup; text: string }[] } {
  const groups: Record<string, PartGroup> = {};
  const stale: { group: PartGroup; text: string }[] = [];
  for (const [k, g] of Object.entries(state.groups)) {
    if (g.firstAt !== null && g.firstAt < before) stale.push({ group: g, text: joined(g) });
    else groups[k] = g;
  }
  return { state: { groups }, stale };
}
