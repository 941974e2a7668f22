/**
 * Per-model command builders (device-link.md §4, issue #5 item 3): data plus small functions on
 * top of the model descriptors (src/models). One online-session engine (../session) drives every
 * model through this interface; a model only says how its commands are spelled and how its
 * answers map to channels. Fixes of §10 are here too: SMS text can never start a new `&&` command,
 * SMS storage is cleared per listed index after the commit, not wholesale.
 */
import { DEFAULT_SETTINGS, getModel, type ModelDescriptor } from '../../models/index.ts';
import { box2Modem } from '../../models/index.ts';

/** Mechanics families; models of one family share every command. */
export type DriverKind = 'nano' | 'train' | 'box8' | 'bank' | 'box2' | 'organizer' | 'smart';

/** Where a card goes: its channel, the physical modem, the mechanical position (models/README.md). */
export interface SeatTarget {
  readonly channel: number;
  readonly modem: number;
  readonly position: number;
  /** Canonical place text (`A5`, `4-7`). */
  readonly place: string;
}

export interface Driver {
  readonly kind: DriverKind;
  readonly family: 'classic' | 'smart';
  readonly model: ModelDescriptor;
  /**
   * Commands that seat `targets` (chains; each is sent and must answer truthily). `current` is the
   * shared position now (SR-Train carriage row, SR-Nano seated ordinal) or null.
   */
  seat(targets: readonly SeatTarget[], current: number | null): string[];
  /** Modem set-up after seating (caller ID on, PDU mode), sent without waiting. */
  prepare(channels: readonly number[]): string[];
  /** Commands when the last card of the aggregator leaves (the card goes back to its slot). */
  releaseAll(): string[];
  /** The registration check of the seated `channels`, and how its answer is read (pack sections or an activation code). */
  registration(channels: readonly number[]): { readonly text: string; readonly kind: 'pack' | 'activation' | 'none' };
  /** Channel of a `modem>pack` / `modem>sms` section numbered `modem`, given the seated channels. */
  sectionChannel(modem: number, seated: readonly number[]): number | null;
  /**
   * Lists every stored SMS of the seated `channels` (read or not: we delete after commit, so the
   * list stays short). `pack`: `modem>pack:AT+CMGL=4##<channels>##1` — one answer, only the modems
   * that hold cards (the `modem>sms` listing walks every powered modem and costs seconds on 8- and
   * 16-modem boxes); `sms`: the firmware's `modem>sms:4`. Null: the device pushes SMS (SMART).
   */
  smsList(channels: readonly number[]): { readonly text: string; readonly kind: 'sms' | 'pack' } | null;
  /** Deletes the listed storage indexes of the SIM in `channel`. */
  deleteSms(channel: number, indexes: readonly number[]): string;
  /**
   * Deletes every message already read on the SIM in `channel` in one command (`AT+CMGD=1,1`:
   * delete flag 1, the index is ignored; 3GPP TS 27.005 §3.5.4), addressed like `deleteSms`. Null
   * where the device keeps no storage the panel lists (SMART pushes its SMS).
   */
  deleteRead(channel: number): string | null;
  /** Sends an SMS from `channel`; the verdict arrives as a step-0 `+CMGS` / `ERROR` (classic). */
  sendSms(channel: number, recipient: string, text: string): string;
  /** Deletes everything stored on the SIMs in `channels` (pool API clearSimStorage). */
  clearStorage(channels: readonly number[]): string;
  /** Restarts the modems of `channels` (registration recovery). */
  restart(channels: readonly number[]): string;
  /** Routes incoming calls to `channel` (0 = normal) — `modem>fix` (api.md grabCall). */
  grab(channel: number): string | null;
  /** Sends one AT command to the modem of `channel`; its output arrives as step 0. */
  at(channel: number, command: string): string;
  /** The `1:`/`2:` prefix a channel's modem output carries (SR-Box-2 family), else null. */
  outputPrefix(channel: number): number | null;
  /**
   * One AT command on several modems with every output in one answer (`modem>pack`, §3.3), or
   * null where the firmware has no pack (SR-Nano: one modem; SMART). Box-2 packs both physical
   * modems (sections 1/2, mapped back with `sectionChannel`).
   */
  pack(channels: readonly number[], command: string): string | null;
  /** A USSD request from the modem of `channel` (classic: `AT+CUSD=1,"<code>",15`; SMART: `ussd:<code>,<m>`). */
  ussd(channel: number, code: string): string;
  /** A voice call from `channel` (classic `ATD<n>;`, SMART `call:<n>,<m>`). */
  dial(channel: number, number: string): string;
  /** Hangs up the call of `channel`. */
  hangup(channel: number): string;
  /**
   * The model's init sequence (device-link.md §4 "Init", what the legacy panel's `dev_init`
   * sends): panel-driven mode, modems powered with caller ID on and PDU mode stored, settings
   * saved. Queued as is; every command answers on its own.
   */
  init(): string[];
}

/**
 * SMS text as it may travel inside a classic command: `&&` would start a new device command
 * (device-link.md §10.1.6), so every `&&` is broken with a space; NUL and CR are dropped.
 */
export function sanitiseSmsText(text: string): string {
  let t = text.replace(/[\u0000\r]/g, '');
  while (t.includes('&&')) t = t.replace(/&&/g, '& &');
  return t;
}

/** A recipient as the firmware wants it: `+` and digits only, or null when not a phone number. */
export function recipientOf(raw: string): string | null {
  const d = raw.replace(/[\s()-]/g, '').replace(/^\+/, '');
  return /^\d{3,15}$/.test(d) ? `+${d}` : null;
}

/** AT text: one line, no chain separator. */
function atText(command: string): string {
  return command.replace(/[\r\n]/g, '').replace(/&&/g, '');
}

const list = (channels: readonly number[]): string => channels.map((c) => `${c};`).join('');

/** A USSD code as it may travel inside `AT+CUSD="…"`: digits, `*`, `#`, `+` only. */
const ussdCode = (code: string): string => code.replace(/[^0-9*#+]/g, '');
/** A number to dial: `+`, digits, `*`, `#` only. */
const dialNumber = (n: string): string => n.replace(/[^0-9*#+]/g, '');

/** Screen text of the init sequence (`display=<size>::<align>::<x>::<y>::<text>`, §3.2). */
const display = (size: number, text: string): string => `display=${size}::C::64::25::${text}`;
/** Caller ID on, PDU mode, stored in the modem profile: the modem set-up of every classic init. */
const MODEM_SETUP = ['AT+CLIP=1', 'AT+CMGF=0', 'AT&W0'] as const;

function kindOf(m: ModelDescriptor): DriverKind {
  switch (m.id) {
    case 'sr-nano-500': case 'sr-nano-1000': return 'nano';
    case 'sr-train': return 'train';
    case 'sr-box-8': return 'box8';
    case 'sr-box-bank': case 'sr-board': return 'bank';
    case 'sr-box-2': case 'sr-box-2-bank': return 'box2';
    case 'sr-organizer': return 'organizer';
    default: return 'smart';
  }
}

/** The driver of a model (id or API title), or undefined for a model simnav does not know. */
export function driverFor(modelId: string): Driver | undefined {
  const model = getModel(modelId);
  if (!model) return undefined;
  const kind = kindOf(model);
  const base = {
    kind, model, family: model.protocol,
    sectionChannel: (modem: number) => modem,
    smsList: (channels: readonly number[]): { text: string; kind: 'sms' | 'pack' } | null => ({ text: `modem>pack:AT+CMGL=4##${list(channels)}##1`, kind: 'pack' }),
    registration: (channels: readonly number[]): { text: string; kind: 'pack' | 'activation' | 'none' } => ({ text: `modem>pack:AT+CREG?##${list(channels)}##1`, kind: 'pack' }),
    prepare: (channels: readonly number[]) => [`modem>pack:AT+CLIP=1##${list(channels)}##1`, `modem>pack:AT+CMGF=0##${list(channels)}##1`],
    releaseAll: (): string[] => [],
    // One pack per index: one answer each, no step-0 output to crowd the device's outbox.
    deleteSms: (c: number, idx: readonly number[]) => idx.map((i) => `modem>pack:AT+CMGD=${i}##${c};##1`).join('&&'),
    deleteRead: (c: number): string | null => `modem>pack:AT+CMGD=1,1##${c};##1`,
    sendSms: (c: number, to: string, text: string) => `modem>select:${c}&&sms>send:${to};${sanitiseSmsText(text)}`,
    clearStorage: (channels: readonly number[]) => `modem>pack:AT+CMGDA=5##${list(channels)}##1`,
    restart: (channels: readonly number[]) => `modem>pack:AT+CFUN=1,1##${list(channels)}##1`,
    grab: (c: number): string | null => `modem>fix:${c}`,
    at: (c: number, command: string) => `modem>select:${c}&&modem>send:${atText(command)}`,
    outputPrefix: (): number | null => null,
    pack: (channels: readonly number[], command: string): string | null => `modem>pack:${atText(command)}##${list(channels)}##1`,
    ussd(this: Driver, c: number, code: string) { return this.at(c, `AT+CUSD=1,"${ussdCode(code)}",15`); },
    dial(this: Driver, c: number, n: string) { return this.at(c, `ATD${dialNumber(n)};`); },
    hangup(this: Driver, c: number) { return this.at(c, 'ATH0'); },
    // SR-Box-8 / SR-Box-Bank (§4.4): power cycle with calls unpinned, navigator mode, every modem set up, saved.
    init: (): string[] => [
      `modem>off&&modem>fix:0&&${display(16, 'simnav')}&&modem>on`,
      `${display(24, '10%')}&&dev:mode=navigator`, 'save',
      ...MODEM_SETUP.map((at) => `modem>pack:${at}##ALL##1`),
      `sound:beep&&${display(16, 'ready')}`,
    ],
  };
  switch (kind) {
    case 'nano':
      return {
        ...base,
        registration: () => ({ text: 'modem>activation', kind: 'activation' }),
        smsList: () => ({ text: 'modem>sms:4', kind: 'sms' }),
        seat: (t) => (t[0] ? [`card:${t[0].place}`, 'modem>connect&&modem>on'] : []),
        prepare: () => ['modem>send:AT+CLIP=1', 'modem>send:AT+CMGF=0'],
        releaseAll: () => ['modem>disconnect&&card>null'],
        deleteSms: (_c, idx) => idx.map((i) => `modem>send:AT+CMGD=${i}`).join('&&'),
        deleteRead: () => 'modem>send:AT+CMGD=1,1',
        sendSms: (_c, to, text) => `sms>send:${to};${sanitiseSmsText(text)}`,
        clearStorage: () => 'modem>send:AT+CMGDA=5',
        restart: () => 'modem>on&&modem>send:AT+CFUN=1,1',
        grab: () => null,
        at: (_c, command) => `modem>send:${atText(command)}`,
        pack: () => null,
        // §4.2 dev_init: screen + power, the modem set-up, navigator mode saved.
        init: () => [
          `${display(16, 'simnav')}&&modem>on`, 'modem>send:AT+GMM', ...MODEM_SETUP.map((at) => `modem>send:${at}`),
          'dev:mode=navigator&&save&&sound:beep&&sound:beep', display(16, 'ready'),
        ],
      };
    case 'train':
      return {
        ...base,
        seat: (t, current) => {
          const row = t[0]?.position;
          if (row === undefined || row === current) return [];
          const from = row > 0 ? row - 1 : row + 1;
          return [`row:${from}&&row:${row}&&modem>connect`, 'modem>on'];
        },
        releaseAll: () => ['modem>disconnect'],
        // §4.3: all 16 modems powered with calls unpinned, navigator mode, modems set up, saved.
        init: () => [
          `modem>off&&modem>fix:0&&${display(16, 'simnav')}&&modem>on`, `${display(24, '9')}&&dev:mode=navigator`, 'save',
          ...MODEM_SETUP.map((at) => `modem>pack:${at}##ALL##1`), display(16, 'ready'),
        ],
      };
    case 'box8':
      return { ...base, seat: (t) => (t.length ? ['modem>fix:0&&modem>on'] : []) };
    case 'bank':
      return {
        ...base,
        seat: (t) => (t.length ? [[...t.map((s) => `modem>select:${s.channel}&&modem>card:${s.position}`), 'modem>on'].join('&&')] : []),
      };
    case 'box2':
      return {
        ...base,
        registration: () => ({ text: 'modem>pack:AT+CREG?', kind: 'pack' }),
        smsList: () => ({ text: 'modem>sms:4', kind: 'sms' }),
        sectionChannel: (modem, seated) => seated.find((c) => box2Modem(c) === modem) ?? null,
        seat: (t) => (t.length ? [[...t.map((s) => `modem>select:${s.channel}&&modem${box2Modem(s.channel)}>card:${s.position}`), 'modem>on'].join('&&')] : []),
        prepare: (channels) => channels.flatMap((c) => [`modem${box2Modem(c)}>send:AT+CLIP=1`, `modem${box2Modem(c)}>send:AT+CMGF=0`]),
        deleteSms: (c, idx) => idx.map((i) => `modem${box2Modem(c)}>send:AT+CMGD=${i}`).join('&&'),
        deleteRead: (c) => `modem${box2Modem(c)}>send:AT+CMGD=1,1`,
        sendSms: (c, to, text) => `modem>select:${c}&&sms${box2Modem(c)}>send:${to};${sanitiseSmsText(text)}`,
        clearStorage: (channels) => [...new Set(channels.map(box2Modem))].map((k) => `modem${k}>send:AT+CMGD=0,4`).join('&&'),
        restart: (channels) => [...new Set(channels.map(box2Modem))].map((k) => `modem${k}>send:AT+CFUN=1,1`).join('&&'),
        at: (c, command) => `modem${box2Modem(c)}>send:${atText(command)}`,
        outputPrefix: (c) => box2Modem(c),
        pack: (_channels, command) => `modem>pack:${atText(command)}`,
        // §4.6: screen, navigator mode, both physical modems set up, saved.
        init: () => [
          `${display(16, 'simnav')}&&modem>on`, 'dev:mode=navigator', 'save',
          ...MODEM_SETUP.flatMap((at) => [`modem1>send:${at}`, `modem2>send:${at}`]), display(16, 'ready'),
        ],
      };
    case 'organizer':
      return {
        ...base,
        registration: (channels) => ({ text: `modem>pack:AT+CREG?##${list(channels)}##1`, kind: 'pack' }),
        seat: (t) => (t.length ? [[...t.map((s) => `modem[${s.channel}]>card:${s.position}`), 'modem>on'].join('&&')] : []),
        deleteSms: (c, idx) => idx.map((i) => `modem[${c}]>send:AT+CMGD=${i}`).join('&&'),
        deleteRead: (c) => `modem[${c}]>send:AT+CMGD=1,1`,
        sendSms: (c, to, text) => `modem>select:${c}&&sms>send:${to};${sanitiseSmsText(text)}`,
        grab: () => null,
        at: (c, command) => `modem[${c}]>send:${atText(command)}`,
        // §4.7: navigator mode (answers `Navigator mode ON`), saved; then both modems set up.
        init: () => ['dev:mode=navigator', 'save', 'modem>on', ...MODEM_SETUP.map((at) => `modem>pack:${at}##ALL##1`)],
      };
    case 'smart': {
      const json = (o: object): string => JSON.stringify(o).replace(/&/g, '\\u0026').replace(/:sign=/g, '\\u003asign=');
      return {
        ...base,
        smsList: () => null,
        registration: () => ({ text: '', kind: 'none' }),
        seat: (t) => t.map((s) => `.modem${s.channel}.card:${s.position}`),
        prepare: (channels) => channels.map((c) => `modem${c}.send:AT+CLIP=1`),
        deleteSms: () => '',
        deleteRead: () => null,
        sendSms: (c, to, text) => `.sms.send:${json({ number: to, sms: text, modem: String(c) })}`,
        clearStorage: (channels) => channels.map((c) => `modem${c}.send:AT+CMGDA=5`).join('&&'),
        restart: (channels) => channels.map((c) => `modem${c}.send:AT+CFUN=1,1`).join('&&'),
        grab: () => null,
        at: (c, command) => `modem${c}.send:${atText(command)}`,
        pack: () => null,
        ussd: (c, code) => `ussd:${ussdCode(code)},${c}`,
        dial: (c, n) => `call:${dialNumber(n)},${c}`,
        hangup: (c) => `command:hangup,${c}`,
        // §4.8: type query, manual mode while the modems are set up and get their first card, then SMART mode, saved.
        // Replies are matched by the `sign` the channel adds from the step (a fixed sign would match no step).
        init: () => {
          const modems = Array.from({ length: model.modemChannels(DEFAULT_SETTINGS) }, (_, i) => i + 1);
          const all = (f: (m: number) => string): string => modems.map(f).join('&&');
          return [
            '.set.dev.type', 'set.dev.mode:manual',
            all((m) => `modem${m}.send:AT+CLIP=1`), all((m) => `modem${m}.send:AT&W0`),
            `display:FE&&set.dev.mode:smart&&${all((m) => `modem${m}.card:1`)}&&.save`,
          ];
        },
      };
    }
  }
}
