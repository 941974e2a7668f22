import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore } from '../../store/testing.ts';
import { FakeClock } from '../../lib/clock.ts';
import { verifyPassword } from '../auth/secrets.ts';
import { ensureFirstAdmin } from './users.ts';

test('first run / no users → admin with a random password written once to the terminal, never to the log', async () => {
  const store = await createTestStore('sqlite');
  try {
    const logged: string[] = [];
    const printed: string[] = [];
    const log = { info: (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? '')), warn: (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? '')) };
    const pw = await ensureFirstAdmin(store, log, { clock: new FakeClock(), out: (l) => printed.push(l) });
    assert.ok(pw && pw.length >= 20);
    assert.ok(printed.some((l) => l.includes(pw)));
    assert.ok(!logged.some((l) => l.includes(pw)), 'the log never holds the password');
    const row = await store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([row.login, row.role], ['admin', 'admin']);
    assert.equal(await verifyPassword(pw, row.password_hash), true);
    assert.equal(await ensureFirstAdmin(store, log, { out: (l) => printed.push(l) }), null, 'second run: nothing');
    assert.equal((await store.db.selectFrom('users').select('id').execute()).length, 1);
  } finally { await store.close(); }
});
