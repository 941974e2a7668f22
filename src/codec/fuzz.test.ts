/** Decoders never throw on hostile input: 115 000 random inputs over all codec entry points. */
import { test } from 'node:test';
import { FUZZ_TARGETS } from './fuzz-targets.ts';

/** Runs per weight unit; weights add up to 115 → 115 000 inputs. */
const PER_WEIGHT = 1000;

for (const t of FUZZ_TARGETS) {
  test(`fuzz / ${t.name} / ${t.weight * PER_WEIGHT} inputs return, never throw`, () => {
    t.run({ numRuns: t.weight * PER_WEIGHT });
  });
}
