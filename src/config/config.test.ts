import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

describe('config', () => {
  it('defaults: 127.0.0.1:8080 on sqlite:./data/simnav.db, 60 s sendSms wait', () => {
    const r = loadConfig([], {});
    assert.ok(r.ok);
    assert.equal(r.value.host, '127.0.0.1');
    assert.equal(r.value.port, 8080);
    assert.equal(r.value.db, 'sqlite:./data/simnav.db');
    assert.equal(r.value.sendSmsTimeoutMs, 60_000);
    assert.equal(r.value.demo, false);
  });
  it('flags win over environment variables', () => {
    const r = loadConfig(['--port', '9000', '--db=sqlite:/tmp/x.db', '--demo'], { SIMNAV_PORT: '7000', SIMNAV_HOST: '0.0.0.0', SIMNAV_TZ: 'Europe/Moscow' });
    assert.ok(r.ok);
    assert.equal(r.value.port, 9000);
    assert.equal(r.value.host, '0.0.0.0');
    assert.equal(r.value.db, 'sqlite:/tmp/x.db');
    assert.equal(r.value.timeZone, 'Europe/Moscow');
    assert.equal(r.value.demo, true);
  });
  it('bad values fail at boot with CONFIG_INVALID', () => {
    for (const args of [['--port', 'abc'], ['--port', '70000'], ['--db', 'mysql://x'], ['--tz', 'Mars/Base'], ['--bogus', '1'], ['--port'], ['--send-sms-timeout', '0']]) {
      const r = loadConfig(args, {});
      assert.equal(r.ok, false, args.join(' '));
      if (!r.ok) assert.equal(r.error.code, 'CONFIG_INVALID');
    }
  });
});
