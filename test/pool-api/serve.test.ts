/** `simnav serve` end to end, on SQLite (a fresh file it migrates) and PostgreSQL: answers, logs no secrets, stops on SIGTERM. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open-store.ts';
import { createPoolService } from '../../src/domain/pools/service.ts';
import { realClock } from '../../src/lib/clock.ts';
import { createTestStore, testDialects } from '../../src/store/testing.ts';

const bin = fileURLToPath(new URL('../../bin/simnav.mjs', import.meta.url));

for (const dialect of testDialects()) describe(`${dialect}: simnav serve`, () => {
  it(`${dialect}: serve / starts on a fresh database, answers the pool API, keeps keys and SMS text out of its logs, stops on SIGTERM`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simnav-serve-'));
    const pg = dialect === 'postgres' ? await createTestStore('postgres') : null;
    const db = pg ? pg.url : `sqlite:${join(dir, 'panel.db')}`;
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--db', db, '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let base = '';
      for (let i = 0; i < 600 && !base; i++) {
        base = /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
        if (!base) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(base, `no listening line:\n${out}`);
      const store = await openStore(db);
      const created = await createPoolService({ store, clock: realClock() }).create({ title: 'serve-test' });
      await store.close();
      assert.ok(created.ok);
      const key = created.value.key;
      assert.equal(await (await fetch(`${base}/api/handler.php?pool_key=${key}&action=getPoolStatus`)).text(), '[{"total":0,"used":0,"free":0,"channels":0}]');
      const secretText = 'SECRET-SMS-TEXT-42';
      assert.equal(await (await fetch(`${base}/api/handler.php?pool_key=${key}&action=sendSms&number=1&recipient=2&text=${secretText}`)).text(), 'BAD_NUMBER');
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.ok(!out.includes(key), 'the pool key reached the log');
      assert.ok(!out.includes(secretText), 'SMS text reached the log');
      assert.match(out, /"path":"\/api\/handler.php"/);
    } finally {
      if (child.exitCode === null) { child.kill('SIGKILL'); await exited; }
      await pg?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
