import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { realClock } from '../../lib/clock.ts';
import { createTestStore, type TestStore } from '../../store/testing.ts';
import { createUser } from '../../domain/users/users.ts';
import { createSession } from '../../domain/auth/sessions.ts';
import { createEventBus, type EventBus } from '../../domain/events/bus.ts';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { eventsPlugin } from './plugin.ts';

/** Reads SSE `data:` messages from a streaming fetch until `count` arrived. */
async function openStream(base: string, cookie: string | null, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v1/events`, { headers: { ...(cookie ? { cookie } : {}), ...headers }, signal: ac.signal });
  const messages: Array<Record<string, unknown>> = [];
  let buf = '';
  const waker: { fn: (() => void) | null } = { fn: null };
  const pump = (async () => {
    if (!res.body) return;
    const dec = new TextDecoder();
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) messages.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
          const w = waker.fn;
          waker.fn = null;
          w?.();
        }
      }
    } catch { /* aborted */ }
  })();
  return {
    res,
    messages,
    async until(pred: (m: Array<Record<string, unknown>>) => boolean): Promise<void> {
      while (!pred(messages)) await new Promise<void>((r) => { waker.fn = r; });
    },
    async close() { ac.abort(); await pump; },
  };
}

describe('events / GET /api/v1/events over real HTTP', () => {
  let store: TestStore;
  let app: FastifyInstance;
  let bus: EventBus;
  let base = '';
  const cookies: Record<string, string> = {};

  before(async () => {
    store = await createTestStore('sqlite');
    const ctx: AdminCtx = { db: store.db, clock: realClock() };
    bus = createEventBus({ clock: ctx.clock });
    for (const role of ['admin', 'viewer'] as const) {
      const u = await createUser(ctx, { login: role, role, password: 'correct horse battery' });
      assert.ok(u.ok);
      cookies[role] = `simnav_session=${(await createSession(ctx, u.value.user.id)).token}`;
    }
    const scoped = await createUser(ctx, { login: 'scoped', role: 'operator', password: 'correct horse battery', poolScope: [] });
    assert.ok(scoped.ok);
    cookies.scoped = `simnav_session=${(await createSession(ctx, scoped.value.user.id)).token}`;
    app = Fastify();
    await app.register(eventsPlugin, { store, clock: ctx.clock, bus, watch: false, maxStreamsPerPrincipal: 3 });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => { await app.close(); await store.close(); });

  test('without a session → 401 SIMNAV_ERR_UNAUTHENTICATED, no stream', async () => {
    const r = await fetch(`${base}/api/v1/events`);
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { code: string }).code, 'SIMNAV_ERR_UNAUTHENTICATED');
  });

  test('a published SMS reaches the open stream as one message with its text intact', async () => {
    const s = await openStream(base, cookies.admin!);
    assert.equal(s.res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    await s.until((m) => m.some((x) => x.type === 'hello'));
    bus.publish({ type: 'sms.received', smsId: 1, cardId: 1, aggregatorId: 1, place: 'A1', number: '79990000001', sender: 'Bank', text: 'line1\nline2 <b>', receivedAt: 1 });
    await s.until((m) => m.some((x) => x.type === 'sms.received'));
    const sms = s.messages.find((x) => x.type === 'sms.received')!;
    assert.equal(sms.text, 'line1\nline2 <b>');
    await s.close();
  });

  test('terminal answers go to admins only', async () => {
    const admin = await openStream(base, cookies.admin!);
    const viewer = await openStream(base, cookies.viewer!);
    await admin.until((m) => m.some((x) => x.type === 'hello'));
    await viewer.until((m) => m.some((x) => x.type === 'hello'));
    bus.publish({ type: 'terminal.answer', aggregatorId: 1, step: 5, text: 'OK' });
    bus.publish({ type: 'pool.changed', poolId: 3 });
    await admin.until((m) => m.some((x) => x.type === 'pool.changed'));
    await viewer.until((m) => m.some((x) => x.type === 'pool.changed'));
    assert.ok(admin.messages.some((x) => x.type === 'terminal.answer'));
    assert.ok(!viewer.messages.some((x) => x.type === 'terminal.answer'));
    await admin.close();
    await viewer.close();
  });

  test('a user scoped to no pools does not see SMS of cards outside their pools', async () => {
    const s = await openStream(base, cookies.scoped!);
    await s.until((m) => m.some((x) => x.type === 'hello'));
    bus.publish({ type: 'sms.received', smsId: 2, cardId: 42, aggregatorId: 1, place: 'A1', number: null, sender: 'x', text: 'secret', receivedAt: 1 });
    bus.publish({ type: 'aggregator.status', aggregatorId: 1, online: true, lastHeardAt: 1 });
    await s.until((m) => m.some((x) => x.type === 'aggregator.status'));
    assert.ok(!s.messages.some((x) => x.type === 'sms.received'));
    await s.close();
  });

  test('Last-Event-ID replays what was missed; a gap older than the history, or another bus\'s id (another node, a restart) → resync', async () => {
    const before = bus.lastSeq;
    bus.publish({ type: 'pool.changed', poolId: 10 });
    bus.publish({ type: 'pool.changed', poolId: 11 });
    const s = await openStream(base, cookies.admin!, { 'last-event-id': `${bus.epoch}.${before}` });
    await s.until((m) => m.some((x) => x.type === 'hello'));
    assert.deepEqual(s.messages.filter((x) => x.type === 'pool.changed').map((x) => x.poolId), [10, 11]);
    assert.ok(!s.messages.some((x) => x.type === 'resync'));
    await s.close();
    // The same seq stamped by another bus: replaying from it would skip or repeat events.
    const foreign = await openStream(base, cookies.admin!, { 'last-event-id': `other.${before}` });
    await foreign.until((m) => m.some((x) => x.type === 'hello'));
    assert.ok(foreign.messages.some((x) => x.type === 'resync'));
    assert.ok(!foreign.messages.some((x) => x.type === 'pool.changed'));
    await foreign.close();
    const small = createEventBus({ clock: realClock(), historySize: 1 });
    small.publish({ type: 'pool.changed', poolId: 1 });
    small.publish({ type: 'pool.changed', poolId: 2 });
    assert.equal(small.since(0), null);
    assert.deepEqual(small.since(2), []);
    assert.equal(small.since(3), null, 'a seq this bus never reached (it restarted)');
    assert.notEqual(small.epoch, bus.epoch);
  });

  test('the subscription ends when the page goes away', async () => {
    const s = await openStream(base, cookies.admin!);
    await s.until((m) => m.some((x) => x.type === 'hello'));
    const n = bus.subscribers;
    await s.close();
    for (let i = 0; i < 50 && bus.subscribers >= n; i++) await new Promise((r) => setImmediate(r));
    assert.equal(bus.subscribers, n - 1);
  });

  test('one user holds at most maxStreamsPerPrincipal streams; more → 429, a closed one frees its place', async () => {
    const streams = [];
    for (let i = 0; i < 3; i++) {
      const s = await openStream(base, cookies.viewer!);
      await s.until((m) => m.some((x) => x.type === 'hello'));
      streams.push(s);
    }
    const over = await fetch(`${base}/api/v1/events`, { headers: { cookie: cookies.viewer! } });
    assert.equal(over.status, 429);
    assert.equal(((await over.json()) as { code: string }).code, 'SIMNAV_ERR_RATE_LIMITED');
    await streams.pop()!.close();
    let again: Response | null = null;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const ac = new AbortController();
      again = await fetch(`${base}/api/v1/events`, { headers: { cookie: cookies.viewer! }, signal: ac.signal });
      ac.abort();
      if (again.status === 200) break;
    }
    assert.equal(again?.status, 200);
    for (const s of streams) await s.close();
  });
});
