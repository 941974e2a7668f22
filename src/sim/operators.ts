/**
 * The mobile operators of the virtual network: names as a SIM reports them (`AT+CSPN?` gives the
 * service-provider name, `AT+COPS?` the network name), number prefixes, and the USSD services the
 * panel's operator rules use (device-link.md §6.5): number by USSD text, number by SMS, balance,
 * and a two-step menu (`a|b` in the panel's notation).
 */
export type OperatorId = 'mts' | 'beeline' | 'megafon' | 'tele2';

export const OPERATOR_IDS: readonly OperatorId[] = ['mts', 'beeline', 'megafon', 'tele2'];

/** What the network answers to one USSD request. */
export type UssdAction =
  /** A final text answer (`+CUSD: 0`); `{number}` and `{balance}` are filled in. */
  | { readonly kind: 'text'; readonly text: string }
  /** A menu (`+CUSD: 1`): the next request in the same session picks an entry. */
  | { readonly kind: 'menu'; readonly text: string; readonly entries: Readonly<Record<string, UssdAction>> }
  /** A final text answer plus an SMS to the SIM from `sender` a moment later. */
  | { readonly kind: 'text+sms'; readonly text: string; readonly sender: string; readonly sms: string };

export interface OperatorProfile {
  readonly id: OperatorId;
  /** `+CSPN: "<cspn>",0` — the name the panel's operator rules match. */
  readonly cspn: string;
  /** `+COPS: 0,0,"<cops>"` — the network name. */
  readonly cops: string;
  /** Short name used in SMART `state` objects (`"operator":"Beeline"`). */
  readonly shortName: string;
  /** MSISDN prefixes (country code included) numbers are drawn from. */
  readonly prefixes: readonly string[];
  /** ICCID issuer prefix (89 + country 7 + issuer). */
  readonly iccidPrefix: string;
  /** SMSC address put into delivered PDUs. */
  readonly smsc: string;
  readonly ussd: Readonly<Record<string, UssdAction>>;
}

const balanceText = 'Баланс: {balance} р.';

export const OPERATORS: Readonly<Record<OperatorId, OperatorProfile>> = {
  mts: {
    id: 'mts', cspn: 'MTS RUS', cops: 'MTS RUS', shortName: 'MTS',
    prefixes: ['7916', '7985', '7915'], iccidPrefix: '8970101', smsc: '+79139869993',
    ussd: {
      // The logged MTS flow (link_1.log 5090–5141): an acknowledgement by USSD, the number by SMS from 111.
      '*111*0887#': { kind: 'text+sms', text: 'Запрос отправлен, по факту регистрации Вы получите SMS', sender: '111', sms: 'Ваш номер телефона:+{number}.' },
      '*100#': { kind: 'text', text: balanceText },
    },
  },
  beeline: {
    id: 'beeline', cspn: 'Beeline', cops: 'Bee Line GSM', shortName: 'Beeline',
    prefixes: ['7903', '7905', '7963'], iccidPrefix: '8970199', smsc: '+79037011111',
    ussd: {
      '*110*10#': { kind: 'text', text: 'Ваш номер {number}' },
      '*102#': { kind: 'text', text: balanceText },
    },
  },
  megafon: {
    id: 'megafon', cspn: 'MegaFon', cops: 'MegaFon', shortName: 'MegaFon',
    prefixes: ['7926', '7925', '7929'], iccidPrefix: '8970102', smsc: '+79262909090',
    ussd: {
      '*205#': { kind: 'text', text: 'Мой основной номер: {national}' },
      '*100#': { kind: 'text', text: balanceText },
    },
  },
  tele2: {
    id: 'tele2', cspn: 'TELE2', cops: 'Tele2', shortName: 'Tele2',
    prefixes: ['7952', '7977', '7904'], iccidPrefix: '8970120', smsc: '+79043490000',
    ussd: {
      '*201#': { kind: 'text', text: 'Ваш номер +{number}' },
      '*105#': { kind: 'text', text: balanceText },
      // A two-step menu: `*111#|2` in the panel's rule notation.
      '*111#': {
        kind: 'menu', text: '1.Баланс\n2.Мой номер',
        entries: { '1': { kind: 'text', text: balanceText }, '2': { kind: 'text', text: 'Ваш номер +{number}' } },
      },
    },
  },
};

export function isOperatorId(s: unknown): s is OperatorId {
  return typeof s === 'string' && (OPERATOR_IDS as readonly string[]).includes(s);
}
