/**
 * Server mode on the device side (device-link.md §2.5): the HTTP server a SIM Roulette box runs
 * on its LAN address when the panel calls it instead of being polled —
 * `GET /port?data=<token_local>||<step>||<command>` (everything after the token URL-encoded),
 * answered `<step>#!#<result>` with whatever the device has to say, `0#!#REQUEST` when nothing.
 * One listener per device, as each box has its own address. What the firmware does with a
 * request is `SimDevice.serve`; this file is only the HTTP framing and the token check.
 *
 * Answers the spec leaves open, chosen here [inf]: a wrong token gets `403` and an empty body, a
 * malformed request `400`, any other path `404`; a silent device leaves the request unanswered
 * (the panel's timeout decides) and drops the connection when the silence ends; a rebooting
 * device resets the connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, TimerHandle } from '../lib/clock.ts';
import type { SimDevice } from './device.ts';

/** The panel's request, split. */
export type PortRequest =
  | { readonly ok: true; readonly token: string; readonly step: number; readonly command: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

/** Longest `data` accepted (a chain seating 8 modems is ~300 characters; an SMS send a few hundred). */
const MAX_DATA = 16_000;

/**
 * Parses a request URL (`/port?data=…`). `data` is decoded like a form value (the legacy panel
 * used PHP `urlencode`, `+` for a space); the token is the text before the first `||`, the step
 * the digits before the second, the command everything after it (it may contain `||` itself).
 */
export function parsePortRequest(rawUrl: string): PortRequest {
  let url: URL;
  try { url = new URL(rawUrl, 'http://device.invalid'); } catch { return { ok: false, status: 400, reason: 'bad URL' }; }
  if (url.pathname !== '/port') return { ok: false, status: 404, reason: `no ${url.pathname.slice(0, 40)} here` };
  const data = url.searchParams.get('data');
  if (data === null || data.length > MAX_DATA) return { ok: false, status: 400, reason: 'data missing or too long' };
  const a = data.indexOf('||');
  const b = a < 0 ? -1 : data.indexOf('||', a + 2);
  if (b < 0) return { ok: false, status: 400, reason: 'data is not <token>||<step>||<command>' };
  const stepText = data.slice(a + 2, b);
  const command = data.slice(b + 2);
  if (!/^\d{1,10}$/.test(stepText) || command === '') return { ok: false, status: 400, reason: 'bad step or empty command' };
  return { ok: true, token: data.slice(0, a), step: Number(stepText), command };
}

export interface DeviceServerOptions {
  readonly device: SimDevice;
  /** The device's local token (`token_local`, ≤ 5 characters). */
  readonly token: string;
  readonly clock: Clock;
}

export class DeviceServer {
  private readonly http: Server;
  private readonly parked = new Map<ServerResponse, TimerHandle>();
  private addr: string | null = null;
  /** Requests answered, refused for their token, and malformed. */
  readonly counters = { served: 0, forbidden: 0, malformed: 0 };

  constructor(private readonly o: DeviceServerOptions) {
    this.http = createServer((req, res) => this.handle(req, res));
    this.http.keepAliveTimeout = 30_000;
  }

  /** `host:port` once listening. */
  get address(): string | null { return this.addr; }

  /** Requests held unanswered by a silent device right now (tests wait for the others to finish). */
  get parkedRequests(): number { return this.parked.size; }

  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => { this.http.off('error', reject); resolve(); });
    });
    const a = this.http.address() as AddressInfo;
    this.addr = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    return this.addr;
  }

  async close(): Promise<void> {
    for (const [res, t] of this.parked) { this.o.clock.clearTimeout(t); res.destroy(); }
    this.parked.clear();
    if (!this.http.listening) return;
    await new Promise<void>((resolve) => { this.http.close(() => resolve()); this.http.closeAllConnections(); });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const r = req.method === 'GET' ? parsePortRequest(req.url ?? '') : { ok: false as const, status: 404 as const, reason: 'GET only' };
    if (!r.ok) { this.counters.malformed++; res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8' }).end(); return; }
    if (r.token !== this.o.token) { this.counters.forbidden++; res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(); return; }
    const out = this.o.device.serve(r.step, r.command);
    if (out.kind === 'down') { res.destroy(); return; }
    if (out.kind === 'unreachable') {
      const t = this.o.clock.setTimeout(() => { this.parked.delete(res); res.destroy(); }, out.ms);
      this.parked.set(res, t);
      res.once('close', () => { const h = this.parked.get(res); if (h) { this.o.clock.clearTimeout(h); this.parked.delete(res); } });
      return;
    }
    this.counters.served++;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(out.body);
  }
}
