import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.ts';
import { decodePdu } from './decode.ts';
import { addPart, emptyReassembly, takeStale, type ReassemblyState } from './reassembly.ts';

interface Group {
  id: string;
  sender: string;
  ref: number;
  total: number;
  parts_in_seq_order: string[];
  arrival_order?: string[];
  complete: boolean;
  text: string | null;
}

const pdus = new Map(readFixtureJson<{ id: string; pdu: string }[]>('pdu/deliver.json').map((v) => [v.id, v.pdu]));

for (const g of readFixtureJson<Group[]>('pdu/multipart.json')) {
  test(`multipart / ${g.id}`, () => {
    let state: ReassemblyState = emptyReassembly;
    let text: string | null = null;
    for (const id of g.arrival_order ?? g.parts_in_seq_order) {
      const d = decodePdu(pdus.get(id)!);
      assert.ok(d.ok && d.value.kind === 'deliver' && d.value.concat && d.value.text !== null);
      assert.equal(d.value.sender.text, g.sender);
      const { ref, total, seq } = d.value.concat;
      const r = addPart(state, { sim: 'sim-1', sender: d.value.sender.text, ref, total, seq, text: d.value.text });
      state = r.state;
      if (r.outcome.kind === 'complete') text = r.outcome.text;
    }
    assert.equal(text, g.complete ? g.text : null);
    assert.equal(Object.keys(state.groups).length, g.complete ? 0 : 1);
  });
}

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
