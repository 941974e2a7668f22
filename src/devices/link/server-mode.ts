/**
 * Server mode (device-link.md §2.5): the panel calls the device at
 * `http://<ip>/port?data=<token_local>||<step>||<command>` and reads `<step>#!#<result>` back;
 * `||0||REQUEST` polls for results. This small client turns that into the same polls the link
 * endpoint feeds the channel with, so drivers and sessions do not know the difference: each round
 * hands the device's last reply to the channel and sends whatever the channel releases.
 */
import type { Clock } from '../../lib/clock.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { RuntimeLog } from './link-hub.ts';
import { parseClassicBody } from '../../codec/index.ts';

export interface ServerModeOptions {
  readonly channel: DeviceChannel;
  readonly clock: Clock;
  readonly log: RuntimeLog;
  /** host[:port] of the device. */
  readonly ip: string;
  /** The device's local token (≤ 5 characters). */
  readonly token: string;
  /** Pause between rounds, ms (default 1000). */
  readonly intervalMs?: number;
  /** Per-request timeout, ms (default 10 000, as the legacy cURL call). */
  readonly timeoutMs?: number;
  /** Transport (tests); default global fetch. */
  readonly fetch?: (url: string, signal: AbortSignal) => Promise<string>;
}

/** Parses a device reply `<step>#!#<result>`; anything else is treated as no data. */
export function parseServerReply(body: string): { step: number; data: string } {
  const i = body.indexOf('#!#');
  if (i < 0) return { step: 0, data: 'REQUEST' };
  const step = body.slice(0, i).trim();
  const data = body.slice(i + 3);
  if (!/^\d{1,10}$/.test(step) || data === '') return { step: 0, data: 'REQUEST' };
  return { step: Number(step), data };
}

export class ServerModeClient {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly o: ServerModeOptions) {}

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => this.o.log.error({ err }, 'server-mode client stopped'));
  }

  stop(): void {
    this.abort.abort();
  }

  private url(step: number, command: string): string {
    return `http://${this.o.ip}/port?data=${this.o.token}${encodeURIComponent(`||${step}||${command}`)}`;
  }

  private async get(url: string): Promise<string | null> {
    const t = new AbortController();
    const timer = setTimeout(() => t.abort(), this.o.timeoutMs ?? 10_000);
    const onStop = (): void => t.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    try {
      if (this.o.fetch) return await this.o.fetch(url, t.signal);
      const r = await fetch(url, { signal: t.signal });
      return r.ok ? await r.text() : null;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onStop);
    }
  }

  private async run(): Promise<void> {
    let reply = { step: 0, data: 'REQUEST' };
    while (!this.abort.signal.aborted) {
      const out = this.o.channel.handlePoll(reply);
      const frame = parseClassicBody(out.body);
      const cmd = frame.ok && frame.value.kind === 'command' ? frame.value : null;
      const body = await this.get(cmd ? this.url(cmd.step, cmd.command) : this.url(0, 'REQUEST'));
      reply = body === null ? { step: 0, data: 'REQUEST' } : parseServerReply(body);
      if (!cmd && reply.data === 'REQUEST') await this.o.clock.sleep(this.o.intervalMs ?? 1000, this.abort.signal).catch(() => undefined);
    }
  }
}
