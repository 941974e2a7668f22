/** Starts `simnav serve` processes on one database for the cluster test and bench. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const bin = fileURLToPath(new URL('../../../bin/simnav.mjs', import.meta.url));

export interface ServeNode {
  readonly id: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote (for failure messages). */
  output(): string;
  readonly exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Spawns one node and resolves once it is listening. */
export async function startServeNode(id: string, db: string, env: Record<string, string> = {}): Promise<ServeNode> {
  const port = await freePort();
  // SIMNAV_CLUSTER_LOGS=<dir>: full logs of every node there, at info level (debugging).
  const logDir = process.env.SIMNAV_CLUSTER_LOGS;
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--db', db, '--log-level', logDir ? 'info' : 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIMNAV_NODE_ID: id, ...env },
  });
  let out = '';
  const take = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    if (logDir) appendFileSync(join(logDir, `${id}.log`), d);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 2400 && !/listening on http/.test(out); i++) { // a loaded machine takes long to boot tsx
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!/listening on http/.test(out)) { child.kill('SIGKILL'); throw new Error(`node ${id} did not start:\n${out}`); }
  return { id, url: `http://127.0.0.1:${port}`, child, output: () => out, exited };
}
