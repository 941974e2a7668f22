/** What every page gets: who is signed in and what they may do, the route's query, navigation. */
import type { SessionInfo } from './types.ts';

export interface PageCtx {
  session: SessionInfo;
  canWrite: boolean;
  isAdmin: boolean;
  params: URLSearchParams;
  navigate(hash: string): void;
}

/** A page renders into `root` and returns its cleanup (unsubscribe from live events, timers). */
export type Page = (root: HTMLElement, ctx: PageCtx) => (() => void) | void;
