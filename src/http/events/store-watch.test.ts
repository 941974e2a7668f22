import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore } from '../../store/testing.ts';
import { createEventBus, type Stamped } from '../../domain/events/bus.ts';
import { createAggregator } from '../../domain/aggregators/aggregators.ts';
import { createCard } from '../../domain/inventory/cards.ts';
import { startStoreWatch } from './store-watch.ts';

test('store watch / SMS, calls, card status and online flips written by others are published once each', async () => {
  const store = await createTestStore('sqlite');
  try {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const ctx = { db: store.db, clock };
    const a = await createAggregator(ctx, { model: 'SR-Box-8', title: 'box' });
    assert.ok(a.ok);
    const c = await createCard(ctx, { aggregatorId: a.value.aggregator.id, place: 'A', number: '79990000001' });
    assert.ok(c.ok);
    // An SMS that existed before the watch started is history, not news.
    await store.db.insertInto('sms').values({ card_id: c.value.id, number: '79990000001', sender: 'old', text: 'old', sent_at: null, received_at: clock.now() }).execute();
    const bus = createEventBus({ clock });
    const got: Stamped[] = [];
    bus.subscribe((e) => got.push(e));
    const watch = await startStoreWatch({ store, clock, bus, intervalMs: 1000, flipCheckMs: 0, safetyNetMs: 0 });
    assert.equal(got.length, 0);

    await store.db.insertInto('sms').values({ card_id: c.value.id, number: '79990000001', sender: 'Bank', text: 'code 1234', sent_at: null, received_at: clock.now() }).execute();
    await store.db.insertInto('calls').values({ card_id: c.value.id, number: '79990000001', caller: '79001112233', at: clock.now() }).execute();
    await store.db.insertInto('card_online').values({ card_id: c.value.id, aggregator_id: a.value.aggregator.id, desired: 'online', position: 'ONLINE', channel: 1, status_code: 1, status_at: clock.now(), updated_at: clock.now() }).execute();
    await store.db.updateTable('aggregators').set({ last_heard_at: clock.now() }).execute();
    await watch.tick();
    await watch.tick();
    const types = got.map((e) => e.type);
    assert.deepEqual(types.filter((t) => t === 'sms.received').length, 1);
    const sms = got.find((e) => e.type === 'sms.received');
    assert.equal(sms?.type === 'sms.received' ? sms.text : '', 'code 1234');
    assert.equal(types.filter((t) => t === 'call.incoming').length, 1);
    const status = got.find((e) => e.type === 'card.status');
    assert.equal(status?.type === 'card.status' ? status.statusCode : null, 1);
    assert.equal(types.filter((t) => t === 'card.status').length, 1);
    assert.ok(types.includes('aggregator.status'));

    // Silence past the online window flips the aggregator offline once.
    got.length = 0;
    await clock.advance(10 * 60_000);
    await watch.tick();
    const flips = got.filter((e) => e.type === 'aggregator.status');
    assert.equal(flips.length, 1);
    assert.equal(flips[0]?.type === 'aggregator.status' ? flips[0].online : null, false);
    // Edits by anyone (here: straight to the store) become *.changed events once.
    got.length = 0;
    await store.db.insertInto('pools').values({ title: 'p', key_hash: 'h', created_at: clock.now(), updated_at: clock.now() }).execute();
    await store.db.updateTable('cards').set({ comment: 'x', updated_at: clock.now() + 1 }).execute();
    for (let i = 0; i < 3; i++) await watch.tick();
    assert.deepEqual(got.map((e) => e.type).filter((t) => t.endsWith('.changed')).sort(), ['cards.changed', 'pool.changed']);
    watch.stop();
  } finally {
    await store.close();
  }
});

test('store watch / the fingerprint safety net and the online flips run at their own slower pace', async () => {
  const store = await createTestStore('sqlite');
  try {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const bus = createEventBus({ clock });
    const got: Stamped[] = [];
    bus.subscribe((e) => got.push(e));
    const watch = await startStoreWatch({ store, clock, bus, intervalMs: 1000, flipCheckMs: 5_000, safetyNetMs: 30_000 });
    await store.db.insertInto('pools').values({ title: 'p', key_hash: 'h', created_at: clock.now(), updated_at: clock.now() }).execute();
    // Per-second ticks within the safety net's period read only what is new by id or time.
    for (let i = 0; i < 5; i++) await watch.tick();
    assert.equal(got.filter((e) => e.type === 'pool.changed').length, 0);
    await clock.advance(30_000);
    await watch.tick();
    assert.equal(got.filter((e) => e.type === 'pool.changed').length, 1);
    watch.stop();
  } finally {
    await store.close();
  }
});

test('store watch / a task state the bus already carried is not published again; a new one is, with the API kind', async () => {
  const store = await createTestStore('sqlite');
  try {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const a = await createAggregator({ db: store.db, clock }, { model: 'SR-Nano-1000', title: 'nano' });
    assert.ok(a.ok);
    const bus = createEventBus({ clock });
    const got: Stamped[] = [];
    bus.subscribe((e) => got.push(e));
    const watch = await startStoreWatch({ store, clock, bus, intervalMs: 1000, flipCheckMs: 0, safetyNetMs: 60_000 });
    const t = await store.db.insertInto('tasks').values({ aggregator_id: a.value.aggregator.id, kind: 'scan_numbers', status: 'queued', pool_id: null, card_id: null, total: 3, created_at: clock.now(), updated_at: clock.now() })
      .returning('id').executeTakeFirstOrThrow();
    // The tasks API published the new task itself.
    bus.publish({ type: 'task.progress', taskId: t.id, aggregatorId: a.value.aggregator.id, kind: 'scan_number', status: 'queued', total: 3, progress: 0, success: 0, errors: 0 });
    await watch.tick();
    const progress = () => got.filter((e) => e.type === 'task.progress');
    assert.equal(progress().length, 1, 'no second event for the same state');
    // Another writer (another node, a runner that does not publish) moves it on.
    await store.db.updateTable('tasks').set({ status: 'running', progress: 1, success: 1, updated_at: clock.now() + 1 }).execute();
    await clock.advance(2);
    await watch.tick();
    const last = progress().at(-1)!;
    assert.equal(progress().length, 2);
    assert.deepEqual(last.type === 'task.progress' && [last.status, last.progress, last.kind], ['running', 1, 'scan_number']);
    watch.stop();
  } finally {
    await store.close();
  }
});

/** A PostgreSQL test store holding one SR-Box-8 with one card. */
async function boxWithOneCard() {
  const store = await createTestStore('postgres');
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const a = await createAggregator({ db: store.db, clock }, { model: 'SR-Box-8', title: 'box' });
  assert.ok(a.ok);
  const c = await createCard({ db: store.db, clock }, { aggregatorId: a.value.aggregator.id, place: 'A', number: '79990000001' });
  assert.ok(c.ok);
  return { store, clock, cardId: c.value.id };
}

test('store watch / postgres: an SMS whose transaction commits after a later id became visible is still published, once', async () => {
  const { store, clock, cardId } = await boxWithOneCard();
  try {
    const bus = createEventBus({ clock });
    const texts: string[] = [];
    bus.subscribe((e) => { if (e.type === 'sms.received') texts.push(e.text); });
    const watch = await startStoreWatch({ store, clock, bus, intervalMs: 1000, flipCheckMs: 60_000, safetyNetMs: 60_000 });
    const row = (text: string) => ({ card_id: cardId, number: '79990000001', sender: 'Bank', text, sent_at: null, received_at: clock.now() });
    // The slow transaction takes its id first and commits last (two nodes' intakes, in effect).
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let inserted!: () => void;
    const hasId = new Promise<void>((r) => { inserted = r; });
    const slow = store.db.transaction().execute(async (tx) => {
      await tx.insertInto('sms').values(row('slow')).execute();
      inserted();
      await gate;
    });
    await hasId;
    await store.db.insertInto('sms').values(row('fast')).execute();
    await watch.tick();
    assert.deepEqual(texts, ['fast']);
    release();
    await slow;
    await clock.advance(1000);
    await watch.tick();
    await watch.tick();
    assert.deepEqual(texts, ['fast', 'slow']);
    watch.stop();
  } finally {
    await store.close();
  }
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  test(`store watch / ${dialect}: a burst of 2 500 card states in one second is published in full, once each; ${dialect === 'postgres' ? 'a state stamped earlier but committed later too' : 'pages follow (updated_at, card)'}`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock(Date.UTC(2026, 0, 1));
      const a = await createAggregator({ db: store.db, clock }, { model: 'SR-Nano-500', title: 'nano' });
      assert.ok(a.ok);
      const aggregatorId = a.value.aggregator.id;
      const now = clock.now();
      const ids: number[] = [];
      for (let i = 0; i < 2500; i += 500) {
        const rows = Array.from({ length: 500 }, (_, j) => ({ aggregator_id: aggregatorId, place: `${i + j}`, place_sort: i + j, number: `7999${String(i + j).padStart(7, '0')}`, created_at: now, updated_at: now }));
        ids.push(...(await store.db.insertInto('cards').values(rows).returning('id').execute()).map((r) => r.id));
      }
      const bus = createEventBus({ clock });
      const seen = new Map<number, number>();
      bus.subscribe((e) => { if (e.type === 'card.status') seen.set(e.cardId, (seen.get(e.cardId) ?? 0) + 1); });
      const watch = await startStoreWatch({ store, clock, bus, intervalMs: 1000, flipCheckMs: 60_000, safetyNetMs: 60_000 });
      await clock.advance(1);
      for (let i = 0; i < ids.length; i += 500) {
        // Several rows per millisecond, as a pool restart or openNumbers=max writes them.
        await store.db.insertInto('card_online').values(ids.slice(i, i + 500).map((id, j) => ({ card_id: id, aggregator_id: aggregatorId, desired: 'online', status_code: 1, status_at: now, updated_at: now + 1 + Math.floor((i + j) / 7) }))).execute();
      }
      await watch.tick();
      await watch.tick();
      assert.equal(seen.size, 2500, 'every changed card was published');
      assert.ok([...seen.values()].every((n) => n === 1), 'none twice');
      if (dialect === 'postgres') {
        // A writer stamps its row, then commits after a later-stamped row was read.
        const late = ids[0]!;
        const early = ids[1]!;
        await clock.advance(1000);
        const stamp = clock.now();
        let release!: () => void;
        const gate = new Promise<void>((r) => { release = r; });
        let written!: () => void;
        const hasRow = new Promise<void>((r) => { written = r; });
        const slow = store.db.transaction().execute(async (tx) => {
          await tx.updateTable('card_online').set({ status_code: 5, updated_at: stamp }).where('card_id', '=', early).execute();
          written();
          await gate;
        });
        await hasRow;
        await store.db.updateTable('card_online').set({ status_code: 5, updated_at: stamp + 10 }).where('card_id', '=', late).execute();
        seen.clear();
        await watch.tick();
        assert.deepEqual([...seen.keys()], [late]);
        release();
        await slow;
        await clock.advance(1000);
        await watch.tick();
        await watch.tick();
        assert.deepEqual([...seen.entries()].sort(), [[late, 1], [early, 1]].sort());
      }
      watch.stop();
    } finally {
      await store.close();
    }
  });
}

test('store watch / postgres: a watch taking over from a dead one starts where that one stopped publishing', async () => {
  const { store, clock, cardId } = await boxWithOneCard();
  try {
    const row = (text: string) => ({ card_id: cardId, number: '79990000001', sender: 'Bank', text, sent_at: null, received_at: clock.now() });
    await store.db.insertInto('sms').values(row('history')).execute();
    const texts: string[] = [];
    const bus = createEventBus({ clock });
    bus.subscribe((e) => { if (e.type === 'sms.received') texts.push(e.text); });
    const first = await startStoreWatch({ store, clock, bus, intervalMs: 1000, flipCheckMs: 60_000, safetyNetMs: 60_000 });
    await store.db.insertInto('sms').values(row('seen by the first')).execute();
    await first.tick();
    first.stop(); // its node dies
    await store.db.insertInto('sms').values(row('stored during the takeover')).execute();
    const second = await startStoreWatch({ store, clock, bus, intervalMs: 1000, flipCheckMs: 60_000, safetyNetMs: 60_000 });
    await second.tick();
    assert.deepEqual(texts, ['seen by the first', 'stored during the takeover']);
    second.stop();
  } finally {
    await store.close();
  }
});
