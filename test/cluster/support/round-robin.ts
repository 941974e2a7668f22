/**
 * A tiny HTTP load balancer for the cluster tests and bench: each request goes to the next backend
 * in turn; a backend that refuses the connection is skipped for a second and the request is tried
 * on the next one (what any real balancer's passive health check does — the request never reached
 * a server, so retrying it is safe). A request cut off mid-way is NOT retried: the client sees the
 * failure, as it would behind a real balancer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  readonly url: string;
  readonly counts: Map<string, number>;
  close(): Promise<void>;
}

export async function startRoundRobin(backends: readonly string[]): Promise<RoundRobin> {
  let next = 0;
  const downUntil = new Map<string, number>();
  const counts = new Map<string, number>(backends.map((b) => [b, 0]));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  function attempt(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, tries: number): void {
    const now = Date.now();
    let backend = '';
    for (let i = 0; i < backends.length; i++) {
      const b = backends[next++ % backends.length]!;
      if ((downUntil.get(b) ?? 0) <= now || i === backends.length - 1) { backend = b; break; }
    }
    const u = new URL(req.url ?? '/', backend);
    const out = http.request(u, { method: req.method, headers: { ...req.headers, host: u.host }, agent }, (r) => {
      counts.set(backend, (counts.get(backend) ?? 0) + 1);
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' && tries < backends.length) {
        downUntil.set(backend, Date.now() + 1000);
        attempt(req, body, res, tries + 1);
        return;
      }
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('');
    });
    out.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => attempt(req, Buffer.concat(chunks), res, 1));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}
