/**
 * USSD answers of the virtual operators: the first request of a session is looked up in the SIM's
 * operator table (operators.ts), a request inside an open menu session picks a menu entry.
 */
import { OPERATORS, type UssdAction } from './operators.ts';
import type { SimCard } from './sim-card.ts';

export interface UssdOutcome {
  /** Text of the `+CUSD` answer. */
  readonly text: string;
  /** `+CUSD: 1` (further user action expected) instead of `+CUSD: 0`. */
  readonly open: boolean;
  readonly menu?: Readonly<Record<string, UssdAction>>;
  /** An SMS the network sends the SIM after answering (number-by-SMS operators). */
  readonly sms?: { readonly sender: string; readonly text: string };
}

export function resolveUssd(sim: SimCard, code: string, menu: Readonly<Record<string, UssdAction>> | undefined): UssdOutcome {
  const action = menu?.[code] ?? OPERATORS[sim.operator].ussd[code];
  if (!action) return { text: 'Неверный запрос', open: false };
  const fill = (t: string): string => t
    .replaceAll('{number}', sim.msisdn)
    .replaceAll('{national}', sim.msisdn.startsWith('7') ? sim.msisdn.slice(1) : sim.msisdn)
    .replaceAll('{balance}', sim.balance.toFixed(2));
  switch (action.kind) {
    case 'text': return { text: fill(action.text), open: false };
    case 'menu': return { text: fill(action.text), open: true, menu: action.entries };
    case 'text+sms': return { text: fill(action.text), open: false, sms: { sender: action.sender, text: fill(action.sms) } };
  }
}
