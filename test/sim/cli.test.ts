/**
 * `simnav sim` as a process: a fleet file and a tokens file, devices polling the panel stub with
 * those tokens, the control API on the printed URL, a clean exit on SIGINT; bad arguments exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PanelStub } from './support/panel-stub.ts';

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
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    assert.equal(await exit, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await panel.stop();
  }
});
