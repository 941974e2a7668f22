import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  allModels, allPlaces, apiChannels, canBeOnlineTogether, capacity, chooseOnline, getModel, placeKey, planOnline, resolveSettings,
} from './index.ts';
import type { AggregatorSettings, ModelDescriptor, Place, ResolvedSettings } from './index.ts';

function settings(raw: AggregatorSettings = {}): ResolvedSettings {
  const r = resolveSettings(raw);
  assert.ok(r.ok);
  return r.value;
}
const S = settings();
const m = (id: string): ModelDescriptor => getModel(id)!;
const P = (id: string, s: ResolvedSettings, ...texts: string[]): Place[] =>
  texts.map((t) => { const r = m(id).parsePlace(t, s); assert.ok(r.ok, t); return r.value; });
const fmt = (id: string, ps: readonly Place[]): string[] => ps.map((p) => m(id).formatPlace(p));

/**
 * Independent oracle: the combination rules written straight from device-link.md §0.5 / §4.1,
 * without going through channelOptions.
 */
function legal(model: ModelDescriptor, s: ResolvedSettings, places: readonly Place[]): boolean {
  const keys = new Set(places.map(placeKey));
  if (keys.size !== places.length) return false;
  const distinct = (f: (p: Place) => number) => new Set(places.map(f)).size === places.length;
  switch (model.id) {
    case 'sr-nano-500': case 'sr-nano-1000': return places.length <= 1;
    case 'sr-train': {
      if (places.length === 0) return true;
      for (let r = s.rowBegin; r <= s.rowEnd; r++) if (places.every((p) => p.line === r || p.line === r + 3)) return true;
      return false;
    }
    case 'sr-box-2': case 'sr-box-2-bank':
      return places.filter((p) => p.line < 4).length <= 1 && places.filter((p) => p.line >= 4).length <= 1;
    case 'sr-organizer-smart': return s.smartType === 55 ? distinct((p) => p.line) : places.length <= 1;
    default: return distinct((p) => p.line); // Box-8, Box-Bank, Board, Organizer, Box-8-Smart
  }
}

/** Largest legal superset of `online` within `online ∪ candidates`, by brute force over subsets. */
function bruteMax(model: ModelDescriptor, s: ResolvedSettings, online: Place[], candidates: Place[]): number {
  let best = 0;
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const pick = candidates.filter((_, i) => mask & (1 << i));
    if (pick.length > best && legal(model, s, [...online, ...pick])) best = pick.length;
  }
  return best;
}

const settingsArb: fc.Arbitrary<AggregatorSettings> = fc.record({
  rowBegin: fc.integer({ min: 0, max: 4 }),
  rowSpan: fc.integer({ min: 0, max: 12 }),
  bankMap: fc.stringMatching(/^[01]{1,8}$/).filter((x) => x.includes('1')),
  smartType: fc.constantFrom(52 as const, 54 as const, 55 as const),
}).map(({ rowBegin, rowSpan, bankMap, smartType }) => ({ rowBegin, rowEnd: rowBegin + rowSpan, bankMap, smartType }));

/** A model, its settings and a few of its places. */
const scenarioArb = fc.tuple(fc.constantFrom(...allModels), settingsArb).chain(([model, raw]) => {
  const s = settings(raw);
  const places = allPlaces(model, s);
  const placeArb = fc.constantFrom(...places);
  return fc.record({
    model: fc.constant(model),
    s: fc.constant(s),
    onlineSeed: fc.array(placeArb, { maxLength: 6 }),
    candidates: fc.array(placeArb, { maxLength: 9 }),
    want: fc.oneof(fc.constant('max' as const), fc.integer({ min: 0, max: 20 })),
  });
});

/** A legal online set, grown from the seed the way the pool API would. */
function onlineFrom(model: ModelDescriptor, s: ResolvedSettings, seed: Place[]): Place[] {
  return chooseOnline(model, s, { online: [], candidates: seed, want: 'max' });
}

test('chooseOnline / property: the result plus the online cards is always a legal combination', () => {
  fc.assert(fc.property(scenarioArb, ({ model, s, onlineSeed, candidates, want }) => {
    const online = onlineFrom(model, s, onlineSeed);
    assert.ok(legal(model, s, online), 'seeded online set is legal');
    const got = chooseOnline(model, s, { online, candidates, want });
    assert.ok(legal(model, s, [...online, ...got]), `${model.id} ${fmt(model.id, online)} + ${fmt(model.id, got)}`);
    const candKeys = new Set(candidates.map(placeKey));
    for (const p of got) assert.ok(candKeys.has(placeKey(p)), 'only candidates are chosen');
    if (want !== 'max') assert.ok(got.length <= want);
  }), { numRuns: 600 });
});

test("chooseOnline / property: 'max' is the largest legal addition (brute force)", () => {
  fc.assert(fc.property(scenarioArb, ({ model, s, onlineSeed, candidates }) => {
    const online = onlineFrom(model, s, onlineSeed);
    const unique = candidates.filter((p, i) => candidates.findIndex((q) => placeKey(q) === placeKey(p)) === i)
      .filter((p) => !online.some((q) => placeKey(q) === placeKey(p)));
    const got = chooseOnline(model, s, { online, candidates, want: 'max' });
    assert.equal(got.length, bruteMax(model, s, online, unique), `${model.id} online ${fmt(model.id, online)} cand ${fmt(model.id, unique)}`);
  }), { numRuns: 400 });
});

test('chooseOnline / property: want N takes the first N of the best set, in preference order', () => {
  fc.assert(fc.property(scenarioArb, fc.integer({ min: 1, max: 4 }), ({ model, s, onlineSeed, candidates }, n) => {
    const online = onlineFrom(model, s, onlineSeed);
    const all = chooseOnline(model, s, { online, candidates, want: 'max' });
    const some = chooseOnline(model, s, { online, candidates, want: n });
    assert.equal(some.length, Math.min(n, all.length));
    const order = (p: Place) => candidates.findIndex((q) => placeKey(q) === placeKey(p));
    const idx = some.map(order);
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b), 'preference order kept');
  }), { numRuns: 300 });
});

test('chooseOnline / property: openNumber (want 1) on an empty aggregator takes the first candidate', () => {
  fc.assert(fc.property(scenarioArb, ({ model, s, candidates }) => {
    fc.pre(candidates.length > 0);
    assert.deepEqual(chooseOnline(model, s, { online: [], candidates, want: 1 }), [candidates[0]]);
  }), { numRuns: 200 });
});

test('planOnline / property: with known channels, new seats never share a modem or move the carriage', () => {
  fc.assert(fc.property(scenarioArb, ({ model, s, onlineSeed, candidates, want }) => {
    const first = planOnline(model, s, { online: [], candidates: onlineSeed, want: 'max' });
    const online = first.seats.map((x) => ({ place: x.place, channel: x.channel }));
    const next = planOnline(model, s, { online, candidates, want });
    assert.ok(legal(model, s, [...online.map((o) => o.place), ...next.places]));
    const modems = new Set(first.seats.map((x) => x.modem));
    for (const seat of next.seats) {
      assert.ok(!modems.has(seat.modem), `${model.id}: modem ${seat.modem} taken twice`);
      modems.add(seat.modem);
      if (model.sharedPosition && first.position !== null) assert.equal(seat.position, first.position, 'same carriage row');
    }
  }), { numRuns: 400 });
});

test('capacity / property: online + capacity never exceeds the API channels; equal on independent-modem models', () => {
  fc.assert(fc.property(scenarioArb, ({ model, s, onlineSeed }) => {
    const online = onlineFrom(model, s, onlineSeed);
    const cap = capacity(model, s, online);
    assert.ok(online.length + cap <= apiChannels(model, s));
    if (!model.sharedPosition) assert.equal(online.length + cap, apiChannels(model, s));
  }), { numRuns: 200 });
});

test('Train / property: openNumbers channels=max picks 16 on rows r and r+3 when they are full', () => {
  const train = m('sr-train');
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 16 }),
    fc.array(fc.record({ line: fc.integer({ min: 0, max: 19 }), slot: fc.integer({ min: 1, max: 8 }) }), { maxLength: 40 }),
    fc.integer(),
    (r, noise, seed) => {
      const full: Place[] = [];
      for (const row of [r, r + 3]) for (let p = 1; p <= 8; p++) full.push({ line: row, slot: p });
      const candidates = fc.sample(fc.shuffledSubarray([...full, ...noise], { minLength: full.length + noise.length }), { seed, numRuns: 1 })[0]!;
      const plan = planOnline(train, S, { online: [], candidates, want: 'max' });
      assert.equal(plan.places.length, 16);
      const c = plan.position!;
      assert.ok(plan.places.every((p) => p.line === c || p.line === c + 3));
      assert.deepEqual(plan.seats.map((x) => x.channel).sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i + 1));
      for (const seat of plan.seats) assert.equal(placeKey(train.placeAt(seat.channel, c, S)!), placeKey(seat.place));
    },
  ), { numRuns: 200 });
});

test('Train / with rows 5 and 8 online any addition stays on rows 5 and 8 (or 2 and 5 when 5 alone)', () => {
  const id = 'sr-train';
  const cands = P(id, S, '1-1', '2-2', '5-2', '8-3', '11-1', '6-1');
  assert.deepEqual(fmt(id, chooseOnline(m(id), S, { online: P(id, S, '5-1', '8-1'), candidates: cands, want: 'max' })), ['5-2', '8-3']);
  assert.deepEqual(fmt(id, chooseOnline(m(id), S, { online: P(id, S, '5-1'), candidates: cands, want: 'max' })), ['2-2', '5-2']);
  // The session's carriage row pins the choice.
  assert.deepEqual(fmt(id, chooseOnline(m(id), S, { online: P(id, S, '5-1'), candidates: cands, want: 'max', position: 5 })), ['5-2', '8-3']);
  // A card already on modem 1 at row 5 blocks 5-1 again but not 8-1 (modem 9).
  assert.deepEqual(fmt(id, chooseOnline(m(id), S, { online: P(id, S, '5-1'), candidates: P(id, S, '5-1', '8-1'), want: 'max', position: 5 })), ['8-1']);
  // Known channels pin the carriage: 5-1 on modem 9 means row 2, on modem 1 row 5.
  const s5 = m(id).parsePlace('5-1', S);
  assert.ok(s5.ok);
  assert.deepEqual(fmt(id, chooseOnline(m(id), S, { online: [{ place: s5.value, channel: 9 }], candidates: cands, want: 'max' })), ['2-2', '5-2']);
  assert.deepEqual(fmt(id, chooseOnline(m(id), S, { online: [{ place: s5.value, channel: 1 }], candidates: cands, want: 'max' })), ['5-2', '8-3']);
  assert.deepEqual(chooseOnline(m(id), S, { online: [{ place: s5.value, channel: 3 }], candidates: cands, want: 'max' }), [], 'impossible channel');
  // Illegal online set (rows 5 and 6 together) → nothing.
  assert.deepEqual(chooseOnline(m(id), S, { online: P(id, S, '5-1', '6-1'), candidates: cands, want: 'max' }), []);
});

test('allocation / per-model examples', () => {
  const n = 'sr-nano-500';
  assert.deepEqual(chooseOnline(m(n), S, { online: P(n, S, 'A1'), candidates: P(n, S, 'A2'), want: 1 }), [], 'Nano holds one card');
  assert.equal(capacity(m(n), S, P(n, S, 'A1')), 0);
  const b = 'sr-box-bank';
  const sb = settings({ bankMap: '11000000' });
  assert.deepEqual(fmt(b, chooseOnline(m(b), sb, { online: P(b, sb, 'A1'), candidates: P(b, sb, 'A2', 'B9', 'B10', 'C3'), want: 'max' })), ['B9', 'C3']);
  const x = 'sr-box-2';
  assert.deepEqual(fmt(x, chooseOnline(m(x), S, { online: [], candidates: P(x, S, 'A1', 'D2', 'E3', 'H4'), want: 'max' })), ['A1', 'E3']);
  assert.equal(canBeOnlineTogether(m(x), S, P(x, S, 'B1', 'C1')), false);
  assert.equal(canBeOnlineTogether(m(x), S, P(x, S, 'B1', 'G1')), true);
  const o = 'sr-organizer';
  assert.deepEqual(fmt(o, chooseOnline(m(o), S, { online: [], candidates: P(o, S, '1-1', '1-2', '2-5'), want: 'max' })), ['1-1', '2-5']);
  assert.equal(apiChannels(m('sr-box-8'), S), 8);
  assert.equal(capacity(m('sr-box-8'), S, P('sr-box-8', S, 'A', 'C')), 6);
  assert.equal(apiChannels(m('sr-organizer-smart'), settings({ smartType: 54 })), 1);
  assert.equal(apiChannels(m('sr-train'), settings({ rowBegin: 0, rowEnd: 2 })), 8, 'rows r+3 missing: only modems 1–8');
});

test('allocation / disabled channels are never used', () => {
  const b = 'sr-board';
  const s = settings({ enabledChannels: [1, 3] });
  assert.deepEqual(fmt(b, chooseOnline(m(b), s, { online: [], candidates: P(b, s, 'A1', 'B1', 'C1', 'D1'), want: 'max' })), ['A1', 'C1']);
  assert.equal(apiChannels(m(b), s), 2);
  const t = 'sr-train';
  const st = settings({ enabledChannels: [1, 2, 3, 4, 5, 6, 7, 8] });
  assert.equal(apiChannels(m(t), st), 8);
  assert.deepEqual(fmt(t, chooseOnline(m(t), st, { online: [], candidates: P(t, st, '4-1', '7-1'), want: 'max' })), ['4-1']);
});

test('allocation / odd requests: want 0, negative, NaN, duplicates, already online', () => {
  const b = 'sr-box-8';
  const c = P(b, S, 'A', 'A', 'B');
  assert.deepEqual(chooseOnline(m(b), S, { online: [], candidates: c, want: 0 }), []);
  assert.deepEqual(chooseOnline(m(b), S, { online: [], candidates: c, want: -3 }), []);
  assert.deepEqual(chooseOnline(m(b), S, { online: [], candidates: c, want: Number.NaN }), []);
  assert.deepEqual(fmt(b, chooseOnline(m(b), S, { online: [], candidates: c, want: 'max' })), ['A', 'B']);
  assert.deepEqual(fmt(b, chooseOnline(m(b), S, { online: P(b, S, 'A'), candidates: c, want: 'max' })), ['B']);
  // A place that is not in this layout (e.g. settings shrank) is never chosen.
  assert.deepEqual(chooseOnline(m('sr-train'), settings({ rowEnd: 5 }), { online: [], candidates: [{ line: 9, slot: 1 }], want: 'max' }), []);
});

test('places / property: format(parse(x)) round trip, also for lower-case and zero-padded forms', () => {
  fc.assert(fc.property(fc.constantFrom(...allModels), settingsArb, fc.nat(), fc.integer({ min: 0, max: 2 }), (model, raw, i, zeros) => {
    const s = settings(raw);
    const places = allPlaces(model, s);
    const p = places[i % places.length]!;
    const text = model.formatPlace(p);
    const variant = text.toLowerCase().replace(/(\d+)/g, (d) => '0'.repeat(zeros) + d);
    for (const t of [text, variant, ` ${text}\t`]) {
      const r = model.parsePlace(t, s);
      assert.ok(r.ok, `${model.id} ${t}`);
      assert.deepEqual(r.value, p);
      assert.equal(model.formatPlace(r.value), text);
    }
  }), { numRuns: 500 });
});

test('places / property: parse of any string returns a value or a typed error and never throws', () => {
  fc.assert(fc.property(fc.constantFrom(...allModels), fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z]?\d{0,4}(-\d{0,3})?$/)), (model, text) => {
    const r = model.parsePlace(text, S);
    if (r.ok) {
      assert.equal(model.parsePlace(model.formatPlace(r.value), S).ok, true);
      assert.ok(model.channelOptions(r.value, S).length > 0, 'a parsed place can be seated');
    } else {
      assert.ok(r.error.code === 'PLACE_SYNTAX' || r.error.code === 'PLACE_OUT_OF_RANGE');
    }
  }), { numRuns: 2000 });
});

test('places / property: sort key is a total order matching layout order', () => {
  fc.assert(fc.property(fc.constantFrom(...allModels), settingsArb, (model, raw) => {
    const s = settings(raw);
    const keys = allPlaces(model, s).map(placeKey);
    assert.equal(new Set(keys).size, keys.length, 'keys are distinct');
    for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1]! < keys[i]!, 'layout order is ascending');
  }), { numRuns: 100 });
});
