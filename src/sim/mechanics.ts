/**
 * The moving parts of each model (device-link.md §4): which card touches which modem, and the
 * commands that move cards. A mechanics object answers model-specific commands (`card:`, `row:`,
 * `modem>card:`, `modem[m]>card:`, …) with `1`/`NULL`/data after a simulated duration, and tells
 * the firmware which place each modem is connected to.
 */
import { columnOf, letterOf, NANO_1000_TRACKS, NANO_500_TRACKS, TRAIN_ROWS, type ModelSpec } from './models.ts';

/** Durations of mechanical moves, ms. */
export interface MechanicsTimings {
  /** Nano: fixed cost of lifting, rotating and seating a card. */
  readonly nanoSeatMs: number;
  /** Nano: per position travelled on the disk. */
  readonly nanoStepMs: number;
  /** Train: per carriage row travelled. */
  readonly trainRowMs: number;
  /** Bank / Board / Box-2: switching a modem to another card row. */
  readonly bankSwitchMs: number;
  /** Organizer (and SMART): putting another card of a line into its modem. */
  readonly organizerSwitchMs: number;
  /** Engaging or releasing a contact group. */
  readonly contactMs: number;
}

export const DEFAULT_MECHANICS_TIMINGS: MechanicsTimings = {
  nanoSeatMs: 2500, nanoStepMs: 20, trainRowMs: 1200, bankSwitchMs: 1500, organizerSwitchMs: 2000, contactMs: 600,
};

export interface MechanicsHost {
  /** Blocks the firmware for `ms` of simulated time. */
  busy(ms: number): Promise<void>;
  /** The modem/channel chosen by `modem>select:` (1-based; 0 = none). */
  readonly selected: number;
  readonly timings: MechanicsTimings;
}

export interface Mechanics {
  /** The place connected to physical modem `m` (1-based) right now; undefined = no card contact. */
  placeFor(m: number): string | undefined;
  /** Canonical form of a place in this model's notation, or undefined when it does not exist. */
  canonical(place: string): string | undefined;
  /** Runs a model-specific command; undefined when the command is not a mechanics command. */
  exec(cmd: string, host: MechanicsHost): Promise<string> | undefined;
  snapshot(): Record<string, unknown>;
  /** Nano: the place under the reading head (seated or not), for `card>discover`. */
  headPlace?(): string | undefined;
  /** A jammed move: the contacts did not close (fault `jam`). */
  jam?(): void;
}

const ROW_NUM = /^\d+$/;

// --- SR-Nano: a rotating disk, one modem ---------------------------------------------------------

class NanoMechanics implements Mechanics {
  private position = 0;
  seated: string | undefined;
  engaged = false;
  private readonly tracks: readonly number[];
  constructor(model: ModelSpec) { this.tracks = model.id === 'sr-nano-1000' ? NANO_1000_TRACKS : NANO_500_TRACKS; }

  canonical(place: string): string | undefined {
    const m = /^([A-La-l])0*(\d+)$/.exec(place.trim());
    if (!m) return undefined;
    const t = columnOf(m[1]!) - 1;
    const i = Number(m[2]);
    const cap = this.tracks[t];
    return cap !== undefined && i < cap ? `${m[1]!.toUpperCase()}${i}` : undefined;
  }

  private linear(place: string): number {
    const t = columnOf(place[0]!) - 1;
    return this.tracks.slice(0, t).reduce((a, b) => a + b, 0) + Number(place.slice(1));
  }

  placeFor(m: number): string | undefined { return m === 1 && this.engaged ? this.seated : undefined; }

  headPlace(): string | undefined { return this.seated; }

  jam(): void { this.engaged = false; }

  exec(cmd: string, host: MechanicsHost): Promise<string> | undefined {
    const t = host.timings;
    if (cmd.startsWith('card:')) {
      const place = this.canonical(cmd.slice(5));
      return (async () => {
        if (!place) return 'NULL';
        const target = this.linear(place);
        this.engaged = false;
        await host.busy(t.nanoSeatMs + Math.abs(target - this.position) * t.nanoStepMs);
        this.position = target;
        this.seated = place;
        this.engaged = true;
        return '1';
      })();
    }
    switch (cmd) {
      case 'card>null': return (async () => {
        this.engaged = false;
        this.seated = undefined;
        await host.busy(t.nanoSeatMs + this.position * t.nanoStepMs);
        this.position = 0;
        return '1';
      })();
      case 'card>reposition': return (async () => {
        if (!this.seated) return 'NULL';
        this.engaged = false;
        await host.busy(t.nanoSeatMs);
        this.engaged = true;
        return '1';
      })();
      case 'modem>connect': return (async () => { await host.busy(t.contactMs); this.engaged = this.seated !== undefined; return '1'; })();
      case 'modem>disconnect': case 'modem>disconect': return (async () => { await host.busy(t.contactMs); this.engaged = false; return '1'; })();
      default: return undefined;
    }
  }

  snapshot(): Record<string, unknown> { return { kind: 'nano', position: this.position, seated: this.seated ?? null, engaged: this.engaged }; }
}

// --- SR-Train: a carriage of 16 modems over rows of 8 cards --------------------------------------

class TrainMechanics implements Mechanics {
  row = 0;
  engaged = false;
  readonly rows = TRAIN_ROWS;

  canonical(place: string): string | undefined {
    const m = /^(\d+)-(\d+)$/.exec(place.trim());
    if (!m) return undefined;
    const r = Number(m[1]);
    const p = Number(m[2]);
    return r < this.rows && p >= 1 && p <= 8 ? `${r}-${p}` : undefined;
  }

  /** Modems 1–8 touch row r, modems 9–16 row r+3 (device-link.md §4.3). */
  placeFor(m: number): string | undefined {
    if (!this.engaged) return undefined;
    const r = m <= 8 ? this.row : this.row + 3;
    return r < this.rows ? `${r}-${m <= 8 ? m : m - 8}` : undefined;
  }

  exec(cmd: string, host: MechanicsHost): Promise<string> | undefined {
    const t = host.timings;
    if (cmd === 'row:now') return Promise.resolve(this.row === 0 ? 'NULL' : String(this.row));
    if (cmd === 'row:max') return Promise.resolve(String(this.rows));
    if (cmd === 'row>calc') return (async () => { await host.busy(this.rows * t.trainRowMs * 2); return String(this.rows * 1000); })();
    if (cmd.startsWith('row:')) {
      const arg = cmd.slice(4);
      return (async () => {
        if (!ROW_NUM.test(arg) || Number(arg) >= this.rows) return 'NULL';
        this.engaged = false;
        await host.busy(t.contactMs + Math.abs(Number(arg) - this.row) * t.trainRowMs);
        this.row = Number(arg);
        return '1';
      })();
    }
    if (cmd === 'modem>connect') return (async () => { await host.busy(t.contactMs); this.engaged = true; return '1'; })();
    if (cmd === 'modem>disconnect' || cmd === 'modem>disconect') return (async () => { await host.busy(t.contactMs); this.engaged = false; return '1'; })();
    return undefined;
  }

  jam(): void { this.engaged = false; }

  snapshot(): Record<string, unknown> { return { kind: 'train', row: this.row, rows: this.rows, engaged: this.engaged }; }
}

// --- SR-Box-8: eight fixed SIMs ------------------------------------------------------------------

class Box8Mechanics implements Mechanics {
  canonical(place: string): string | undefined {
    const p = place.trim().toUpperCase();
    return /^[A-H]$/.test(p) ? p : undefined;
  }
  placeFor(m: number): string | undefined { return m >= 1 && m <= 8 ? letterOf(m) : undefined; }
  exec(): Promise<string> | undefined { return undefined; }
  snapshot(): Record<string, unknown> { return { kind: 'box8' }; }
}

// --- SR-Box-Bank / SR-Board: 8 modems, one card row per modem ------------------------------------

class BankMechanics implements Mechanics {
  /** Card row per modem column (index 0 = modem 1); 0 = no card. */
  readonly rowOf = [0, 0, 0, 0, 0, 0, 0, 0];
  constructor(readonly map: string, private readonly board: boolean) {}

  private rowExists(row: number): boolean {
    return row >= 1 && row <= 64 && this.map[Math.floor((row - 1) / 8)] === '1';
  }

  canonical(place: string): string | undefined {
    const m = /^([A-Ha-h])0*(\d+)$/.exec(place.trim());
    if (!m) return undefined;
    return this.rowExists(Number(m[2])) ? `${m[1]!.toUpperCase()}${Number(m[2])}` : undefined;
  }

  placeFor(m: number): string | undefined {
    const row = this.rowOf[m - 1] ?? 0;
    return row > 0 ? `${letterOf(m)}${row}` : undefined;
  }

  exec(cmd: string, host: MechanicsHost): Promise<string> | undefined {
    if (cmd.startsWith('modem>card:')) {
      const arg = cmd.slice('modem>card:'.length);
      return (async () => {
        const sel = host.selected;
        if (sel < 1 || sel > 8 || !ROW_NUM.test(arg) || !this.rowExists(Number(arg))) return 'NULL';
        await host.busy(host.timings.bankSwitchMs);
        this.rowOf[sel - 1] = Number(arg);
        return '1';
      })();
    }
    if (cmd === 'modem>map') return Promise.resolve(this.map);
    if (this.board && /^marker:\d+,\d+$/.test(cmd)) return Promise.resolve('1');
    return undefined;
  }

  snapshot(): Record<string, unknown> { return { kind: this.board ? 'board' : 'bank', map: this.map, rows: [...this.rowOf] }; }
}

// --- SR-Box-2 / SR-Box-2-Bank: 8 channels over 2 physical modems ---------------------------------

class Box2Mechanics implements Mechanics {
  /** Live channel (1–8, 0 = none) and card row of physical modem 1 and 2. */
  readonly live: Array<{ channel: number; row: number }> = [{ channel: 0, row: 0 }, { channel: 0, row: 0 }];
  constructor(readonly map: string | null) {}

  private rowExists(row: number): boolean {
    if (this.map === null) return row >= 1 && row <= 8;
    return row >= 1 && row <= 64 && this.map[Math.floor((row - 1) / 8)] === '1';
  }

  canonical(place: string): string | undefined {
    const m = /^([A-Ha-h])0*(\d+)$/.exec(place.trim());
    return m && this.rowExists(Number(m[2])) ? `${m[1]!.toUpperCase()}${Number(m[2])}` : undefined;
  }

  placeFor(m: number): string | undefined {
    const l = this.live[m - 1];
    return l && l.channel > 0 && l.row > 0 ? `${letterOf(l.channel)}${l.row}` : undefined;
  }

  exec(cmd: string, host: MechanicsHost): Promise<string> | undefined {
    const m = /^modem([12])?>card:(.*)$/.exec(cmd);
    if (m) {
      return (async () => {
        const sel = host.selected;
        const phys = m[1] ? Number(m[1]) : sel <= 4 ? 1 : 2;
        const okChannel = phys === 1 ? sel >= 1 && sel <= 4 : sel >= 5 && sel <= 8;
        if (!okChannel || !ROW_NUM.test(m[2]!) || !this.rowExists(Number(m[2]))) return 'NULL';
        await host.busy(host.timings.bankSwitchMs);
        this.live[phys - 1] = { channel: sel, row: Number(m[2]) };
        return '1';
      })();
    }
    if (cmd === 'modem>map') return Promise.resolve(this.map ?? 'NULL');
    return undefined;
  }

  snapshot(): Record<string, unknown> { return { kind: 'box2', map: this.map, live: this.live.map((l) => ({ ...l })) }; }
}

// --- SR-Organizer and SMART organizers: lines of cards, one modem per line ---------------------

/**
 * Lines of 8 cards behind modems. Usually one line per modem (SR-Organizer, SR-Organizer-Smart type
 * 55, SR-Box-8-Smart); the 1-modem SR-Organizer-Smart types 52 and 54 put 2 or 3 lines behind one
 * modem, whose card number then runs across them (`B3` = card 11, device-link.md §4.8, §10.4).
 */
export class LineMechanics implements Mechanics {
  /** Card (1-based, 0 = none) in each modem. */
  readonly cardOf: number[];
  /** Cards a modem reaches. */
  readonly cards: number;
  constructor(
    /** Modems, each with its own lines. */
    readonly lines: number,
    readonly cardsPerLine: number,
    private readonly letters: boolean,
    readonly linesPerModem = 1,
  ) {
    this.cardOf = Array.from({ length: lines }, () => 0);
    this.cards = cardsPerLine * linesPerModem;
  }

  placeOf(modem: number, card: number): string {
    const line = (modem - 1) * this.linesPerModem + Math.floor((card - 1) / this.cardsPerLine) + 1;
    const pos = ((card - 1) % this.cardsPerLine) + 1;
    return this.letters ? `${letterOf(line)}${pos}` : `${line}-${pos}`;
  }

  canonical(place: string): string | undefined {
    const m = this.letters ? /^([A-Ha-h])0*(\d+)$/.exec(place.trim()) : /^(\d)-(\d+)$/.exec(place.trim());
    if (!m) return undefined;
    const line = this.letters ? columnOf(m[1]!) : Number(m[1]);
    const pos = Number(m[2]);
    if (line < 1 || line > this.lines * this.linesPerModem || pos < 1 || pos > this.cardsPerLine) return undefined;
    const modem = Math.ceil(line / this.linesPerModem);
    return this.placeOf(modem, ((line - 1) % this.linesPerModem) * this.cardsPerLine + pos);
  }

  placeFor(m: number): string | undefined {
    const card = this.cardOf[m - 1] ?? 0;
    return card > 0 ? this.placeOf(m, card) : undefined;
  }

  /** Puts card `card` of modem `modem`'s lines into it. */
  async seat(modem: number, card: number, host: MechanicsHost): Promise<boolean> {
    if (!Number.isInteger(modem) || !Number.isInteger(card) || modem < 1 || modem > this.lines || card < 1 || card > this.cards) return false;
    if (this.cardOf[modem - 1] !== card) {
      this.cardOf[modem - 1] = 0;
      await host.busy(host.timings.organizerSwitchMs);
      this.cardOf[modem - 1] = card;
    }
    return true;
  }

  exec(cmd: string, host: MechanicsHost): Promise<string> | undefined {
    const m = /^modem\[(\d+)\]>card:(\d+)$/.exec(cmd);
    if (m) return this.seat(Number(m[1]), Number(m[2]), host).then((ok) => (ok ? '1' : 'NULL'));
    if (/^modem\[\d*\]>card:/.test(cmd)) return Promise.resolve('NULL');
    return undefined;
  }

  snapshot(): Record<string, unknown> { return { kind: 'lines', lines: this.lines * this.linesPerModem, modems: this.lines, cards: this.cardOf.slice() }; }
}

export interface MechanicsOptions {
  /** SIM-bank presence string for Box-Bank / Box-2-Bank (`modem>map`); default all 8 banks. */
  readonly bankMap?: string;
  /** SR-Organizer-Smart hardware type (device-link.md §4.1): 52 = 2 lines / 1 modem, 54 = 3 / 1, 55 = 3 / 3 (default). */
  readonly smartType?: SmartType;
}

export type SmartType = 52 | 54 | 55;

/** Modems of a SR-Organizer-Smart of that type. */
export function smartModems(t: SmartType): number { return t === 55 ? 3 : 1; }

export function createMechanics(model: ModelSpec, opts: MechanicsOptions = {}): Mechanics {
  switch (model.mechanics) {
    case 'nano': return new NanoMechanics(model);
    case 'train': return new TrainMechanics();
    case 'box8': return new Box8Mechanics();
    case 'bank': return model.id === 'sr-board' ? new BankMechanics('11111111', true) : new BankMechanics(opts.bankMap ?? '11111111', false);
    case 'box2': return new Box2Mechanics(model.id === 'sr-box-2' ? null : (opts.bankMap ?? '11111111'));
    case 'organizer': return new LineMechanics(2, 8, false);
    case 'smart': {
      if (model.id === 'sr-box-8-smart') return new LineMechanics(8, 8, true);
      const t = opts.smartType ?? 55;
      return t === 55 ? new LineMechanics(3, 8, true) : new LineMechanics(1, 8, true, t === 52 ? 2 : 3);
    }
  }
}
