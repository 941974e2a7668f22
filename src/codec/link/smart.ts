/**
 * SMART firmware messages (device-link.md §2.6): payloads of polls without a step — `REQUEST`,
 * a banner such as `SR started`, or one JSON object: a command reply `{"result","sign"}`, a modem
 * `state`, or an `alert` event (`ussd`, `sms`, `calling`, `no_carrier`, `incomming call`).
 */

export type SmartMessage =
  | { readonly kind: 'idle' }
  /** Plain text that is not JSON (`SR started`). */
  | { readonly kind: 'text'; readonly text: string }
  /** Reply to a command sent with a leading `.`; `sign` echoes the command's `:sign=` tag. */
  | { readonly kind: 'reply'; readonly result: string; readonly sign: string | null; readonly fields: SmartFields }
  | {
      readonly kind: 'state';
      /** `modem1` … as sent. */
      readonly dev: string;
      /** Modem number taken from `dev`, or `null`. */
      readonly modem: number | null;
      /** Status code as text (same codes as device-link.md §5.2). */
      readonly result: string;
      readonly code: number | null;
      readonly card: string | null;
      readonly iccid: string | null;
      readonly network: string | null;
      readonly operator: string | null;
      readonly fields: SmartFields;
    }
  | {
      readonly kind: 'alert';
      readonly dev: string;
      readonly modem: number | null;
      readonly event: string;
      readonly result: string;
      readonly fields: SmartFields;
    }
  /** A JSON object of a shape not listed above (kept whole). */
  | { readonly kind: 'object'; readonly fields: SmartFields }
  /** Looked like JSON but did not parse, or was not an object. */
  | { readonly kind: 'malformed'; readonly text: string; readonly reason: string };

/** Scalar fields of the JSON object as strings (objects and arrays are dropped). */
export type SmartFields = Readonly<Record<string, string>>;

function scalars(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v === null) out[k] = '';
  }
  return out;
}

function modemOf(dev: string): number | null {
  const m = /^modem(\d{1,3})$/.exec(dev);
  return m ? Number(m[1]) : null;
}

function intOrNull(s: string): number | null {
  return /^-?\d{1,9}$/.test(s) ? Number(s) : null;
}

/** Classifies a SMART payload; never fails (unparseable JSON is `malformed`). */
export function parseSmartPayload(data: string): SmartMessage {
  if (data === 'REQUEST') return { kind: 'idle' };
  const t = data.trim();
  if (!t.startsWith('{')) return { kind: 'text', text: data };
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (e) {
    return { kind: 'malformed', text: data, reason: e instanceof Error ? e.message : 'invalid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'malformed', text: data, reason: 'not a JSON object' };
  const f = scalars(parsed as Record<string, unknown>);
  const result = f['result'] ?? '';
  const dev = f['dev'];
  if (f['type'] === 'state' && dev !== undefined) {
    return {
      kind: 'state',
      dev,
      modem: modemOf(dev),
      result,
      code: intOrNull(result),
      card: f['card'] ?? null,
      iccid: f['iccid'] ?? null,
      network: f['network'] ?? null,
      operator: f['operator'] ?? null,
      fields: f,
    };
  }
  if (dev !== undefined && f['event'] !== undefined) {
    return { kind: 'alert', dev, modem: modemOf(dev), event: f['event'], result, fields: f };
  }
  if (f['result'] !== undefined && f['type'] === undefined) return { kind: 'reply', result, sign: f['sign'] ?? null, fields: f };
  return { kind: 'object', fields: f };
}

/** `{"result":…,"sign":…}` as the firmware sends it. */
export function buildSmartReply(result: string, sign: string | null): string {
  return JSON.stringify(sign === null ? { result } : { result, sign });
}

/** A modem `state` object (`result` first, as the firmware orders keys). */
export function buildSmartState(s: { modem: number; result: string | number; card: string | number; iccid?: string; network?: string; operator?: string }): string {
  const o: Record<string, string> = { result: String(s.result), type: 'state', dev: `modem${s.modem}`, card: String(s.card) };
  if (s.iccid !== undefined) o['iccid'] = s.iccid;
  if (s.network !== undefined) o['network'] = s.network;
  if (s.operator !== undefined) o['operator'] = s.operator;
  return JSON.stringify(o);
}

/** An `alert` event object; `extra` fields (card, iccid, number, time, sender) follow `event`. */
export function buildSmartAlert(a: { modem: number; event: string; result: string; extra?: Readonly<Record<string, string>> }): string {
  return JSON.stringify({ result: a.result, type: 'alert', dev: `modem${a.modem}`, event: a.event, ...(a.extra ?? {}) });
}

/** A SMART command split into its parts: `.answer.clear:sign=test`. */
export interface SmartCommand {
  /** Leading `.`: the device must answer with a `reply`. */
  readonly wantsReply: boolean;
  /** e.g. `answer.clear`, `modem1.card`, `sms.send`. */
  readonly name: string;
  /** Text after the first `:` (without the `:sign=` suffix), or `null`. */
  readonly argument: string | null;
  readonly sign: string | null;
}

/** Splits a SMART command (what the simulator receives). */
export function parseSmartCommand(command: string): SmartCommand {
  let rest = command;
  const wantsReply = rest.startsWith('.');
  if (wantsReply) rest = rest.slice(1);
  let sign: string | null = null;
  const s = rest.lastIndexOf(':sign=');
  if (s >= 0) {
    sign = rest.slice(s + 6);
    rest = rest.slice(0, s);
  }
  const c = rest.indexOf(':');
  return c < 0 ? { wantsReply, name: rest, argument: null, sign } : { wantsReply, name: rest.slice(0, c), argument: rest.slice(c + 1), sign };
}

/** Builds a SMART command (inverse of {@link parseSmartCommand}). */
export function buildSmartCommand(c: SmartCommand): string {
  return (c.wantsReply ? '.' : '') + c.name + (c.argument === null ? '' : ':' + c.argument) + (c.sign === null ? '' : ':sign=' + c.sign);
}
