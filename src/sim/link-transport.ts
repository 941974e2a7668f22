/**
 * The device side of the HTTP link: a plain GET of `link.php?token=…&step=…&data=…` (classic) or
 * without `step` (SMART), like the firmware does (device-link.md §2.1, §2.6). One keep-alive agent
 * is shared by all devices of a process so a thousand devices cost a handful of sockets.
 */
import { Agent, request } from 'node:http';
import { buildClassicQuery, buildSmartQuery } from '../codec/index.ts';

export interface LinkQuery {
  readonly token: string;
  /** Absent for SMART firmware. */
  readonly step?: number;
  readonly data: string;
}

export type LinkResponse = { ok: true; status: number; body: string } | { ok: false; error: string };

export interface LinkTransport {
  poll(linkUrl: string, q: LinkQuery, signal?: AbortSignal): Promise<LinkResponse>;
}

/** The query string exactly as the firmware builds it (token, then step, then data). */
export function linkQueryString(q: LinkQuery): string {
  return q.step === undefined ? buildSmartQuery(q.token, q.data) : buildClassicQuery(q.token, q.step, q.data);
}

export function httpTransport(opts: { maxSockets?: number; timeoutMs?: number } = {}): LinkTransport & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return {
    poll(linkUrl, q, signal) {
      return new Promise<LinkResponse>((resolve) => {
        let url: URL;
        try {
          url = new URL(linkUrl);
        } catch {
          resolve({ ok: false, error: `bad link URL ${linkUrl}` });
          return;
        }
        try {
          url.search = linkQueryString(q);
        } catch (e) {
          resolve({ ok: false, error: `cannot encode query: ${(e as Error).message}` });
          return;
        }
        const req = request(url, { method: 'GET', agent, timeout: timeoutMs, signal }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => resolve({ ok: false, error: e.message }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => resolve({ ok: false, error: e.message }));
        req.end();
      });
    },
    close() { agent.destroy(); },
  };
}
