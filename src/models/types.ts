/**
 * The shape of a model descriptor: what simnav knows about one SIM Roulette aggregator model as
 * plain data plus small pure functions (ARCHITECTURE.md "A model is data plus small functions",
 * STYLE.md §4). Per-model facts come from device-link.md §4.1 and §5.1.
 *
 * Pure layer: no I/O, no clock, imports nothing of ours.
 */

/** Result of a parser: a value or a typed error, never both, never a throw (STYLE.md §1). */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/**
 * A slot of an aggregator in model-neutral coordinates. What `line` and `slot` mean depends on
 * the model (see each model file and models/README.md):
 *
 * | model | line | slot |
 * |---|---|---|
 * | SR-Nano | track index (A = 0) | 0-based index on the track |
 * | SR-Train | row | position 1–8 on the row |
 * | SR-Box-8 | column index (A = 0) | always 0 |
 * | SR-Box-Bank, SR-Board, SR-Box-2(-Bank) | column index (A = 0) | row 1–64 |
 * | SR-Organizer | line 1–2 | card 1–8 |
 * | SR-Organizer-Smart, SR-Box-8-Smart | line index (A = 0) | card 1–8 |
 *
 * A place is only meaningful together with its model; compare places with {@link placeKey}.
 */
export interface Place {
  readonly line: number;
  readonly slot: number;
}

/** Why a place text was refused. */
export interface PlaceError {
  /** `PLACE_SYNTAX`: not in the model's notation; `PLACE_OUT_OF_RANGE`: well formed but no such slot. */
  readonly code: 'PLACE_SYNTAX' | 'PLACE_OUT_OF_RANGE';
  /** The model id the text was parsed for. */
  readonly model: string;
  /** The offending input, cut to 40 characters (it is hostile and may be huge). */
  readonly input: string;
}

/** SR-Organizer-Smart hardware type reported by `.set.dev.type` (device-link.md §4.8). */
export type SmartType = 52 | 54 | 55;

/**
 * The aggregator's own settings that change the hardware shape (legacy `devices.data` and
 * `devices.modems`, device-link.md §4). Every field is optional; {@link ResolvedSettings} has the
 * defaults of models/base.ts filled in. Models ignore fields that do not concern them.
 */
export interface AggregatorSettings {
  /** SR-Train: first row holding cards (legacy `row_begin`). Default 0. */
  readonly rowBegin?: number;
  /** SR-Train: last row holding cards, inclusive (legacy `rows`). Default 19. */
  readonly rowEnd?: number;
  /**
   * SR-Box-Bank / SR-Box-2-Bank: bank presence string (legacy `data.map`, answer of `modem>map`),
   * one character per bank of 8 rows, `1` = fitted, e.g. `11110000` = rows 1–32. Default
   * `10000000` (rows 1–8). SR-Board ignores it (always 64 rows).
   */
  readonly bankMap?: string;
  /** SR-Organizer-Smart type: 52 = 16 cards / 1 modem, 54 = 24 / 1, 55 = 24 / 3. Default 55. */
  readonly smartType?: SmartType;
  /**
   * Enabled modem channels, 1-based (legacy `devices.modems` CSV). Default: every channel of the
   * model. Cards are only put online on enabled channels.
   */
  readonly enabledChannels?: readonly number[];
}

/** Settings with every default applied and every value checked. */
export interface ResolvedSettings {
  readonly rowBegin: number;
  readonly rowEnd: number;
  readonly bankMap: string;
  readonly smartType: SmartType;
  /** `null` = all channels enabled. */
  readonly enabledChannels: ReadonlySet<number> | null;
}

/** One line of a layout: a track, row, column or line and the slots it holds. */
export interface LayoutLine {
  /** The place's `line` coordinate. */
  readonly line: number;
  /** How the line is labelled on the device (`A`, `4`, `2`). */
  readonly label: string;
  /** The `slot` coordinates present on this line, ascending. */
  readonly slots: readonly number[];
}

/**
 * One way of putting a card online: which channel it is seated in, which physical modem that
 * occupies, and the mechanical position the device must be told (device-link.md §5.1).
 */
export interface ChannelOption {
  /** Channel as the device and the legacy `modems` map number it, 1-based (`modem>select:<n>`). */
  readonly channel: number;
  /**
   * The exclusive resource: at most one online card per modem. Equal to `channel` except on the
   * SR-Box-2 family (channels A–D share modem 1, E–H modem 2).
   */
  readonly modem: number;
  /**
   * The mechanical position for the seating command: SR-Train carriage row (`row:<r>`), Box/Board
   * card row (`modem>card:<row>`), Organizer card (`modem[m]>card:<k>`), Smart card number
   * (`modem<m>.card:<k>`, 1–24 on 1-modem types), Nano ordinal (0–499/999), Box-8 0.
   */
  readonly position: number;
}

/** What a model descriptor is made of; `defineModel` fills the omitted parts from base.ts. */
export interface ModelDescriptor {
  /** Registry id, kebab-case (`sr-nano-500`). */
  readonly id: string;
  /** The model name exactly as the pool API prints it (`SR-Nano-500`). */
  readonly title: string;
  /** Wire protocol family: classic `step#!#` polling, or SMART JSON (device-link.md §2.1, §2.6). */
  readonly protocol: 'classic' | 'smart';
  /** Human summary of the combination rule, shown in the README and the console. */
  readonly concurrency: string;
  /** Number of modem channels the device numbers (`modem>select:1…n`). */
  modemChannels(s: ResolvedSettings): number;
  /** Tracks / rows / columns / lines and the slots on each. */
  layout(s: ResolvedSettings): readonly LayoutLine[];
  /**
   * Parses a place in any form the spec lists (case-insensitive, surrounding blanks ignored,
   * leading zeros accepted). Checks the range against the layout.
   */
  parsePlace(text: string, s: ResolvedSettings): Result<Place, PlaceError>;
  /** Canonical text of a place (`A5`, `4-7`, `C12`, `2-5`, `B3`); no leading zeros. */
  formatPlace(p: Place): string;
  /**
   * The ways this place can be online. Empty when the place is not in the layout. More than one
   * option only on SR-Train (modems 1–8 at its own row, or 9–16 with the carriage 3 rows earlier).
   */
  channelOptions(p: Place, s: ResolvedSettings): readonly ChannelOption[];
  /** Inverse of `channelOptions`: the place a channel touches at a position, or null. */
  placeAt(channel: number, position: number, s: ResolvedSettings): Place | null;
  /**
   * True when every online card must share one `position` (SR-Train: one carriage row; SR-Nano:
   * one seated card). Otherwise each modem has its own position.
   */
  readonly sharedPosition: boolean;
  /** Whether the model reports incoming calls (API `WAIT_SMS_CALL` instead of `WAIT_SMS`). */
  readonly reportsCalls: boolean;
}

/** The input of `defineModel`: everything a base default exists for may be omitted. */
export type ModelSpec = Omit<ModelDescriptor, 'sharedPosition' | 'reportsCalls' | 'protocol' | 'placeAt'> &
  Partial<Pick<ModelDescriptor, 'sharedPosition' | 'reportsCalls' | 'protocol' | 'placeAt'>>;
