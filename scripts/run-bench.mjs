#!/usr/bin/env node
// Runs one benchmark from bench/ (or lists them): npm run bench -- <name>
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2);
if (wanted.length === 0) { console.log('benchmarks:\n  ' + all.join('\n  ')); process.exit(0); }
for (const name of wanted) {
  if (!all.includes(name)) { console.error(`no benchmark ${name}`); process.exit(2); }
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', name + '.ts')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
