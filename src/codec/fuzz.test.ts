/**
 * Decoders never throw on hostile input: 155 000 random inputs over all codec entry points, of
 * which 110 000 go to the PDU decoder (random bytes, PDU-shaped bytes, mutated PDUs, hex-like text).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUZZ_TARGETS } from './fuzz-targets.ts';

/** Runs per weight unit; weights add up to 155 → 155 000 inputs. */
const PER_WEIGHT = 1000;

test('fuzz / the PDU decoder alone gets at least 100 000 inputs (issue #2)', () => {
  const pdu = FUZZ_TARGETS.filter((t) => t.name.startsWith('pdu /')).reduce((n, t) => n + t.weight * PER_WEIGHT, 0);
  assert.ok(pdu >= 100_000, `${pdu} PDU inputs`);
});

for (const t of FUZZ_TARGETS) {
  test(`fuzz / ${t.name} / ${t.weight * PER_WEIGHT} inputs return, never throw`, () => {
    t.run({ numRuns: t.weight * PER_WEIGHT });
  });
}
