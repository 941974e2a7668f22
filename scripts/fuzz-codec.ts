/**
 * Long fuzz run of every codec entry point (the suite runs 155 000 inputs; this runs as many as
 * you ask). Usage: node --import tsx scripts/fuzz-codec.ts [runs per weight unit = 20000] [seed]
 * Exits 1 with the counterexample (and the seed to replay it) when a decoder throws or returns a
 * malformed Result.
 */
import { FUZZ_TARGETS } from '../src/codec/fuzz-targets.ts';

const perWeight = Number(process.argv[2] ?? 20_000);
const seed = process.argv[3] === undefined ? Date.now() | 0 : Number(process.argv[3]);
if (!Number.isInteger(perWeight) || perWeight < 1) {
  process.stderr.write('usage: node --import tsx scripts/fuzz-codec.ts [runs per weight unit] [seed]\n');
  process.exit(2);
}
process.stdout.write(`seed ${seed}\n`);
let total = 0;
let failed = 0;
for (const t of FUZZ_TARGETS) {
  const runs = t.weight * perWeight;
  const started = performance.now();
  try {
    t.run({ numRuns: runs, seed });
    total += runs;
    process.stdout.write(`ok    ${t.name}: ${runs} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    failed++;
    process.stdout.write(`FAIL  ${t.name}\n${e instanceof Error ? e.message : String(e)}\n`);
  }
}
process.stdout.write(`${total} inputs, ${failed} target(s) failed\n`);
process.exit(failed === 0 ? 0 : 1);
