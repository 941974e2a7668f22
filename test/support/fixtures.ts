/**
 * Third-party ground truth lives next to the repository in ../shared/fixtures (never copied in).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const fixturesDir = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));

export function fixturePath(rel: string): string {
  return join(fixturesDir, rel);
}

export function readFixtureText(rel: string): string {
  return readFileSync(fixturePath(rel), 'utf8');
}

export function readFixtureJson<T = unknown>(rel: string): T {
  return JSON.parse(readFixtureText(rel)) as T;
}
