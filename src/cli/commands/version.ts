import { readFileSync } from 'node:fs';

export const summary = 'print the simnav version';
export const usage = 'usage: simnav version\n\nPrints the version of this simnav installation.';

export async function run(): Promise<number> {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`simnav ${pkg.version}\n`);
  return 0;
}
