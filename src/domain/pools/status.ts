/**
 * The SIM status the pool API reports, computed in this one place (api.md §2, device-link.md
 * §5.2 and §9.3). The legacy per-model branches (which mis-mapped Box/Board places) are replaced
 * by one rule over the card's own online row, which the device runtime keeps per card.
 */

export type SimStatus =
  | 'INACTIVE' | 'CONNECTING' | 'WAIT_SMS' | 'WAIT_SMS_CALL' | 'ERROR' | 'OFFLINE' | `RING_[${string}]`;

/** An aggregator is OFFLINE when not heard from for this long (api.md §2). */
export const OFFLINE_AFTER_MS = 60_000;
/** A ring is reported for this long after the call (api.md §2). */
export const RING_FOR_MS = 10_000;

export interface StatusInput {
  /** `card_online.desired`, or null when the card has no online row. */
  desired: string | null;
  /** `card_online.status_code` (device-link.md §5.2), null = not reported yet. */
  statusCode: number | null;
  ringCaller: string | null;
  ringAt: number | null;
  /** The aggregator's `last_heard_at`, null = never. */
  lastHeardAt: number | null;
  /** Whether the model reports calls (`WAIT_SMS_CALL`). */
  reportsCalls: boolean;
}

/**
 * Status of one card now. Order: not online → INACTIVE; aggregator silent > 60 s → OFFLINE;
 * a ring within 10 s → RING_[digits]; then by code: −4…−1 and 2 and unknown → CONNECTING
 * (being seated / registering; also right after openNumber), 1 and 5 → WAIT_SMS(_CALL),
 * 0, 3, 4, 6 (empty slot), 9 (SMS unavailable) → ERROR.
 */
export function simStatus(i: StatusInput, now: number): SimStatus {
  if (i.desired !== 'online') return 'INACTIVE';
  if (i.lastHeardAt === null || now - i.lastHeardAt > OFFLINE_AFTER_MS) return 'OFFLINE';
  const registered = i.statusCode === 1 || i.statusCode === 5;
  if (registered && i.ringCaller && i.ringAt !== null && now - i.ringAt <= RING_FOR_MS && now >= i.ringAt) {
    const digits = i.ringCaller.replace(/\D/g, '');
    if (digits !== '') return `RING_[${digits}]`;
  }
  if (registered) return i.reportsCalls ? 'WAIT_SMS_CALL' : 'WAIT_SMS';
  if (i.statusCode === null || i.statusCode === 2 || (i.statusCode < 0 && i.statusCode >= -4)) return 'CONNECTING';
  return 'ERROR';
}

/** True when an SMS can be sent from a card in this status. */
export function canSend(s: SimStatus): boolean {
  return s === 'WAIT_SMS' || s === 'WAIT_SMS_CALL' || s.startsWith('RING_');
}
