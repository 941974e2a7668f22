/**
 * The in-process event bus: what changed, pushed to every open console page (issue #6 item 10,
 * panel-features.md §5.2 item 3: push instead of 0.5–2 s polling). Anyone may publish — the device
 * runtime (status, SMS, calls, task progress, terminal answers), the admin API (pools changed);
 * `src/http/events/` fans events out as server-sent events at `GET /api/v1/events`.
 *
 * Contract (see README.md beside this file):
 * - `publish(event)` stamps `seq` (monotonic per bus), `at` (the bus clock) and `origin` (this
 *   node's id) and delivers synchronously to every subscriber. It never throws: a subscriber that
 *   throws is reported to `onError` and the others still get the event.
 * - `inject(stamped)` delivers an event that was published on another node (PostgreSQL
 *   LISTEN/NOTIFY relay, issue #7); it gets a local `seq` but keeps its `origin` and `at`, so a
 *   relay subscriber can skip events that are not `origin === bus.nodeId` and avoid echo loops.
 * - `since(seq)` replays the last `historySize` events (SSE `Last-Event-ID` after a reconnect).
 * Events carry ids and short texts only — never secrets (tokens, pool keys, passwords).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.ts';

/** Online/offline of an aggregator changed, or it was heard from after a silence. */
export interface AggregatorStatusEvent { type: 'aggregator.status'; aggregatorId: number; online: boolean; lastHeardAt: number | null }
/** Aggregators were added, edited or deleted (the console reloads its list). */
export interface AggregatorsChangedEvent { type: 'aggregators.changed'; aggregatorId: number | null }
/** A card's online state changed (legacy status code, device-link.md §5.2; position ONLINE/HOLD). */
export interface CardStatusEvent {
  type: 'card.status'; cardId: number; aggregatorId: number; place: string; number: string | null;
  position: 'ONLINE' | 'HOLD'; channel: number | null; statusCode: number | null;
}
/** A complete SMS was committed to the inbox. */
export interface SmsReceivedEvent {
  type: 'sms.received'; smsId: number; cardId: number; aggregatorId: number; place: string; number: string | null;
  sender: string; text: string; receivedAt: number;
}
/** An incoming call was logged. */
export interface CallIncomingEvent { type: 'call.incoming'; callId: number; cardId: number; aggregatorId: number; place: string; number: string | null; caller: string; at: number }
/** A task was created, progressed, changed state or finished. */
export interface TaskProgressEvent {
  type: 'task.progress'; taskId: number; aggregatorId: number; kind: string;
  status: 'queued' | 'running' | 'suspended' | 'done' | 'cancelled' | 'error';
  total: number; progress: number; success: number; errors: number;
}
/** Pool membership, USED marks or keys changed. */
export interface PoolChangedEvent { type: 'pool.changed'; poolId: number | null }
/** Cards were added, edited, imported or deleted. */
export interface CardsChangedEvent { type: 'cards.changed'; aggregatorId: number | null }
/** A USSD reply arrived for a card (text decoded). */
export interface UssdReplyEvent { type: 'ussd.reply'; cardId: number; aggregatorId: number; requestId: number | null; text: string; final: boolean }
/** A line answered by an aggregator to a terminal command (admin-only on the stream). */
export interface TerminalAnswerEvent { type: 'terminal.answer'; aggregatorId: number; step: number; text: string }

export type PanelEventBody =
  | AggregatorStatusEvent | AggregatorsChangedEvent | CardStatusEvent | SmsReceivedEvent | CallIncomingEvent
  | TaskProgressEvent | PoolChangedEvent | CardsChangedEvent | UssdReplyEvent | TerminalAnswerEvent;

export type PanelEventType = PanelEventBody['type'];

/** Event types only admins receive on the stream (terminal traffic may show raw device data). */
export const ADMIN_ONLY_EVENTS: ReadonlySet<PanelEventType> = new Set(['terminal.answer']);

export type Stamped<E extends PanelEventBody = PanelEventBody> = E & { seq: number; at: number; origin: string };

export type Listener = (e: Stamped) => void;

export interface EventBus {
  /** This node's id, stamped as `origin` on events published here. */
  readonly nodeId: string;
  /**
   * Names this bus instance (random per process): `seq` only means something to the bus that
   * stamped it, so a reader holding another epoch's seq (another node behind the balancer, or
   * this node before a restart) must resync instead of replaying from it.
   */
  readonly epoch: string;
  publish(event: PanelEventBody): Stamped;
  inject(event: Stamped): Stamped;
  /** Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void;
  /** Events after `seq` still held in history (oldest first); null when `seq` is older than the history or was never reached. */
  since(seq: number): Stamped[] | null;
  /** The seq of the last event (0 before the first). */
  readonly lastSeq: number;
  readonly subscribers: number;
}

export interface EventBusOptions {
  clock: Clock;
  nodeId?: string;
  /** Events kept for replay (default 500). */
  historySize?: number;
  /** Where a throwing subscriber is reported (default: ignored). */
  onError?: (err: unknown, e: Stamped) => void;
}

export function createEventBus(o: EventBusOptions): EventBus {
  const listeners = new Set<Listener>();
  const history: Stamped[] = [];
  const max = Math.max(0, o.historySize ?? 500);
  const nodeId = o.nodeId ?? 'local';
  let seq = 0;

  function deliver(e: Stamped): Stamped {
    if (max > 0) {
      history.push(e);
      if (history.length > max) history.shift();
    }
    for (const l of [...listeners]) {
      try { l(e); } catch (err) { o.onError?.(err, e); }
    }
    return e;
  }

  return {
    nodeId,
    epoch: randomBytes(6).toString('base64url'),
    publish(event) {
      return deliver(Object.freeze({ ...event, seq: ++seq, at: o.clock.now(), origin: nodeId }) as Stamped);
    },
    inject(event) {
      return deliver(Object.freeze({ ...event, seq: ++seq }));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    since(after) {
      if (after > seq) return null;
      if (after === seq) return [];
      const first = history[0];
      if (!first || first.seq > after + 1) return null;
      return history.filter((e) => e.seq > after);
    },
    get lastSeq() { return seq; },
    get subscribers() { return listeners.size; },
  };
}
