import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simStatus } from './status.ts';
import type { StatusInput } from './status.ts';

const NOW = 1_800_000_000_000;
const base: StatusInput = { desired: 'online', statusCode: 1, ringCaller: null, ringAt: null, lastHeardAt: NOW - 1000, reportsCalls: false };

describe('sim status', () => {
  it('status / HOLD card → INACTIVE, even on a silent aggregator', () => {
    assert.equal(simStatus({ ...base, desired: 'offline' }, NOW), 'INACTIVE');
    assert.equal(simStatus({ ...base, desired: null, lastHeardAt: null }, NOW), 'INACTIVE');
  });
  it('status / aggregator silent for more than 60 s → OFFLINE', () => {
    assert.equal(simStatus({ ...base, lastHeardAt: NOW - 60_001 }, NOW), 'OFFLINE');
    assert.equal(simStatus({ ...base, lastHeardAt: NOW - 60_000 }, NOW), 'WAIT_SMS');
    assert.equal(simStatus({ ...base, lastHeardAt: null }, NOW), 'OFFLINE');
  });
  it('status / legacy codes map per device-link.md §5.2', () => {
    const cases: Array<[number | null, string]> = [
      [-4, 'CONNECTING'], [-3, 'CONNECTING'], [-2, 'CONNECTING'], [-1, 'CONNECTING'], [null, 'CONNECTING'], [2, 'CONNECTING'],
      [0, 'ERROR'], [3, 'ERROR'], [4, 'ERROR'], [6, 'ERROR'], [9, 'ERROR'], [1, 'WAIT_SMS'], [5, 'WAIT_SMS'],
    ];
    for (const [code, want] of cases) assert.equal(simStatus({ ...base, statusCode: code }, NOW), want, String(code));
  });
  it('status / models that report calls say WAIT_SMS_CALL', () => {
    assert.equal(simStatus({ ...base, reportsCalls: true }, NOW), 'WAIT_SMS_CALL');
  });
  it('status / a call within 10 s → RING_[digits], brackets literal, no +', () => {
    assert.equal(simStatus({ ...base, ringCaller: '+79161234567', ringAt: NOW - 9_000 }, NOW), 'RING_[79161234567]');
    assert.equal(simStatus({ ...base, ringCaller: '+79161234567', ringAt: NOW - 10_001 }, NOW), 'WAIT_SMS');
  });
});
