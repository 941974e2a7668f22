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
  const once = (url: URL, signal: AbortSignal | undefined): Promise<LinkResponse & { retry?: boolean }> =>
    new Promise((resolve) => {
      const req = request(url, { method: 'GET', agent, timeout: timeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => resolve({ ok: false, error: e.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed meanwhile: the request never reached it, try a new one.
        resolve({ ok: false, error: e.message, retry: req.reusedSocket && e.code === 'ECONNRESET' });
      });
      req.end();
    });
  return {
    async poll(linkUrl, q, signal) {
      let url: URL;
      try {
        url = new URL(linkUrl);
        url.search = linkQueryString(q);
      } catch (e) {
        return { ok: false, error: `cannot build the link URL: ${(e as Error).message}` };
      }
      const first = await once(url, signal);
      if (first.ok || !first.retry) return first.ok ? first : { ok: false, error: first.error };
      const second = await once(url, signal);
      return second.ok ? second : { ok: false, error: second.error };
    },
    close() { agent.destroy(); },
  };
}
