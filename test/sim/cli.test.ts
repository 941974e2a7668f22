/**
 * `simnav sim` as a process: a fleet file and a tokens file, devices polling the panel stub with
 * those tokens, the control API on the printed URL, a clean exit on SIGINT; bad arguments exit 2;
 * `--fleet demo --register --admin-token` against a real panel (buildApp on SQLite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PanelStub } from './support/panel-stub.ts';
import { startPanel } from '../admin/support.ts';
import type { ChildProcess } from 'node:child_process';

/** Ctrl-C to `simnav sim`; resolves to its exit code (0 when it stopped cleanly). */
function interrupt(child: ChildProcess): Promise<number | null> {
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  return exit;
}

const BIN = fileURLToPath(new URL('../../bin/simnav.mjs', import.meta.url));

test('simnav sim / bad arguments and bad fleet files exit 2 with a message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simnav-sim-'));
  writeFileSync(join(dir, 'bad.json'), '{"devices":[{"id":"x","model":"sr-zzz"}]}');
  const cases: Array<[string[], RegExp]> = [
    [['sim'], /--panel/],
    [['sim', '--panel', 'ftp://x'], /--panel/],
    [['sim', '--panel', 'http://127.0.0.1:9', '--fleet', join(dir, 'missing.json')], /cannot read fleet file/],
    [['sim', '--panel', 'http://127.0.0.1:9', '--fleet', join(dir, 'bad.json')], /\$\.devices\[0\]\.model/],
    [['sim', '--panel', 'http://127.0.0.1:9', '--register'], /--admin-token/],
    [['sim', '--panel', 'http://127.0.0.1:9', '--poll-ms', 'fast'], /--poll-ms/],
  ];
  for (const [args, re] of cases) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test('simnav sim / a fleet file with a tokens file polls the panel; the control API answers; SIGINT stops it', async () => {
  const panel = await new PanelStub().start();
  const dir = mkdtempSync(join(tmpdir(), 'simnav-sim-'));
  const fleet = join(dir, 'fleet.json');
  const tokens = join(dir, 'tokens.json');
  writeFileSync(fleet, JSON.stringify({ seed: 3, devices: [{ id: 'a', model: 'sr-box-8', fill: { count: 2 } }, { id: 'b', model: 'sr-organizer-smart' }] }));
  writeFileSync(tokens, JSON.stringify({ a: 'tokenAAAA', b: { token: 'tokenBBBB' } }));
  const child = spawn(process.execPath, [BIN, 'sim', '--panel', panel.url, '--fleet', fleet, '--tokens', tokens, '--control-port', '0', '--poll-ms', '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    for (let i = 0; i < 600 && !/simulator control: (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const control = /simulator control: (\S+)/.exec(out)?.[1];
    assert.ok(control, out);
    for (let i = 0; i < 300 && !(panel.unsolicited('tokenAAAA').includes('SR start') && panel.unsolicited('tokenBBBB').includes('SR started')); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(panel.unsolicited('tokenAAAA').includes('SR start'), 'classic device polls with its token');
    assert.ok(panel.unsolicited('tokenBBBB').includes('SR started'), 'SMART device polls with its token');
    const devices = await (await fetch(control + 'devices')).json() as { devices: Array<{ id: string }> };
    assert.deepEqual(devices.devices.map((d) => d.id), ['a', 'b']);
    assert.equal(await interrupt(child), 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await panel.stop();
  }
});

test('simnav sim --fleet demo --register --admin-token / creates the 11 demo aggregators and their cards through the admin API, then polls link.php with the issued tokens', async () => {
  const p = await startPanel();
  const dir = mkdtempSync(join(tmpdir(), 'simnav-sim-'));
  const tokensFile = join(dir, 'tokens.json');
  const child = spawn(process.execPath, [BIN, 'sim', '--panel', p.origin, '--fleet', 'demo', '--register', '--admin-token', p.admin, '--write-tokens', tokensFile, '--control-port', '0', '--poll-ms', '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    for (let i = 0; i < 600 && !/simulator control: (\S+)/.test(out) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    const control = /simulator control: (\S+)/.exec(out)?.[1];
    assert.ok(control, out);
    const registered = /^registered (\d+) aggregators, (\d+) cards$/m.exec(out);
    assert.ok(registered, out);
    assert.equal(registered[1], '11');
    const aggs = (await p.call('GET', '/aggregators', { token: p.admin })).body.items as Array<{ title: string }>;
    assert.equal(aggs.length, 11);
    const cards = (await p.call('GET', '/cards?limit=1000', { token: p.admin })).body.items as unknown[];
    assert.equal(cards.length, Number(registered[2]));
    const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, { token: string }>;
    assert.deepEqual(Object.keys(tokens).sort(), aggs.map((a) => a.title).sort(), '--write-tokens keeps one token per device');
    // Every device polls the panel's link.php with its token and is answered (no HTTP errors).
    type Dev = { id: string; stats: { polls: number; httpErrors: number } };
    let devs: Dev[] = [];
    for (let i = 0; i < 300; i++) {
      devs = ((await (await fetch(control + 'devices')).json()) as { devices: Dev[] }).devices;
      if (devs.every((d) => d.stats.polls > 2)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(devs.length, 11);
    assert.deepEqual(devs.filter((d) => d.stats.polls <= 2 || d.stats.httpErrors > 0), [], 'all polling without errors');
    assert.equal(await interrupt(child), 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await p.close();
  }
});
