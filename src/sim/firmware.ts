/**
 * The hardware of one aggregator shared by both firmware families: modems, the cards in its slots,
 * the mechanics that connect them, and the simulated-time "busy" primitive. A firmware (classic
 * or SMART) drives it.
 */
import type { Clock } from '../lib/clock.ts';
import { createMechanics, smartModems, type Mechanics, type MechanicsHost, type MechanicsTimings, type SmartType } from './mechanics.ts';
import { Modem, type ModemTimings, type ModemType } from './modem.ts';
import type { ModelSpec } from './models.ts';
import type { MobileNetwork } from './network.ts';
import type { SimCard } from './sim-card.ts';

export interface HardwareOptions {
  readonly model: ModelSpec;
  readonly network: MobileNetwork;
  readonly clock: Clock;
  readonly modemType: ModemType;
  readonly modemTimings: ModemTimings;
  readonly mechanicsTimings: MechanicsTimings;
  readonly bankMap?: string;
  /** SR-Organizer-Smart hardware type (52 and 54 have one modem); default 55. */
  readonly smartType?: SmartType;
  /** Called with (modem number, text) for everything a modem prints on its own. */
  readonly onModemOutput: (modem: number, text: string) => void;
}

export class Hardware implements MechanicsHost {
  readonly modems: Modem[];
  readonly mechanics: Mechanics;
  /** Cards in slots, by canonical place. */
  readonly slots = new Map<string, SimCard>();
  /** Cards taken out through the control API, by place (so they can be put back). */
  readonly removed = new Map<string, SimCard>();
  selected = 1;
  /** Fault: the next mechanical move fails (`card:` answers `NULL`, the card is not seated). */
  jamNext = 0;
  readonly timings: MechanicsTimings;

  constructor(private readonly opts: HardwareOptions) {
    this.timings = opts.mechanicsTimings;
    this.mechanics = createMechanics(opts.model, {
      ...(opts.bankMap === undefined ? {} : { bankMap: opts.bankMap }),
      ...(opts.smartType === undefined ? {} : { smartType: opts.smartType }),
    });
    const modems = opts.model.id === 'sr-organizer-smart' ? smartModems(this.smartType) : opts.model.modems;
    this.modems = Array.from({ length: modems }, (_, i) =>
      new Modem(i + 1, opts.modemType, opts.network, opts.modemTimings, (text) => opts.onModemOutput(i + 1, text)));
  }

  get model(): ModelSpec { return this.opts.model; }
  get smartType(): SmartType { return this.opts.smartType ?? 55; }
  get clock(): Clock { return this.opts.clock; }

  /** Aborted when the device stops, so a command in progress does not outlive it. */
  signal: AbortSignal | undefined;

  busy(ms: number): Promise<void> { return ms > 0 ? this.opts.clock.sleep(ms, this.signal) : Promise.resolve(); }

  modem(n: number): Modem | undefined { return this.modems[n - 1]; }

  /** Puts into every modem the card its contacts touch now (after any mechanical change). */
  syncSims(): void {
    this.modems.forEach((m, i) => {
      const place = this.mechanics.placeFor(i + 1);
      m.setSim(place === undefined ? undefined : this.slots.get(place));
    });
  }

  /** Places a card into a slot (fleet setup or the control API). */
  insert(place: string, sim: SimCard): { ok: true } | { ok: false; code: string } {
    const canonical = this.mechanics.canonical(place);
    if (!canonical) return { ok: false, code: 'BAD_PLACE' };
    if (this.slots.has(canonical)) return { ok: false, code: 'SLOT_OCCUPIED' };
    this.slots.set(canonical, sim);
    this.removed.delete(canonical);
    this.syncSims();
    return { ok: true };
  }

  remove(place: string): { ok: true; sim: SimCard } | { ok: false; code: string } {
    const canonical = this.mechanics.canonical(place);
    if (!canonical) return { ok: false, code: 'BAD_PLACE' };
    const sim = this.slots.get(canonical);
    if (!sim) return { ok: false, code: 'SLOT_EMPTY' };
    this.slots.delete(canonical);
    this.removed.set(canonical, sim);
    this.syncSims();
    return { ok: true, sim };
  }

  /** The modem that currently holds `sim`, if any. */
  modemHolding(sim: SimCard): Modem | undefined {
    return this.modems.find((m) => m.sim === sim);
  }
}
