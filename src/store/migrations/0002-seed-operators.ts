/**
 * Seeds the operator profiles the legacy panel shipped with (panel-features.md §1.2: 20 operators —
 * RU, UA, GE, plus Lebara, Lycamobile, Orange). Codes are the operators' published USSD requests;
 * an installation edits them in the console. Seeded only into an empty table.
 */
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyDb = Kysely<any>;

interface Seed {
  title: string; names: string[]; prefix: string; color: string;
  number: [method: string, code: string]; balance: [method: string, code: string];
}

export const SEED_OPERATORS: readonly Seed[] = [
  { title: 'Beeline', names: ['BEELINE', 'BEE LINE GSM'], prefix: '7', color: '#f5c400', number: ['ussd', '*110*10#'], balance: ['ussd', '*102#'] },
  { title: 'MegaFon', names: ['MEGAFON'], prefix: '7', color: '#00b956', number: ['ussd', '*205#'], balance: ['ussd', '*100#'] },
  { title: 'MegaFon RUS', names: ['MEGAFON RUS'], prefix: '7', color: '#00b956', number: ['ussd', '*205#'], balance: ['ussd', '*100#'] },
  { title: 'MTS', names: ['MTS', 'MTS RUS', 'MTS-RUS'], prefix: '7', color: '#e30611', number: ['ussd', '*111*0887#'], balance: ['ussd', '*100#'] },
  { title: 'Tele2', names: ['TELE2', 'TELE2 RU'], prefix: '7', color: '#1f2229', number: ['ussd', '*201#'], balance: ['ussd', '*105#'] },
  { title: 'Yota', names: ['YOTA'], prefix: '7', color: '#00aeef', number: ['ussd', '*103#'], balance: ['ussd', '*100#'] },
  { title: 'Rostelecom', names: ['ROSTELECOM'], prefix: '7', color: '#7700ff', number: ['ussd', '*201#'], balance: ['ussd', '*102#'] },
  { title: 'Motiv', names: ['MOTIV'], prefix: '7', color: '#e4007c', number: ['ussd', '*104#'], balance: ['ussd', '*102#'] },
  { title: 'Tinkoff', names: ['TINKOFF'], prefix: '7', color: '#ffdd2d', number: ['ussd', '*112#'], balance: ['ussd', '*100#'] },
  { title: 'MCN', names: ['MCN'], prefix: '7', color: '#0066b3', number: ['none', ''], balance: ['none', ''] },
  { title: 'Kyivstar', names: ['KYIVSTAR', 'UA-KYIVSTAR'], prefix: '380', color: '#0a58a5', number: ['ussd', '*161#'], balance: ['ussd', '*111#'] },
  { title: 'Vodafone UA', names: ['VODAFONE UA', 'UA-VODAFONE'], prefix: '380', color: '#e60000', number: ['ussd', '*161#'], balance: ['ussd', '*101#'] },
  { title: 'Beeline GE', names: ['BEELINE GE'], prefix: '995', color: '#f5c400', number: ['ussd', '*110#'], balance: ['ussd', '*102#'] },
  { title: 'Beeline GEO', names: ['GEO-BEELINE'], prefix: '995', color: '#f5c400', number: ['ussd', '*110#'], balance: ['ussd', '*102#'] },
  { title: 'Magti', names: ['MAGTI', 'MAGTI-GSM'], prefix: '995', color: '#e2001a', number: ['ussd', '*111*6#|6|6'], balance: ['ussd', '*100#'] },
  { title: 'MagtiCom', names: ['MAGTICOM'], prefix: '995', color: '#e2001a', number: ['ussd', '*111*6#|6'], balance: ['ussd', '*100#'] },
  { title: 'Geocell', names: ['GEOCELL'], prefix: '995', color: '#8a2be2', number: ['ussd', '*122#'], balance: ['ussd', '*100#'] },
  { title: 'Lebara', names: ['LEBARA'], prefix: '', color: '#0074c1', number: ['none', ''], balance: ['ussd', '*100#'] },
  { title: 'Lycamobile', names: ['LYCAMOBILE'], prefix: '', color: '#00a0e2', number: ['ussd', '*132#'], balance: ['ussd', '*131#'] },
  { title: 'Orange', names: ['ORANGE'], prefix: '', color: '#ff7900', number: ['none', ''], balance: ['none', ''] },
];

export function seedOperators(now: () => number = Date.now) {
  return {
    async up(db: AnyDb): Promise<void> {
      const existing = await db.selectFrom('operators').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      if (Number(existing?.n ?? 0) > 0) return;
      const t = now();
      await db.insertInto('operators').values(SEED_OPERATORS.map((o) => ({
        title: o.title, names: JSON.stringify(o.names), country_prefix: o.prefix, color: o.color,
        number_method: o.number[0], number_code: o.number[1],
        balance_method: o.balance[0], balance_code: o.balance[1],
        created_at: t, updated_at: t,
      }))).execute();
      const names = [...new Set(SEED_OPERATORS.flatMap((o) => o.names))];
      await db.insertInto('network_names').values(names.map((name) => ({ name, first_seen_at: t }))).execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.deleteFrom('network_names').execute();
      await db.deleteFrom('operators').execute();
    },
  };
}
