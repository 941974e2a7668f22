/**
 * Server mode (device-link.md §2.5): the panel calls the device at
 * `http://<ip>/port?data=<token_local>||<step>||<command>` and reads `<step>#!#<result>` back;
 * `||0||REQUEST` asks for results. This client turns that into the same polls the link endpoint
 * feeds the channel with, so drivers and sessions do not know the difference: each answer of the
 * device is handed to the channel as a poll, and whatever the channel releases is sent next.
 *
 * Rules this file owns:
 * - one request at a time per device (a single loop; the next request waits for the answer);
 * - only a request the device answered counts as a poll: an unreachable device neither hands
 *   commands out of the channel (queued ones expire there unsent, as with a silent polling
 *   device) nor refreshes liveness;
 * - a command already handed out is sent again until the device answers, within
 *   `retryHeldMs`: the firmware never executes the same step twice in a row, so a repeat is
 *   harmless; past that it is dropped and its waiter times out as "released, not answered";
 * - failures back off exponentially (interval × 2ⁿ, at most `backoffMaxMs`); one log line when
 *   the device stops answering and one when it answers again;
 * - timeouts run on the injected clock; `stop()` aborts the request in flight.
 */
import { Agent, request } from 'node:http';
import type { Clock } from '../../lib/clock.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { RuntimeLog } from './link-hub.ts';
import { parseClassicBody } from '../../codec/index.ts';

export type ServerResponse = { ok: true; status: number; body: string } | { ok: false; error: string };

/** One GET to the device; resolves (never rejects) when answered, failed or aborted. */
export type ServerTransport = (url: string, signal: AbortSignal) => Promise<ServerResponse>;

export interface ServerModeOptions {
  readonly channel: DeviceChannel;
  readonly clock: Clock;
  readonly log: RuntimeLog;
  /** For log lines. */
  readonly aggregatorId?: number;
  /** host[:port] of the device. */
  readonly ip: string;
  /** The device's local token (≤ 5 characters). */
  readonly token: string;
  /** Pause between idle rounds, ms (default 1000). */
  readonly intervalMs?: number;
  /** Per-request timeout, ms (default 10 000, as the legacy cURL call). */
  readonly timeoutMs?: number;
  /** Longest pause between attempts while the device does not answer, ms (default 30 000). */
  readonly backoffMaxMs?: number;
  /** How long a command handed out by the channel is retried against a silent device, ms (default 30 000). */
  readonly retryHeldMs?: number;
  /** Liveness: called when the device answers, at most every `heardEveryMs` (default 5000) and on recovery. */
  readonly onHeard?: (at: number) => void;
  readonly heardEveryMs?: number;
  /** Transport; default node:http with one kept-alive connection (see `httpServerTransport`). */
  readonly transport?: ServerTransport;
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

/** host[:port] as the admin API stores it (`SERVER_IP`), or a bracketed IPv6 literal. */
const HOST_PORT = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** A local token: the admin API allows 1–5 letters or digits; a legacy import may bring a little more, never the `||` separator. */
const LOCAL_TOKEN = /^[^\s|]{1,32}$/;

/** The request URL: the token as is (legacy: not encoded; ours are letters and digits), the rest encoded. */
export function serverUrl(ip: string, token: string, step: number, command: string): string {
  return `http://${ip}/port?data=${encodeURIComponent(token)}${encodeURIComponent(`||${step}||${command}`)}`;
}

/** Requests sent back to back (commands flowing, results queued) before one idle pause. */
const MAX_BURST = 32;

/** Largest reply read from a device (a full SIM listed by `modem>sms:4` stays far below). */
const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * GET over node:http with a kept-alive agent of one socket (so one connection per device). A
 * kept-alive socket the device closed meanwhile fails at once (ECONNRESET on reuse): that request
 * never reached the device, so it is tried once more on a fresh connection.
 */
export function httpServerTransport(): ServerTransport & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = (url: string, signal: AbortSignal): Promise<ServerResponse & { retry?: boolean }> => new Promise((resolve) => {
    let req: ReturnType<typeof request>;
    try {
      req = request(url, { method: 'GET', agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_REPLY_BYTES) { req.destroy(new Error(`reply larger than ${MAX_REPLY_BYTES} bytes`)); return; }
          chunks.push(c);
        });
        res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => resolve({ ok: false, error: e.message }));
        res.on('aborted', () => resolve({ ok: false, error: 'connection closed mid-reply' }));
      });
    } catch (e) {
      resolve({ ok: false, error: (e as Error).message });
      return;
    }
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.message, retry: req.reusedSocket && e.code === 'ECONNRESET' && !signal.aborted }));
    req.end();
  });
  const get = async (url: string, signal: AbortSignal): Promise<ServerResponse> => {
    const first = await once(url, signal);
    const r = first.ok || !first.retry ? first : await once(url, signal);
    return r.ok ? r : { ok: false, error: r.error };
  };
  return Object.assign(get, { close: () => agent.destroy() });
}

export interface ServerModeStats {
  requests: number;
  answered: number;
  failures: number;
  /** Failures since the last answer (0 = reachable). */
  failingFor: number;
  /** Commands handed out by the channel and sent to the device. */
  commandsSent: number;
  /** Commands dropped after `retryHeldMs` without an answer from the device. */
  commandsDropped: number;
  lastHeardAt: number | null;
  lastError: string | null;
}

export class ServerModeClient {
  /** Requests to devices in flight in this process, every client together (tests wait for them between clock steps). */
  static requestsInFlight = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly transport: ServerTransport & { close?(): void };
  private heardNotedAt = -Infinity;
  private outageSince: number | null = null;
  readonly stats: ServerModeStats = { requests: 0, answered: 0, failures: 0, failingFor: 0, commandsSent: 0, commandsDropped: 0, lastHeardAt: null, lastError: null };

  constructor(private readonly o: ServerModeOptions) {
    this.transport = o.transport ?? httpServerTransport();
  }

  /** Starts the loop (once); a missing or malformed address or token is logged and nothing runs. */
  start(): void {
    if (this.loop || this.abort.signal.aborted) return;
    if (!HOST_PORT.test(this.o.ip) || !LOCAL_TOKEN.test(this.o.token)) {
      this.stats.lastError = 'bad device address or token';
      this.o.log.error({ aggregator: this.o.aggregatorId, ip: this.o.ip.slice(0, 80) }, 'server mode: the device address (host[:port]) or local token is missing or malformed; not calling it');
      return;
    }
    this.loop = this.run().catch((err: unknown) => this.o.log.error({ err, aggregator: this.o.aggregatorId }, 'server-mode client stopped'));
  }

  /** Stops calling the device (the request in flight is aborted); resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.transport.close?.();
  }

  private async run(): Promise<void> {
    const { clock, channel } = this.o;
    const signal = this.abort.signal;
    const interval = this.o.intervalMs ?? 1000;
    const retryHeldMs = this.o.retryHeldMs ?? 30_000;
    /** A command the channel handed out that the device has not acknowledged by answering yet. */
    let held: { step: number; command: string; since: number } | null = null;
    /** Requests sent back to back; a device that always has something to say still gets the pause now and then. */
    let burst = 0;
    while (!signal.aborted) {
      const res = await this.call(held ? serverUrl(this.o.ip, this.o.token, held.step, held.command) : serverUrl(this.o.ip, this.o.token, 0, 'REQUEST'));
      if (signal.aborted) break;
      if (!res.ok) {
        if (held && clock.now() - held.since >= retryHeldMs) {
          this.stats.commandsDropped++;
          this.o.log.warn({ aggregator: this.o.aggregatorId, step: held.step }, 'server mode: the device did not take a command in time; dropped');
          held = null;
        }
        await clock.sleep(this.backoff(interval), signal).catch(() => undefined);
        continue;
      }
      held = null; // answered: the command of this request (if any) reached the device
      const reply = parseServerReply(res.body);
      const out = channel.handlePoll(reply);
      const frame = parseClassicBody(out.body);
      if (frame.ok && frame.value.kind === 'command') {
        held = { step: frame.value.step, command: frame.value.command, since: clock.now() };
        this.stats.commandsSent++;
      }
      // A command to send, or a device that may have more to say: go again at once, within MAX_BURST.
      if ((held || reply.data !== 'REQUEST') && ++burst < MAX_BURST) continue;
      burst = 0;
      await clock.sleep(interval, signal).catch(() => undefined);
    }
  }

  /** One request with the clock's timeout; updates liveness and the outage log. */
  private async call(url: string): Promise<{ ok: true; body: string } | { ok: false }> {
    const { clock, log } = this.o;
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    const ac = new AbortController();
    const timer = clock.setTimeout(() => ac.abort(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    const onStop = (): void => ac.abort(new Error('stopped'));
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    this.stats.requests++;
    ServerModeClient.requestsInFlight++;
    let res: ServerResponse;
    try {
      res = await this.transport(url, ac.signal);
    } catch (e) {
      res = { ok: false, error: e instanceof Error ? e.message : String(e) };
    } finally {
      ServerModeClient.requestsInFlight--;
      clock.clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onStop);
    }
    if (!res.ok && ac.signal.aborted && !this.abort.signal.aborted) res = { ok: false, error: `no answer in ${timeoutMs} ms` };
    if (res.ok && res.status !== 200) res = { ok: false, error: res.status === 403 ? 'the device refused the token (HTTP 403)' : `HTTP ${res.status}` };
    const now = clock.now();
    if (!res.ok) {
      if (this.abort.signal.aborted) return { ok: false };
      this.stats.failures++;
      this.stats.failingFor++;
      this.stats.lastError = res.error;
      if (this.outageSince === null) {
        this.outageSince = now;
        log.warn({ aggregator: this.o.aggregatorId, ip: this.o.ip, error: res.error }, 'server mode: the device does not answer; retrying with back-off');
      }
      return { ok: false };
    }
    this.stats.answered++;
    this.stats.failingFor = 0;
    this.stats.lastHeardAt = now;
    const recovered = this.outageSince !== null;
    if (recovered) {
      log.info({ aggregator: this.o.aggregatorId, ip: this.o.ip, downMs: now - this.outageSince! }, 'server mode: the device answers again');
      this.outageSince = null;
    }
    if (this.o.onHeard && (recovered || now - this.heardNotedAt >= (this.o.heardEveryMs ?? 5000))) {
      this.heardNotedAt = now;
      this.o.onHeard(now);
    }
    return { ok: true, body: res.body };
  }

  /** Pause before the next attempt after `failingFor` failures in a row. */
  private backoff(interval: number): number {
    const max = this.o.backoffMaxMs ?? 30_000;
    return Math.min(max, interval * 2 ** Math.min(16, this.stats.failingFor - 1));
  }
}
