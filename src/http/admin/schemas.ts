/**
 * JSON schemas of what the admin API answers, shared by routes (response serialisation: a field
 * not listed here is never sent, so a hash or secret cannot leak by accident) and the OpenAPI
 * document. Times are Unix milliseconds.
 */
import { nullable, obj, type JsonSchema } from './route.ts';

const int = { type: 'integer' };
const str = { type: 'string' };
const bool = { type: 'boolean' };
const num = { type: 'number' };
const roleEnum = { type: 'string', enum: ['admin', 'operator', 'viewer'] };

export const settingsSchema: JsonSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    rowBegin: { type: 'integer', minimum: 0, maximum: 999 },
    rowEnd: { type: 'integer', minimum: 0, maximum: 999 },
    bankMap: { type: 'string', pattern: '^[01]{1,8}$' },
    smartType: { type: 'integer', enum: [52, 54, 55] },
    enabledChannels: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 64 }, maxItems: 64 },
  },
};

export const aggregatorView = obj({
  id: int, model: str, title: str, linkMode: { type: 'string', enum: ['client', 'server'] }, serverIp: nullable('string'), serverTokenSet: bool,
  settings: settingsSchema, modemChannels: int, tokenHint: str, lastHeardAt: nullable('integer'), online: bool, enabled: bool,
  serial: nullable('string'), firmware: nullable('string'), cards: int, createdAt: int, updatedAt: int,
});

export const cardView = obj({
  id: int, aggregatorId: int, aggregatorTitle: str, model: str, place: str, number: nullable('string'), iccid: nullable('string'),
  operator: nullable('string'), operatorTitle: nullable('string'), operatorColor: nullable('string'),
  balance: nullable('number'), lastBalance: nullable('number'), balanceAt: nullable('integer'), lastBalanceAt: nullable('integer'),
  title: str, comment: str, blocked: bool, pools: int, online: bool, duplicate: bool, createdAt: int, updatedAt: int,
});

export const poolView = obj({
  id: int, title: str, keyHint: str, cards: int, used: int, free: int, online: int, balance: num, createdAt: int, updatedAt: int,
});

export const smsView = obj({
  id: int, cardId: int, number: nullable('string'), aggregatorId: int, aggregatorTitle: str, place: str, operator: nullable('string'),
  sender: str, text: str, sentAt: nullable('integer'), receivedAt: int, read: bool, partsMissing: bool,
});

export const callView = obj({
  id: int, cardId: int, number: nullable('string'), aggregatorId: int, aggregatorTitle: str, place: str, operator: nullable('string'),
  caller: str, at: int, read: bool,
});

const method = { type: 'string', enum: ['ussd', 'sms', 'none'] };
export const operatorView = obj({
  id: int, title: str, names: { type: 'array', items: str }, countryPrefix: str, numberMethod: method, numberCode: str,
  balanceMethod: method, balanceCode: str, color: str, createdAt: int, updatedAt: int,
});

export const userView = obj({
  id: int, login: str, role: roleEnum, lang: str, poolScope: { type: ['array', 'null'], items: int }, disabled: bool, createdAt: int, updatedAt: int,
});

export const tokenView = obj({
  id: int, name: str, role: roleEnum, userId: nullable('integer'), createdAt: int, lastUsedAt: nullable('integer'),
  expiresAt: nullable('integer'), revokedAt: nullable('integer'),
});

export const auditView = obj({
  id: int, at: int, actor: str, action: str, target: str, details: { type: 'object', additionalProperties: true }, ip: nullable('string'),
});

export const importReport = obj({
  encoding: { type: 'string', enum: ['utf-8', 'windows-1251'] }, rows: int, inserted: int, updated: int, skipped: int,
  errors: { type: 'array', items: obj({ line: int, code: str, field: str }) },
});

export { roleEnum };
