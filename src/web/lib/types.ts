/**
 * Shapes the admin API answers (times are Unix ms). Written by hand from the OpenAPI document
 * (`/api/v1/openapi.json`); `VIEW_KEYS` lists each view's fields at run time and types.test.ts fails
 * when the document and these types drift apart (field added, renamed or removed on either side).
 */
export type Role = 'admin' | 'operator' | 'viewer';

export interface User { id: number; login: string; role: Role; lang: string; poolScope: number[] | null; disabled: boolean; createdAt: number; updatedAt: number }
export interface SessionInfo { user: User; via: 'session' | 'token'; csrfToken: string | null }

export interface Aggregator {
  id: number; model: string; title: string; linkMode: 'client' | 'server'; serverIp: string | null; serverTokenSet: boolean; settings: Record<string, unknown>;
  modemChannels: number; tokenHint: string; lastHeardAt: number | null; online: boolean; enabled: boolean;
  serial: string | null; firmware: string | null; cards: number; createdAt: number; updatedAt: number;
}
export interface CreatedAggregator { aggregator: Aggregator; token: string; linkUrl: string }

export interface Card {
  id: number; aggregatorId: number; aggregatorTitle: string; model: string; place: string; number: string | null; iccid: string | null;
  operator: string | null; operatorTitle: string | null; operatorColor: string | null; balance: number | null; lastBalance: number | null;
  balanceAt: number | null; lastBalanceAt: number | null; title: string; comment: string; blocked: boolean; pools: number; online: boolean;
  /** Another card has the same number (same last 10 digits), anywhere in the inventory. */
  duplicate: boolean; createdAt: number; updatedAt: number;
}
export interface Page<T> { total: number; items: T[] }

export interface Pool { id: number; title: string; keyHint: string; cards: number; used: number; free: number; online: number; balance: number; createdAt: number; updatedAt: number }

export interface Sms {
  id: number; cardId: number; number: string | null; aggregatorId: number; aggregatorTitle: string; place: string; operator: string | null;
  sender: string; text: string; sentAt: number | null; receivedAt: number; read: boolean; partsMissing: boolean;
}
export interface Call { id: number; cardId: number; number: string | null; aggregatorId: number; aggregatorTitle: string; place: string; operator: string | null; caller: string; at: number; read: boolean }

export interface Operator {
  id: number; title: string; names: string[]; countryPrefix: string; numberMethod: string; numberCode: string;
  balanceMethod: string; balanceCode: string; color: string; createdAt: number; updatedAt: number;
}

export interface Task {
  id: number; aggregatorId: number; kind: string; status: string; total: number; progress: number; success: number; errors: number;
  report: Array<{ place: string; code: string; detail?: string }>; etaMs: number | null; createdAt: number; startedAt: number | null; finishedAt: number | null; updatedAt: number;
}

export interface Audit { id: number; at: number; actor: string; action: string; target: string; details: unknown; ip: string | null }

export interface LayoutSlot { place: string; card: null | { id: number; number: string | null; operatorColor: string | null; blocked: boolean; online: boolean; statusCode: number | null; channel: number | null } }
export interface Layout { aggregatorId: number; model: string; kind: string; channels: number; lines: Array<{ label: string; slots: LayoutSlot[] }> }

export interface OnlineChannel {
  cardId: number; aggregatorId: number; aggregatorTitle: string; place: string; number: string | null; title: string; operator: string | null;
  operatorColor: string | null; desired: string; position: string; channel: number | null; statusCode: number | null; statusAt: number | null;
}

/** Field names of each view, checked against the interfaces here (compile time) and the OpenAPI document (types.test.ts). */
export const VIEW_KEYS = {
  aggregator: ['id', 'model', 'title', 'linkMode', 'serverIp', 'serverTokenSet', 'settings', 'modemChannels', 'tokenHint', 'lastHeardAt', 'online', 'enabled', 'serial', 'firmware', 'cards', 'createdAt', 'updatedAt'],
  card: ['id', 'aggregatorId', 'aggregatorTitle', 'model', 'place', 'number', 'iccid', 'operator', 'operatorTitle', 'operatorColor', 'balance', 'lastBalance',
    'balanceAt', 'lastBalanceAt', 'title', 'comment', 'blocked', 'pools', 'online', 'duplicate', 'createdAt', 'updatedAt'],
  pool: ['id', 'title', 'keyHint', 'cards', 'used', 'free', 'online', 'balance', 'createdAt', 'updatedAt'],
  sms: ['id', 'cardId', 'number', 'aggregatorId', 'aggregatorTitle', 'place', 'operator', 'sender', 'text', 'sentAt', 'receivedAt', 'read', 'partsMissing'],
  call: ['id', 'cardId', 'number', 'aggregatorId', 'aggregatorTitle', 'place', 'operator', 'caller', 'at', 'read'],
  operator: ['id', 'title', 'names', 'countryPrefix', 'numberMethod', 'numberCode', 'balanceMethod', 'balanceCode', 'color', 'createdAt', 'updatedAt'],
  user: ['id', 'login', 'role', 'lang', 'poolScope', 'disabled', 'createdAt', 'updatedAt'],
  task: ['id', 'aggregatorId', 'kind', 'status', 'total', 'progress', 'success', 'errors', 'report', 'etaMs', 'createdAt', 'startedAt', 'finishedAt', 'updatedAt'],
} as const;

type SameKeys<T, K extends readonly string[]> = [Exclude<keyof T, K[number]>, Exclude<K[number], keyof T>] extends [never, never] ? true : never;
const keysMatch: [
  SameKeys<Aggregator, typeof VIEW_KEYS.aggregator>, SameKeys<Card, typeof VIEW_KEYS.card>, SameKeys<Pool, typeof VIEW_KEYS.pool>,
  SameKeys<Sms, typeof VIEW_KEYS.sms>, SameKeys<Call, typeof VIEW_KEYS.call>, SameKeys<Operator, typeof VIEW_KEYS.operator>, SameKeys<User, typeof VIEW_KEYS.user>,
  SameKeys<Task, typeof VIEW_KEYS.task>,
] = [true, true, true, true, true, true, true, true];
void keysMatch;
