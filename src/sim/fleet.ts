/**
 * Fleet files: which aggregators to simulate, with which cards (documented by
 * `fleet.schema.json`). Parsing is defensive — a fleet file is outside input — and yields a
 * normalised fleet or a typed error naming the JSON path that is wrong.
 */
import type { DeviceTimings } from './device.ts';
import { createMechanics, type MechanicsTimings, type SmartType } from './mechanics.ts';
import type { ModemTimings, ModemType } from './modem.ts';
import { isModelId, MODELS, type ModelId } from './models.ts';
import { isOperatorId, OPERATOR_IDS, type OperatorId } from './operators.ts';
import { REGISTRATION_BEHAVIOURS, type RegistrationBehaviour } from './sim-card.ts';

export interface FleetSim {
  readonly place: string;
  readonly operator: OperatorId;
  readonly msisdn?: string;
  readonly iccid?: string;
  readonly registration?: RegistrationBehaviour;
  readonly balance?: number;
}

export interface FleetDevice {
  readonly id: string;
  readonly model: ModelId;
  readonly token?: string;
  readonly linkUrl?: string;
  /** `server`: the panel calls the device at its own address (device-link.md §2.5); classic firmware only. */
  readonly link?: 'client' | 'server';
  /** Server mode: the local token (1–5 letters or digits; generated when absent). */
  readonly serverToken?: string;
  /** Server mode: the port to listen on (default 0 = any free port; only with count 1). */
  readonly serverPort?: number;
  readonly modemType?: ModemType;
  readonly bankMap?: string;
  /** SR-Organizer-Smart hardware type: 52 (lines A–B, 1 modem), 54 (A–C, 1 modem), 55 (A–C, 3 modems; default). */
  readonly smartType?: SmartType;
  readonly sims: readonly FleetSim[];
  /** Generate cards for the first `count` places (after explicit `sims`). */
  readonly fill?: { readonly count: number; readonly operators: readonly OperatorId[]; readonly registration?: RegistrationBehaviour };
}

export interface FleetTimings {
  readonly device?: Partial<DeviceTimings>;
  readonly modem?: Partial<ModemTimings>;
  readonly mechanics?: Partial<MechanicsTimings>;
}

export interface Fleet {
  readonly seed: number;
  readonly timings: FleetTimings;
  readonly devices: readonly FleetDevice[];
}

export type FleetResult = { ok: true; value: Fleet } | { ok: false; error: { code: 'BAD_FLEET'; path: string; message: string } };

class FleetError extends Error {
  constructor(readonly path: string, message: string) { super(message); }
}

const MAX_DEVICES = 10_000;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function str(v: unknown, path: string, re?: RegExp): string {
  if (typeof v !== 'string' || (re && !re.test(v))) throw new FleetError(path, re ? `must match ${re}` : 'must be a string');
  return v;
}
function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new FleetError(path, `must be an integer ${min}…${max}`);
  return v;
}
function only(o: Record<string, unknown>, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new FleetError(`${path}.${k}`, 'unknown property');
}
function registration(v: unknown, path: string): RegistrationBehaviour {
  if (!(REGISTRATION_BEHAVIOURS as readonly unknown[]).includes(v)) throw new FleetError(path, `must be one of ${REGISTRATION_BEHAVIOURS.join(', ')}`);
  return v as RegistrationBehaviour;
}
function operator(v: unknown, path: string): OperatorId {
  if (!isOperatorId(v)) throw new FleetError(path, `must be one of ${OPERATOR_IDS.join(', ')}`);
  return v;
}
function timingBlock(v: unknown, path: string): Record<string, number> {
  if (!isObj(v)) throw new FleetError(path, 'must be an object of millisecond values');
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) out[k] = int(x, `${path}.${k}`, 0, 86_400_000);
  return out;
}

function parseSim(v: unknown, path: string): FleetSim {
  if (!isObj(v)) throw new FleetError(path, 'must be an object');
  only(v, path, ['place', 'operator', 'msisdn', 'iccid', 'registration', 'balance']);
  const sim: { -readonly [K in keyof FleetSim]: FleetSim[K] } = { place: str(v['place'], `${path}.place`, /^[A-Za-z0-9-]{1,6}$/), operator: operator(v['operator'], `${path}.operator`) };
  if (v['msisdn'] !== undefined) sim.msisdn = str(v['msisdn'], `${path}.msisdn`, /^\d{10,15}$/);
  if (v['iccid'] !== undefined) sim.iccid = str(v['iccid'], `${path}.iccid`, /^\d{18,20}[fF]?$/);
  if (v['registration'] !== undefined) sim.registration = registration(v['registration'], `${path}.registration`);
  if (v['balance'] !== undefined) {
    if (typeof v['balance'] !== 'number' || !Number.isFinite(v['balance'])) throw new FleetError(`${path}.balance`, 'must be a number');
    sim.balance = v['balance'];
  }
  return sim;
}

function parseDevice(v: unknown, path: string): FleetDevice[] {
  if (!isObj(v)) throw new FleetError(path, 'must be an object');
  only(v, path, ['id', 'model', 'count', 'token', 'linkUrl', 'link', 'serverToken', 'serverPort', 'modemType', 'bankMap', 'smartType', 'sims', 'fill']);
  const id = str(v['id'], `${path}.id`, ID);
  if (!isModelId(v['model'])) throw new FleetError(`${path}.model`, `must be one of ${Object.keys(MODELS).join(', ')}`);
  const model = v['model'];
  const count = v['count'] === undefined ? 1 : int(v['count'], `${path}.count`, 1, MAX_DEVICES);
  const base: { -readonly [K in keyof FleetDevice]: FleetDevice[K] } = { id, model, sims: [] };
  if (v['token'] !== undefined) {
    if (count > 1) throw new FleetError(`${path}.token`, 'a token cannot be shared by several devices (count > 1)');
    base.token = str(v['token'], `${path}.token`, /^[A-Za-z0-9_~.-]{1,128}$/);
  }
  if (v['linkUrl'] !== undefined) base.linkUrl = str(v['linkUrl'], `${path}.linkUrl`, /^https?:\/\/\S+$/);
  if (v['link'] !== undefined) {
    if (v['link'] !== 'client' && v['link'] !== 'server') throw new FleetError(`${path}.link`, 'must be client or server');
    if (v['link'] === 'server' && MODELS[model].family === 'smart') throw new FleetError(`${path}.link`, 'server mode is for classic firmware (the panel speaks no SMART server mode, device-link.md §2.5)');
    base.link = v['link'];
  }
  if (v['serverToken'] !== undefined || v['serverPort'] !== undefined) {
    if (base.link !== 'server') throw new FleetError(`${path}.link`, 'serverToken and serverPort need "link": "server"');
    if (v['serverToken'] !== undefined) base.serverToken = str(v['serverToken'], `${path}.serverToken`, /^[A-Za-z0-9]{1,5}$/);
    if (v['serverPort'] !== undefined) {
      base.serverPort = int(v['serverPort'], `${path}.serverPort`, 0, 65535);
      if (count > 1 && base.serverPort !== 0) throw new FleetError(`${path}.serverPort`, 'a port cannot be shared by several devices (count > 1)');
    }
  }
  if (v['modemType'] !== undefined) {
    if (v['modemType'] !== 'SIM800' && v['modemType'] !== 'SIM5360') throw new FleetError(`${path}.modemType`, 'must be SIM800 or SIM5360');
    base.modemType = v['modemType'];
  }
  if (v['bankMap'] !== undefined) base.bankMap = str(v['bankMap'], `${path}.bankMap`, /^[01]{8}$/);
  if (v['smartType'] !== undefined) {
    if (model !== 'sr-organizer-smart') throw new FleetError(`${path}.smartType`, 'only an sr-organizer-smart has a hardware type');
    if (v['smartType'] !== 52 && v['smartType'] !== 54 && v['smartType'] !== 55) throw new FleetError(`${path}.smartType`, 'must be 52, 54 or 55');
    base.smartType = v['smartType'];
  }
  if (v['sims'] !== undefined) {
    if (!Array.isArray(v['sims']) || v['sims'].length > 1024) throw new FleetError(`${path}.sims`, 'must be an array of at most 1024 cards');
    base.sims = v['sims'].map((s, i) => parseSim(s, `${path}.sims[${i}]`));
  }
  if (v['fill'] !== undefined) {
    const f = v['fill'];
    if (!isObj(f)) throw new FleetError(`${path}.fill`, 'must be an object');
    only(f, `${path}.fill`, ['count', 'operators', 'registration']);
    const ops = f['operators'] === undefined ? OPERATOR_IDS : f['operators'];
    if (!Array.isArray(ops) || ops.length === 0) throw new FleetError(`${path}.fill.operators`, 'must be a non-empty array');
    base.fill = {
      count: int(f['count'], `${path}.fill.count`, 0, MODELS[model].places.length),
      operators: ops.map((o, i) => operator(o, `${path}.fill.operators[${i}]`)),
      ...(f['registration'] === undefined ? {} : { registration: registration(f['registration'], `${path}.fill.registration`) }),
    };
  }
  // Every card must have a slot of its own in this model (with its bank map / hardware type).
  const mech = createMechanics(MODELS[model], {
    ...(base.bankMap === undefined ? {} : { bankMap: base.bankMap }),
    ...(base.smartType === undefined ? {} : { smartType: base.smartType }),
  });
  const taken = new Set<string>();
  base.sims.forEach((sim, i) => {
    const place = mech.canonical(sim.place);
    if (place === undefined) throw new FleetError(`${path}.sims[${i}].place`, `${sim.place} is not a place of ${MODELS[model].name}`);
    if (taken.has(place)) throw new FleetError(`${path}.sims[${i}].place`, `${place} holds another card already`);
    taken.add(place);
  });
  if (count === 1) return [base];
  return Array.from({ length: count }, (_, i) => ({ ...base, id: `${id}-${i + 1}` }));
}

/** Validates a parsed fleet file. */
export function parseFleet(v: unknown): FleetResult {
  try {
    if (!isObj(v)) throw new FleetError('$', 'a fleet is a JSON object');
    only(v, '$', ['$schema', 'seed', 'timings', 'devices']);
    const seed = v['seed'] === undefined ? 1 : int(v['seed'], '$.seed', 0, 2 ** 32 - 1);
    const timings: { -readonly [K in keyof FleetTimings]: FleetTimings[K] } = {};
    if (v['timings'] !== undefined) {
      const t = v['timings'];
      if (!isObj(t)) throw new FleetError('$.timings', 'must be an object');
      only(t, '$.timings', ['device', 'modem', 'mechanics']);
      if (t['device'] !== undefined) timings.device = timingBlock(t['device'], '$.timings.device');
      if (t['modem'] !== undefined) timings.modem = timingBlock(t['modem'], '$.timings.modem');
      if (t['mechanics'] !== undefined) timings.mechanics = timingBlock(t['mechanics'], '$.timings.mechanics');
    }
    if (!Array.isArray(v['devices']) || v['devices'].length === 0) throw new FleetError('$.devices', 'must be a non-empty array');
    const devices = v['devices'].flatMap((d, i) => parseDevice(d, `$.devices[${i}]`));
    if (devices.length > MAX_DEVICES) throw new FleetError('$.devices', `at most ${MAX_DEVICES} devices`);
    const ids = new Set<string>();
    for (const d of devices) {
      if (ids.has(d.id)) throw new FleetError('$.devices', `duplicate device id ${d.id}`);
      ids.add(d.id);
    }
    return { ok: true, value: { seed, timings, devices } };
  } catch (e) {
    if (e instanceof FleetError) return { ok: false, error: { code: 'BAD_FLEET', path: e.path, message: e.message } };
    return { ok: false, error: { code: 'BAD_FLEET', path: '$', message: String(e) } };
  }
}

/** Parses fleet file text (JSON). */
export function parseFleetText(text: string): FleetResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { code: 'BAD_FLEET', path: '$', message: `not JSON: ${(e as Error).message}` } };
  }
  return parseFleet(v);
}
