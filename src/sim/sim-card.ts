/**
 * A virtual SIM card: identity (ICCID, MSISDN, operator), how the network treats it
 * (registration behaviour, balance) and its own SMS storage ("SM" memory lives on the card, so
 * messages travel with the card when the mechanics move it to another modem).
 */
import type { OperatorId } from './operators.ts';

/** How the network answers this SIM's registration attempts (`+CREG` stat it ends in). */
export type RegistrationBehaviour =
  /** 0 → 2 → 1 (home). */
  | 'ok'
  /** 0 → 2 → 5 (roaming). */
  | 'roaming'
  /** stays at 2 (searching) forever. */
  | 'searching'
  /** 0 → 2 → 3 (registration denied). */
  | 'denied'
  /** stays at 0 (not registered, not searching). */
  | 'none'
  /** 0 → 2 → 4 (registration state unknown, e.g. out of coverage; the panel restarts the modem). */
  | 'unknown';

export const REGISTRATION_BEHAVIOURS: readonly RegistrationBehaviour[] = ['ok', 'roaming', 'searching', 'denied', 'none', 'unknown'];

/** The `+CREG` stat a registration attempt ends in, or undefined when it never ends (stays 0 or 2). */
export function finalCreg(b: RegistrationBehaviour): number | undefined {
  switch (b) {
    case 'ok': return 1;
    case 'roaming': return 5;
    case 'denied': return 3;
    case 'unknown': return 4;
    case 'searching': case 'none': return undefined;
  }
}

/** One stored message: PDU mode `+CMGL`/`+CMGR` stat (0 = REC UNREAD, 1 = REC READ). */
export interface StoredSms {
  stat: 0 | 1;
  /** Hex PDU including the SMSC field. */
  readonly pdu: string;
  /** TPDU length in octets (the `<length>` of `+CMGL`/`+CMGR`). */
  readonly length: number;
}

export interface SimCardSpec {
  readonly iccid: string;
  /** International digits without `+`, e.g. `79161234567`. */
  readonly msisdn: string;
  readonly operator: OperatorId;
  readonly registration?: RegistrationBehaviour;
  /** Balance in roubles (what the balance USSD reports). */
  readonly balance?: number;
  /** Messages already on the card (hex PDUs with SMSC), stored as read. */
  readonly storedPdus?: readonly string[];
  /** SIM message capacity (`AT+CPMS` total); default 30. */
  readonly capacity?: number;
}

export class SimCard {
  readonly iccid: string;
  readonly msisdn: string;
  readonly operator: OperatorId;
  registration: RegistrationBehaviour;
  balance: number;
  readonly capacity: number;
  /** index (1-based) → message. */
  readonly storage = new Map<number, StoredSms>();

  constructor(spec: SimCardSpec) {
    this.iccid = spec.iccid;
    this.msisdn = spec.msisdn;
    this.operator = spec.operator;
    this.registration = spec.registration ?? 'ok';
    this.balance = spec.balance ?? 100;
    this.capacity = spec.capacity ?? 30;
    for (const pdu of spec.storedPdus ?? []) {
      const i = this.store(pdu, tpduLength(pdu));
      const m = i === undefined ? undefined : this.storage.get(i);
      if (m) m.stat = 1;
    }
  }

  /** Stores a message at the lowest free index; undefined when the memory is full. */
  store(pdu: string, length: number): number | undefined {
    for (let i = 1; i <= this.capacity; i++) {
      if (!this.storage.has(i)) {
        this.storage.set(i, { stat: 0, pdu, length });
        return i;
      }
    }
    return undefined;
  }

  /** Messages in index order, filtered by PDU-mode stat (4 = all). */
  list(stat: number): Array<[number, StoredSms]> {
    return [...this.storage.entries()]
      .filter(([, m]) => stat === 4 || m.stat === stat)
      .sort((a, b) => a[0] - b[0]);
  }

  get used(): number { return this.storage.size; }
}

/** Octets after the SMSC field of a hex PDU (first octet = SMSC length). */
export function tpduLength(pdu: string): number {
  const smscLen = Number.parseInt(pdu.slice(0, 2), 16);
  return Math.max(0, pdu.length / 2 - 1 - (Number.isNaN(smscLen) ? 0 : smscLen));
}
