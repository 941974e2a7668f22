/**
 * PostgreSQL LISTEN/NOTIFY for the cluster (ARCHITECTURE.md "Running": no extra broker).
 * `notify` goes through the store's pool (`pg_notify`, bound parameters); `PgListener` holds one
 * dedicated connection that LISTENs on the given channels and reconnects (with back-off, through
 * the injected clock) when the connection drops. A notification missed while reconnecting is not
 * replayed: every user of it has a slower store-based fallback (sessions re-read desired state,
 * the console resyncs), so NOTIFY only makes things prompt, never correct.
 */
import pg from 'pg';
import { sql } from 'kysely';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/open-store.ts';

/** NOTIFY payloads must stay under PostgreSQL's 8000 bytes. */
export const MAX_PAYLOAD_BYTES = 7900;

/** Channel names (fixed identifiers, never built from input). */
export const CHANNELS = { events: 'simnav_events', wake: 'simnav_wake', pools: 'simnav_pools' } as const;
export type ChannelName = (typeof CHANNELS)[keyof typeof CHANNELS];

export async function notify(store: Store, channel: ChannelName, payload: string): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(store.db);
}

export interface PgListenerOptions {
  readonly url: string;
  readonly channels: readonly ChannelName[];
  readonly clock: Clock;
  readonly onNotification: (channel: string, payload: string) => void;
  readonly onError?: (err: unknown) => void;
  /** Called after every (re)connection once LISTEN is in place. */
  readonly onListening?: () => void;
}

export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = 200;
  private timer: ReturnType<Clock['setTimeout']> | null = null;

  constructor(private readonly o: PgListenerOptions) {}

  /** Connects and listens; resolves once listening (or rejects on the first failure). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.o.url });
    c.on('notification', (m) => {
      try { this.o.onNotification(m.channel, m.payload ?? ''); } catch (err) { this.o.onError?.(err); }
    });
    c.on('error', (err) => { this.o.onError?.(err); this.lost(c); });
    c.on('end', () => this.lost(c));
    await c.connect();
    for (const ch of this.o.channels) await c.query(`LISTEN ${ch}`);
    if (this.stopped) { await c.end().catch(() => undefined); return; }
    this.client = c;
    this.retryMs = 200;
    this.o.onListening?.();
  }

  private lost(c: pg.Client): void {
    if (this.client !== c || this.stopped) return;
    this.client = null;
    c.end().catch(() => undefined);
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.connect().catch((err: unknown) => { this.o.onError?.(err); this.retryMs = Math.min(this.retryMs * 2, 10_000); this.retry(); });
    }, this.retryMs);
  }
}
