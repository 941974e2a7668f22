/** Driver spellings the session used to derive from other commands: one place per model now. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allModels, DEFAULT_SETTINGS } from '../../models/index.ts';
import { driverFor } from './driver.ts';

test('deleteRead: AT+CMGD=1,1 addressed like the model\'s per-index delete (the spelling the session derived before); none on SMART', () => {
  const seen: Record<string, string | null> = {};
  for (const m of allModels) {
    const d = driverFor(m.id)!;
    const channels = Array.from({ length: Math.min(3, m.modemChannels(DEFAULT_SETTINGS)) }, (_, i) => i + 1);
    for (const c of channels) {
      // What online-session derived: the delete of index 1 with the delete flag 1 added.
      const one = d.deleteSms(c, [1]);
      const at = /AT\+CMGD=1(?![\d,])/;
      const derived = at.test(one) && !one.includes('&&') ? one.replace(at, 'AT+CMGD=1,1') : null;
      assert.equal(d.deleteRead(c), derived, `${m.id} channel ${c}`);
    }
    seen[d.kind] = d.deleteRead(channels[channels.length - 1]!);
  }
  assert.equal(seen['nano'], 'modem>send:AT+CMGD=1,1');
  assert.equal(seen['bank'], 'modem>pack:AT+CMGD=1,1##3;##1');
  assert.equal(seen['organizer'], 'modem[2]>send:AT+CMGD=1,1');
  assert.equal(seen['smart'], null);
});

test('pack(channels, AT+CLCC): the call question spelled like the registration check (as the session derived it); none on SR-Nano and SMART', () => {
  for (const m of allModels) {
    const d = driverFor(m.id)!;
    const channels = Array.from({ length: Math.min(3, m.modemChannels(DEFAULT_SETTINGS)) }, (_, i) => i + 1);
    const reg = d.registration(channels);
    const derived = reg.kind === 'pack' && reg.text.includes('AT+CREG?') ? reg.text.replace('AT+CREG?', 'AT+CLCC') : null;
    assert.equal(d.pack(channels, 'AT+CLCC'), derived, m.id);
  }
  assert.equal(driverFor('sr-box-8')!.pack([1, 4], 'AT+CLCC'), 'modem>pack:AT+CLCC##1;4;##1');
});
