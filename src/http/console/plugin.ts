/**
 * Serves the web console (issue #6) at `/`: the built bundle in dist/web (scripts/build-web.mjs),
 * built on first start when missing. Every answer carries a strict Content-Security-Policy — no
 * inline script or style, nothing from another origin (panel-features.md §4.1 items 2 and 10: the
 * legacy panel loaded jQuery from a CDN and echoed remote HTML) — and refuses to be framed.
 *
 *     await app.register(consolePlugin, { log });      // in buildApp, no prefix
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "media-src 'self' data:", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
].join('; ');

/** Security headers of every console answer. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
  '/favicon.svg': 'favicon.svg',
};

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml',
};

export interface ConsoleOptions {
  /** Directory of the built console (default dist/web). */
  dir?: string;
  /** Build when the directory has no app.js (default true). */
  buildIfMissing?: boolean;
}

interface Asset { body: Buffer; type: string; etag: string; mtimeMs: number }

export async function consolePlugin(app: FastifyInstance, o: ConsoleOptions): Promise<void> {
  const dir = o.dir ?? join(ROOT, 'dist', 'web');
  if (o.buildIfMissing !== false && !existsSync(join(dir, 'app.js'))) {
    const { buildWeb } = await import('../../../scripts/build-web.mjs');
    await buildWeb(dir);
  }
  const cache = new Map<string, Asset>();
  /** Reads a file, re-reading when it changed on disk (a rebuild while the server runs). */
  function load(name: string): Asset | null {
    const path = join(dir, name);
    let mtimeMs: number;
    try { mtimeMs = statSync(path).mtimeMs; } catch { return null; }
    const hit = cache.get(name);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const body = readFileSync(path);
    const a: Asset = { body, type: TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`, mtimeMs };
    cache.set(name, a);
    return a;
  }

  async function serve(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const name = FILES[req.routeOptions.url ?? '/'];
    const a = name ? load(name) : null;
    reply.headers(CONSOLE_HEADERS);
    if (!a) return reply.code(503).type('text/plain; charset=utf-8').send('The web console is not built: run `node scripts/build-web.mjs`.');
    reply.header('etag', a.etag).header('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.type).send(a.body);
  }

  for (const url of Object.keys(FILES)) app.get(url, serve);
}
