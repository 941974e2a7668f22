/**
 * The live event stream (`GET /api/v1/events`, server-sent events): one EventSource per page,
 * listeners by event type. EventSource reconnects by itself and sends Last-Event-ID, so missed
 * events are replayed; on `resync` (gap too old) every listener of `resync` reloads its data.
 */
export interface LiveEvent { type: string; seq?: number; at?: number; [k: string]: unknown }

type Listener = (e: LiveEvent) => void;

const listeners = new Map<string, Set<Listener>>();
const stateListeners = new Set<(up: boolean) => void>();
let source: EventSource | null = null;
let up = false;

function emit(e: LiveEvent): void {
  for (const type of [e.type, '*']) for (const l of listeners.get(type) ?? []) {
    try { l(e); } catch (err) { console.error('live listener failed', err); }
  }
}

function setUp(v: boolean): void {
  if (v === up) return;
  up = v;
  for (const l of stateListeners) l(v);
}

export function connectLive(): void {
  if (source) return;
  source = new EventSource('/api/v1/events');
  source.onmessage = (m) => {
    let e: LiveEvent;
    try { e = JSON.parse(String(m.data)) as LiveEvent; } catch { return; }
    if (typeof e?.type !== 'string') return;
    if (e.type === 'hello') setUp(true);
    emit(e);
  };
  source.onerror = () => setUp(false);
}

export function disconnectLive(): void {
  source?.close();
  source = null;
  setUp(false);
}

/** Subscribes to one event type (`*` for all); returns the unsubscribe function. */
export function on(type: string, fn: Listener): () => void {
  let s = listeners.get(type);
  if (!s) { s = new Set(); listeners.set(type, s); }
  s.add(fn);
  return () => { s.delete(fn); };
}

export function onLiveState(fn: (up: boolean) => void): () => void {
  stateListeners.add(fn);
  fn(up);
  return () => { stateListeners.delete(fn); };
}

/** Calls `fn` at most once per `ms` (trailing), for reloads triggered by bursts of events. */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}
