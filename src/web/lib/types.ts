/** Shapes the admin API answers (mirrors src/http/admin/schemas.ts; times are Unix ms). */
export type Role = 'admin' | 'operator' | 'viewer';

export interface User { id: number; login: string; role: Role; lang: string; poolScope: number[] | null; disabled: boolean; createdAt: number; updatedAt: number }
export interface SessionInfo { user: User; via: 'session' | 'token'; csrfToken: string | null }

export interface Aggregator {
  id: number; model: string; title: string; linkMode: 'client' | 'server'; serverIp: string | null; settings: Record<string, unknown>;
  modemChannels: number; tokenHint: string; lastHeardAt: number | null; online: boolean; enabled: boolean;
  serial: string | null; firmware: string | null; cards: number; createdAt: number; updatedAt: number;
}
export interface CreatedAggregator { aggregator: Aggregator; token: string; linkUrl: string }

export interface Card {
  id: number; aggregatorId: number; aggregatorTitle: string; model: string; place: string; number: string | null; iccid: string | null;
  operator: string | null; operatorTitle: string | null; operatorColor: string | null; balance: number | null; lastBalance: number | null;
  balanceAt: number | null; lastBalanceAt: number | null; title: string; comment: string; blocked: boolean; pools: number; online: boolean;
  createdAt: number; updatedAt: number;
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
  report?: Array<{ place: string; code: number | string }>; createdAt: number; startedAt: number | null; finishedAt: number | null; updatedAt?: number;
}

export interface Audit { id: number; at: number; actor: string; action: string; target: string; details: unknown; ip: string | null }

export interface LayoutSlot { place: string; card: null | { id: number; number: string | null; operatorColor: string | null; blocked: boolean; online: boolean; statusCode: number | null; channel: number | null } }
export interface Layout { aggregatorId: number; model: string; kind: string; channels: number; lines: Array<{ label: string; slots: LayoutSlot[] }> }

export interface OnlineChannel {
  cardId: number; aggregatorId: number; aggregatorTitle: string; place: string; number: string | null; title: string; operator: string | null;
  operatorColor: string | null; desired: string; position: string; channel: number | null; statusCode: number | null; statusAt: number | null;
}
