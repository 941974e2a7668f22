/**
 * Carries the event bus across nodes (src/domain/events/README.md "Across nodes"): events published
 * on this node (`origin === bus.nodeId`) go out as `NOTIFY simnav_events, '<json>'`; notifications
 * from other origins are `inject`ed, keeping their origin and time, so a console page on any node
 * sees what happened on every node. An event too large for a NOTIFY payload has its text cut (the
 * page reloads the full record by id). Never throws into a publisher.
 */
import type { EventBus, Stamped } from '../domain/events/bus.ts';
import { MAX_PAYLOAD_BYTES } from './pg-channel.ts';

export interface EventRelayOptions {
  readonly bus: EventBus;
  /** Sends one payload on the events channel (./pg-channel.ts `notify`). */
  readonly send: (payload: string) => Promise<void>;
  readonly onError?: (err: unknown) => void;
}

/** JSON of an event that fits a NOTIFY payload (long `text` fields are cut), or null if it cannot. */
export function encodeEvent(e: Stamped): string | null {
  let json = JSON.stringify(e);
  if (Buffer.byteLength(json) <= MAX_PAYLOAD_BYTES) return json;
  if ('text' in e && typeof e.text === 'string') {
    let text = e.text;
    while (text.length > 0) {
      text = text.slice(0, Math.floor(text.length / 2));
      json = JSON.stringify({ ...e, text: `${text}…` });
      if (Buffer.byteLength(json) <= MAX_PAYLOAD_BYTES) return json;
    }
  }
  return null;
}

/** A received payload as an event from another node, or null (malformed, or our own echo). */
export function decodeEvent(payload: string, ownNodeId: string): Stamped | null {
  let v: unknown;
  try { v = JSON.parse(payload); } catch { return null; }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o['type'] !== 'string' || typeof o['origin'] !== 'string' || typeof o['at'] !== 'number') return null;
  if (o['origin'] === ownNodeId) return null;
  return o as unknown as Stamped;
}

export interface EventRelay {
  /** Feed a notification received on the events channel. */
  receive(payload: string): void;
  stop(): void;
  readonly counters: { sent: number; received: number; dropped: number };
}

export function startEventRelay(o: EventRelayOptions): EventRelay {
  const counters = { sent: 0, received: 0, dropped: 0 };
  // Sends keep publish order: one chain, never blocking the publisher.
  let chain: Promise<void> = Promise.resolve();
  const unsubscribe = o.bus.subscribe((e) => {
    if (e.origin !== o.bus.nodeId) return;
    const payload = encodeEvent(e);
    if (payload === null) { counters.dropped++; return; }
    chain = chain.then(() => o.send(payload)).then(() => { counters.sent++; }, (err: unknown) => { counters.dropped++; o.onError?.(err); });
  });
  return {
    counters,
    receive(payload) {
      const e = decodeEvent(payload, o.bus.nodeId);
      if (!e) return;
      counters.received++;
      o.bus.inject(e);
    },
    stop() { unsubscribe(); },
  };
}
