import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.ts';
import { decodePdu } from './decode.ts';
import { addPart, emptyReassembly, takeStale, type ReassemblyState } from './reassembly.ts';

interface Group {
  id: string;
  sender: string;
  ref: number;
  ref_bits: 8 | 16;
  total: number;
  parts_in_seq_order: string[];
  arrival_order?: string[];
  complete: boolean;
  text: string | null;
}

const pdus = new Map(readFixtureJson<{ id: string; pdu: string }[]>('pdu/deliver.json').map((v) => [v.id, v.pdu]));
const groups = readFixtureJson<Group[]>('pdu/multipart.json');

function decodedPart(id: string) {
  const d = decodePdu(pdus.get(id)!);
  assert.ok(d.ok && d.value.kind === 'deliver' && d.value.concat && d.value.text !== null, id);
  return { ...d.value, concat: d.value.concat, text: d.value.text };
}

for (const g of groups) {
  test(`multipart / ${g.id}`, () => {
    let state: ReassemblyState = emptyReassembly;
    let text: string | null = null;
    const smscs = new Set<string | null>();
    for (const id of g.arrival_order ?? g.parts_in_seq_order) {
      const m = decodedPart(id);
      assert.equal(m.sender.text, g.sender);
      assert.deepEqual([m.concat.ref, m.concat.total, m.concat.refBits], [g.ref, g.total, g.ref_bits]);
      assert.equal(m.concat.seq, g.parts_in_seq_order.indexOf(id) + 1);
      smscs.add(m.smsc?.text ?? null);
      const r = addPart(state, { sim: 'sim-1', sender: m.sender.text, ref: m.concat.ref, total: m.concat.total, seq: m.concat.seq, text: m.text });
      state = r.state;
      if (r.outcome.kind === 'complete') text = r.outcome.text;
    }
    // mm-multipart's two parts came through different SMSCs: the key must not include it.
    if (g.id === 'mm-multipart') assert.equal(smscs.size, 2);
    assert.equal(text, g.complete ? g.text : null);
    assert.equal(Object.keys(state.groups).length, g.complete ? 0 : 1);
  });
}

test('multipart / all groups interleaved in one state: each completes alone (same sender and ref, other total, stay apart)', () => {
  const queues = groups.map((g) => [...(g.arrival_order ?? g.parts_in_seq_order)]);
  let state: ReassemblyState = emptyReassembly;
  const done: string[] = [];
  while (queues.some((q) => q.length > 0)) {
    for (const q of queues) {
      const id = q.shift();
      if (id === undefined) continue;
      const m = decodedPart(id);
      const r = addPart(state, { sim: 'sim-1', sender: m.sender.text, ref: m.concat.ref, total: m.concat.total, seq: m.concat.seq, text: m.text });
      state = r.state;
      if (r.outcome.kind === 'complete') done.push(r.outcome.text);
    }
  }
  assert.deepEqual(done.sort(), groups.filter((g) => g.complete).map((g) => g.text!).sort());
  assert.equal(Object.keys(state.groups).length, groups.filter((g) => !g.complete).length);
});

const part = (seq: number, over: Partial<{ sim: string; sender: string; ref: number; total: number; text: string }> = {}) => ({
  sim: 'A', sender: 'MTC', ref: 5, total: 3, seq, text: `p${seq}`, ...over,
});

test('reassembly / out of order with a duplicate', () => {
  let s = emptyReassembly;
  const steps = [part(3), part(1), part(3, { text: 'other' }), part(2)].map((p) => {
    const r = addPart(s, p);
    s = r.state;
    return r.outcome;
  });
  assert.deepEqual(steps.map((o) => o.kind), ['pending', 'pending', 'duplicate', 'complete']);
  assert.equal(steps[3]!.kind === 'complete' && steps[3]!.text, 'p1p2p3');
});

test('reassembly / same ref from another SIM or sender, or another total, is another message', () => {
  let s = emptyReassembly;
  for (const p of [part(1), part(2, { sim: 'B' }), part(2, { sender: 'Beeline' }), part(2, { total: 2 })]) s = addPart(s, p).state;
  assert.equal(Object.keys(s.groups).length, 4);
});

test('reassembly / impossible sequence rejected, state untouched', () => {
  for (const p of [part(0), part(4), part(1, { total: 0 }), part(1.5)]) {
    const r = addPart(emptyReassembly, p);
    assert.equal(r.outcome.kind, 'rejected');
    assert.equal(r.state, emptyReassembly);
  }
});

test('reassembly / surrogate pair split across parts joins into one emoji', () => {
  let s = emptyReassembly;
  s = addPart(s, { sim: 'A', sender: 'x', ref: 1, total: 2, seq: 1, text: 'a\ud83d' }).state;
  const r = addPart(s, { sim: 'A', sender: 'x', ref: 1, total: 2, seq: 2, text: '\ude00b' });
  assert.equal(r.outcome.kind === 'complete' && r.outcome.text, 'a😀b');
});

test('reassembly / stale groups are taken out with what they have', () => {
  let s = emptyReassembly;
  s = addPart(s, { ...part(1), receivedAt: 1000 }).state;
  s = addPart(s, { ...part(1, { ref: 6 }), receivedAt: 5000 }).state;
  const r = takeStale(s, 2000);
  assert.equal(r.stale.length, 1);
  assert.equal(r.stale[0]!.text, 'p1');
  assert.equal(Object.keys(r.state.groups).length, 1);
});
