import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { createTestStore, type TestStore } from '../../store/testing.ts';

describe('console / static assets at / with a strict CSP', () => {
  let store: TestStore;
  let app: FastifyInstance;
  before(async () => {
    store = await createTestStore('sqlite');
    app = await buildApp({ store, logLevel: false });
    await app.ready();
  });
  after(async () => { await app.close(); await store.close(); });

  test('GET / → the shell with CSP default-src self, no inline script or style', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/html/);
    const csp = r.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.doesNotMatch(r.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    assert.doesNotMatch(r.body, /https?:\/\//, 'nothing loaded from another origin (works offline)');
  });

  test('GET /app.js and /app.css → the bundle, revalidated by ETag', async () => {
    const js = await app.inject({ method: 'GET', url: '/app.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    const again = await app.inject({ method: 'GET', url: '/app.js', headers: { 'if-none-match': js.headers.etag as string } });
    assert.equal(again.statusCode, 304);
    const css = await app.inject({ method: 'GET', url: '/app.css' });
    assert.equal(css.statusCode, 200);
    assert.match(css.headers['content-type'] as string, /^text\/css/);
  });

  test('the bundle never assigns innerHTML/outerHTML nor calls document.write or eval', () => {
    for (const f of ['app.js']) {
      const src = readFileSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'web', f), 'utf8');
      assert.doesNotMatch(src, /\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
    }
  });

  test('the admin API and the event stream still need a session', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/events' });
    assert.equal(r.statusCode, 401);
    const l = await app.inject({ method: 'GET', url: '/api/v1/aggregators/1/layout' });
    assert.equal(l.statusCode, 401);
  });
});
