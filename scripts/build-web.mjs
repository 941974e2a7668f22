#!/usr/bin/env node
// Builds the web console (src/web/) into dist/web/: app.js (esbuild bundle of src/web/main.ts),
// app.css, index.html, favicon.svg. Run by `npm start` / `npm test` (prestart/pretest) and by the
// console plugin when dist/web is missing. Files are written to a temporary name and renamed, so
// a server reading them never sees half a file. Usage: node scripts/build-web.mjs [--out DIR]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds into `outDir` (default dist/web); resolves to the list of files written. */
export async function buildWeb(outDir = join(root, 'dist', 'web')) {
  mkdirSync(outDir, { recursive: true });
  const tag = `.tmp-${process.pid}-${Date.now()}`;
  const result = await build({
    entryPoints: { app: join(root, 'src/web/main.ts'), style: join(root, 'src/web/app.css') },
    bundle: true, format: 'esm', target: 'es2022', platform: 'browser', minify: true, sourcemap: false,
    legalComments: 'none', write: false, outdir: outDir, logLevel: 'warning',
  });
  const written = [];
  for (const f of result.outputFiles) {
    const name = f.path.endsWith('.css') ? 'app.css' : 'app.js';
    const dest = join(outDir, name);
    writeFileSync(dest + tag, f.contents);
    renameSync(dest + tag, dest);
    written.push(name);
  }
  for (const name of ['index.html', 'favicon.svg']) {
    const dest = join(outDir, name);
    copyFileSync(join(root, 'src/web', name), dest + tag);
    renameSync(dest + tag, dest);
    written.push(name);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? resolve(process.argv[i + 1] ?? '') : undefined;
  buildWeb(out).then((files) => console.log(`web console built: ${files.join(', ')}`), (err) => { console.error(err); process.exit(1); });
}
