/**
 * Runs several simnav CLI invocations in ONE process (tsx start-up is the slow part on a loaded
 * machine) and writes their exit codes and output as JSON to the file named by argv[2]:
 *   node --import tsx test/admin/cli-runner.ts OUT.json '[["user","add",…],["pool","list",…]]'
 */
import { writeFileSync } from 'node:fs';
import { main } from '../../src/cli/main.ts';

const out = process.argv[2]!;
const runs = JSON.parse(process.argv[3]!) as string[][];
const results: { code: number; out: string; err: string }[] = [];
for (const args of runs) {
  let o = ''; let e = '';
  const ow = process.stdout.write.bind(process.stdout); const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => { o += typeof c === 'string' ? c : Buffer.from(c).toString('latin1'); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { e += typeof c === 'string' ? c : Buffer.from(c).toString(); return true; }) as typeof process.stderr.write;
  let code: number;
  try { code = await main(args); } finally { process.stdout.write = ow; process.stderr.write = ew; }
  results.push({ code, out: o, err: e });
}
writeFileSync(out, JSON.stringify(results));
