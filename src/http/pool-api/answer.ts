/** Answers of the pool API: plain text tokens or JSON, always HTTP 200 (api.md §1). */
import type { Pool } from '../../store/schema.ts';
import type { PoolService } from '../../domain/pools/service.ts';
import type { Store } from '../../store/open-store.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Params } from './params.ts';
import type { TimeFormatter } from './time.ts';

export type Answer = { kind: 'text'; body: string } | { kind: 'json'; body: unknown; shared?: true };

export const text = (body: string): Answer => ({ kind: 'text', body });
export const json = (body: unknown): Answer => ({ kind: 'json', body });
/**
 * A JSON answer whose body is a memoised value that is never modified (the pool views return the
 * same array until the next change): its serialisation is kept and reused as long as the value lives.
 */
export const sharedJson = (body: object): Answer => ({ kind: 'json', body, shared: true });

/** Every error token of the contract, in one place. */
export const TOKENS = [
  'BAD_KEY', 'BAD_ACTION', 'WRONG_EXCEPTION_PHONE', 'NO_NUMBERS', 'BUSY', 'NO_CHANNELS', 'EMPTY_NUMBER', 'BAD_NUMBER',
  'NOT_FOUND', 'NO_NUMBER', 'BAD_ID', 'BAD_RECIPIENT', 'EMPTY_TEXT', 'ERROR',
] as const;
export type Token = (typeof TOKENS)[number];
export const token = (t: Token): Answer => text(t);

export interface ActionDeps {
  store: Store;
  clock: Clock;
  pools: PoolService;
  formatTime: TimeFormatter;
  sendSmsTimeoutMs: number;
}

export interface ActionCall {
  pool: Pool;
  params: Params;
  deps: ActionDeps;
}

export type Action = (c: ActionCall) => Promise<Answer>;
