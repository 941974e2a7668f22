import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore } from '../../store/testing.ts';
import { createDeviceStateRepo } from '../../domain/device-state/repo.ts';
import { LinkHub } from './link-hub.ts';
import { linkRoutes } from '../../http/link/route.ts';
import { addAggregator } from '../../../test/e2e/support/world.ts';

async function setup() {
  const store = await createTestStore('sqlite');
  const clock = new FakeClock();
  const repo = createDeviceStateRepo(store, clock);
  const hub = new LinkHub({ repo, clock, touchEveryMs: 5000 });
  const app = Fastify();
  await app.register(linkRoutes, { hub });
  const id = await addAggregator(store, 'SR-Board', '1234567890');
  const poll = async (q: string, method: 'GET' | 'POST' = 'GET') => {
    const r = method === 'GET'
      ? await app.inject({ method, url: `/sr/link.php?${q}` })
      : await app.inject({ method, url: '/link.php', payload: q, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.statusCode, 200);
    return r.body;
  };
  return { store, clock, hub, app, id, poll, async close() { hub.close(); await app.close(); await store.close(); } };
}

test('link / unknown token → empty body, no state created; known token idle → {data}0#!#REQUEST', async () => {
  const w = await setup();
  try {
    assert.equal(await w.poll('token=9999999999&step=0&data=REQUEST'), '');
    assert.equal(w.hub.get(w.id), undefined);
    assert.equal((await w.store.db.selectFrom('aggregators').select('id').execute()).length, 1);
    assert.equal(await w.poll('token=1234567890&step=0&data=REQUEST'), '{data}0#!#REQUEST');
    assert.ok(w.hub.get(w.id));
  } finally { await w.close(); }
});

test('link / one command per poll FIFO, answers reach the waiter, POST form bodies work', async () => {
  const w = await setup();
  try {
    const link = (await w.hub.ensure(w.id))!;
    const a = link.channel.send({ text: 'row:now', timeoutMs: 30_000, parse: (s) => ({ ok: true, value: s }) }, { exclusive: false });
    link.channel.enqueue('modem>sms:0');
    assert.equal(await w.poll('token=1234567890&step=0&data=REQUEST'), '{data}1000#!#row:now');
    assert.equal(await w.poll('token=1234567890&step=1000&data=4', 'POST'), '{data}1001#!#modem>sms:0');
    const r = await a;
    assert.ok(r.ok && r.value === '4');
    assert.equal(await w.poll('token=1234567890&step=0&data=REQUEST'), '{data}0#!#REQUEST');
    await new Promise((res) => setTimeout(res, 20));
    const row = await w.store.db.selectFrom('aggregators').select(['step', 'last_heard_at']).where('id', '=', w.id).executeTakeFirstOrThrow();
    assert.equal(Number(row.step), 1002, 'the step counter is persisted');
    assert.equal(Number(row.last_heard_at), w.clock.now());
  } finally { await w.close(); }
});

test('link / liveness is written at most every 5 s, not on every poll', async () => {
  const w = await setup();
  try {
    await w.poll('token=1234567890&step=0&data=REQUEST');
    const t0 = w.clock.now();
    await w.clock.advance(3000);
    await w.poll('token=1234567890&step=0&data=REQUEST');
    await new Promise((res) => setTimeout(res, 20));
    let row = await w.store.db.selectFrom('aggregators').select('last_heard_at').where('id', '=', w.id).executeTakeFirstOrThrow();
    assert.equal(Number(row.last_heard_at), t0);
    await w.clock.advance(3000);
    await w.poll('token=1234567890&step=0&data=REQUEST');
    await new Promise((res) => setTimeout(res, 20));
    row = await w.store.db.selectFrom('aggregators').select('last_heard_at').where('id', '=', w.id).executeTakeFirstOrThrow();
    assert.equal(Number(row.last_heard_at), w.clock.now());
  } finally { await w.close(); }
});

test('link / hostile payloads never crash and get an empty body or a normal answer', async () => {
  const w = await setup();
  try {
    const bad = ['', 'token=', 'token=%00%ff', 'token=1234567890&step=-1&data=x', 'token=1234567890&step=99999999999&data=x',
      'token=1234567890&step=abc', `token=${'9'.repeat(500)}`, 'token=1234567890&step=0&data=%00%23!%23%7Bdata%7D%26%26', 'token=1234567890&data=%7B%22result%22%3A'];
    for (const q of bad) assert.equal(typeof (await w.poll(q)), 'string');
    assert.equal(await w.poll('token=1234567890&step=0&data=REQUEST'), '{data}0#!#REQUEST');
  } finally { await w.close(); }
});

test('link / liveness of many devices is written in few statements, never one per poll; a rotated-out token stops working after forget', async () => {
  const store = await createTestStore('sqlite');
  try {
    const clock = new FakeClock();
    const repo = createDeviceStateRepo(store, clock);
    const writes = { single: 0, batches: 0, rows: 0 };
    const counted = { ...repo, touch: async (id: number, at: number) => { writes.single++; await repo.touch(id, at); },
      touchMany: async (e: ReadonlyArray<readonly [number, number]>) => { writes.batches++; writes.rows += e.length; await repo.touchMany(e); } };
    const hub = new LinkHub({ repo: counted, clock, touchEveryMs: 5000 });
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push(await addAggregator(store, 'SR-Board', String(4_100_000_000 + i)));
    const round = () => Promise.all(ids.map((_, i) => hub.handle({ token: String(4_100_000_000 + i), step: '0', data: 'REQUEST' })));
    await round();
    await round(); // within touchEveryMs: nothing more to write
    await hub.flushLiveness();
    assert.equal(writes.single, 0);
    assert.equal(writes.rows, 40, 'each device once');
    assert.ok(writes.batches < 40, `${writes.batches} statements for 40 devices`);
    const heard = await store.db.selectFrom('aggregators').select('last_heard_at').where('id', 'in', ids).execute();
    assert.ok(heard.every((r) => Number(r.last_heard_at) === clock.now()));
    await clock.advance(6000);
    await round();
    await hub.flushLiveness();
    assert.equal(writes.rows, 80);
    const again = await store.db.selectFrom('aggregators').select('last_heard_at').where('id', 'in', ids).execute();
    assert.ok(again.every((r) => Number(r.last_heard_at) === clock.now()));
    // The clear-token cache is dropped with the link: a token changed in the store stops working.
    await store.db.updateTable('aggregators').set({ link_token_hash: 'rotated' }).where('id', '=', ids[0]!).execute();
    hub.forget(ids[0]!);
    assert.equal(await hub.handle({ token: '4100000000', step: '0', data: 'REQUEST' }), '');
    hub.close();
  } finally {
    await store.close();
  }
});

test('link / a channel made again after forget() does not reuse a step the store has not caught up with', async () => {
  const w = await setup();
  try {
    assert.equal(await w.poll('token=1234567890&step=0&data=REQUEST'), '{data}0#!#REQUEST');
    const link = w.hub.get(w.id)!;
    const q = link.channel.enqueue('answer>clear');
    assert.ok(q.ok);
    assert.equal(await w.poll('token=1234567890&step=0&data=REQUEST'), `{data}${q.step}#!#answer>clear`);
    await w.hub.flushLiveness();
    // The step write of that command has not landed yet (as when the session restarts at once).
    await w.store.db.updateTable('aggregators').set({ step: q.step }).where('id', '=', w.id).execute();
    w.hub.forget(w.id);
    const again = (await w.hub.ensure(w.id))!;
    const q2 = again.channel.enqueue('answer>clear');
    assert.ok(q2.ok);
    assert.notEqual(q2.step, q.step, 'the device would ignore a repeated step');
  } finally { await w.close(); }
});
