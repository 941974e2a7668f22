import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allModels, allPlaces, boardGroupLabel, getModel, nanoPaddedPlace, resolveSettings, validateModel,
} from './index.ts';
import { defineModel as defineModelForTest } from './base.ts';
import type { ModelDescriptor, Place, ResolvedSettings } from './index.ts';

function settings(raw: Parameters<typeof resolveSettings>[0] = {}): ResolvedSettings {
  const r = resolveSettings(raw);
  assert.ok(r.ok, 'settings resolve');
  return r.value;
}
const S = settings();

function model(id: string): ModelDescriptor {
  const m = getModel(id);
  assert.ok(m, `model ${id} registered`);
  return m;
}

function parse(id: string, text: string, s = S): Place {
  const r = model(id).parsePlace(text, s);
  assert.ok(r.ok, `${id} parses ${text}: ${JSON.stringify(r)}`);
  return r.value;
}

function refuse(id: string, text: string, code: 'PLACE_SYNTAX' | 'PLACE_OUT_OF_RANGE', s = S): void {
  const r = model(id).parsePlace(text, s);
  assert.equal(r.ok, false, `${id} refuses ${JSON.stringify(text.slice(0, 30))}`);
  if (!r.ok) { assert.equal(r.error.code, code); assert.equal(r.error.model, id); assert.ok(r.error.input.length <= 40); }
}

test('registry / eleven models, looked up by id or API title, validated', () => {
  assert.deepEqual(allModels.map((m) => m.title), [
    'SR-Nano-500', 'SR-Nano-1000', 'SR-Train', 'SR-Box-8', 'SR-Box-Bank', 'SR-Board', 'SR-Box-2', 'SR-Box-2-Bank',
    'SR-Organizer', 'SR-Organizer-Smart', 'SR-Box-8-Smart',
  ]);
  assert.equal(getModel('SR-Train'), getModel('sr-train'));
  assert.equal(getModel(' sr-nano-500 ')?.title, 'SR-Nano-500');
  assert.equal(getModel('SR-Nano'), undefined);
  assert.equal(getModel("x' OR 1=1"), undefined);
  for (const m of allModels) assert.deepEqual(validateModel(m), [], m.id);
  assert.deepEqual(allModels.filter((m) => m.protocol === 'smart').map((m) => m.id), ['sr-organizer-smart', 'sr-box-8-smart']);
});

test('validateModel / a descriptor whose format does not round-trip is reported', () => {
  const broken = defineModelForTest({ ...model('sr-organizer'), id: 'sr-broken', title: 'SR-Broken', formatPlace: (p: Place) => `${p.line}/${p.slot}` });
  const problems = validateModel(broken);
  assert.ok(problems.some((p) => p.includes('does not round-trip')), problems.join('\n'));
  const wrongChannel = defineModelForTest({ ...model('sr-organizer'), id: 'sr-wrong', title: 'SR-Wrong', modemChannels: () => 1 });
  assert.ok(validateModel(wrongChannel).some((p) => p.includes('on channel 2 of 1')));
});

test('layout / capacities per model (device-link.md §4.1)', () => {
  const count = (id: string, s = S) => allPlaces(model(id), s).length;
  assert.equal(count('sr-nano-500'), 500);
  assert.equal(count('sr-nano-1000'), 1000);
  assert.deepEqual(model('sr-nano-500').layout(S).map((l) => l.slots.length), [100, 90, 80, 68, 58, 46, 34, 24]);
  assert.deepEqual(model('sr-nano-1000').layout(S).map((l) => l.label).join(''), 'ABCDEFGHIJKL');
  assert.equal(count('sr-train'), 160);
  assert.equal(count('sr-train', settings({ rowBegin: 2, rowEnd: 5 })), 32);
  assert.equal(count('sr-box-8'), 8);
  assert.equal(count('sr-box-bank'), 64);
  assert.equal(count('sr-box-bank', settings({ bankMap: '11110000' })), 256);
  assert.equal(count('sr-board'), 512);
  assert.equal(count('sr-box-2'), 64);
  assert.equal(count('sr-box-2-bank', settings({ bankMap: '11111111' })), 512);
  assert.equal(count('sr-organizer'), 16);
  assert.equal(count('sr-organizer-smart', settings({ smartType: 52 })), 16);
  assert.equal(count('sr-organizer-smart', settings({ smartType: 54 })), 24);
  assert.equal(count('sr-organizer-smart', settings({ smartType: 55 })), 24);
  assert.equal(count('sr-box-8-smart'), 64);
});

test('places / Nano accepts A5, A05, A005, a5 and formats A5; range per track', () => {
  for (const t of ['A5', 'A05', 'A005', 'a5', ' A5 ']) assert.deepEqual(parse('sr-nano-500', t), { line: 0, slot: 5 });
  assert.equal(model('sr-nano-500').formatPlace({ line: 7, slot: 23 }), 'H23');
  assert.deepEqual(parse('sr-nano-500', 'A99'), { line: 0, slot: 99 });
  refuse('sr-nano-500', 'A100', 'PLACE_OUT_OF_RANGE');
  refuse('sr-nano-500', 'H24', 'PLACE_OUT_OF_RANGE');
  refuse('sr-nano-500', 'I0', 'PLACE_OUT_OF_RANGE');
  assert.deepEqual(parse('sr-nano-1000', 'L23'), { line: 11, slot: 23 });
  assert.deepEqual(parse('sr-nano-1000', 'A139'), { line: 0, slot: 139 });
  refuse('sr-nano-1000', 'A140', 'PLACE_OUT_OF_RANGE');
  for (const bad of ['', 'A', '5', 'A-5', 'AB5', 'A5x', '4-7']) refuse('sr-nano-500', bad, 'PLACE_SYNTAX');
  assert.equal(nanoPaddedPlace({ line: 0, slot: 5 }, 2), 'A05');
  assert.equal(nanoPaddedPlace({ line: 0, slot: 5 }, 3), 'A005');
});

test('places / Nano channel position is the disk ordinal and inverts', () => {
  const m = model('sr-nano-500');
  assert.deepEqual(m.channelOptions(parse('sr-nano-500', 'B0'), S), [{ channel: 1, modem: 1, position: 100 }]);
  assert.deepEqual(m.channelOptions(parse('sr-nano-500', 'H23'), S), [{ channel: 1, modem: 1, position: 499 }]);
  assert.deepEqual(m.placeAt(1, 190, S), { line: 2, slot: 0 });
  assert.equal(m.placeAt(1, 500, S), null);
  assert.equal(m.placeAt(2, 0, S), null);
});

test('places / Train 4-7: modem 7 at row 4, or modem 15 with the carriage at row 1', () => {
  const m = model('sr-train');
  const p = parse('sr-train', '4-7');
  assert.deepEqual(p, { line: 4, slot: 7 });
  assert.equal(m.formatPlace(parse('sr-train', '04-07')), '4-7');
  assert.deepEqual(m.channelOptions(p, S), [{ channel: 7, modem: 7, position: 4 }, { channel: 15, modem: 15, position: 1 }]);
  assert.deepEqual(m.channelOptions(parse('sr-train', '2-1'), S), [{ channel: 1, modem: 1, position: 2 }]);
  assert.deepEqual(m.placeAt(9, 5, S), { line: 8, slot: 1 });
  assert.deepEqual(m.placeAt(8, 5, S), { line: 5, slot: 8 });
  assert.equal(m.placeAt(9, 17, S), null, 'row 20 does not exist');
  refuse('sr-train', '4-9', 'PLACE_OUT_OF_RANGE');
  refuse('sr-train', '4-0', 'PLACE_OUT_OF_RANGE');
  refuse('sr-train', '20-1', 'PLACE_OUT_OF_RANGE');
  refuse('sr-train', '1-1', 'PLACE_OUT_OF_RANGE', settings({ rowBegin: 2, rowEnd: 9 }));
  for (const bad of ['4', 'A4', '4--7', '-4-7', '4-7-1']) refuse('sr-train', bad, 'PLACE_SYNTAX');
});

test('places / Box-8 letters only; Box-Bank C12 within the bank map', () => {
  assert.deepEqual(parse('sr-box-8', 'c'), { line: 2, slot: 0 });
  assert.equal(model('sr-box-8').formatPlace({ line: 2, slot: 0 }), 'C');
  refuse('sr-box-8', 'C1', 'PLACE_SYNTAX');
  refuse('sr-box-8', 'I', 'PLACE_OUT_OF_RANGE');
  const banks = settings({ bankMap: '11000000' });
  assert.deepEqual(parse('sr-box-bank', 'C12', banks), { line: 2, slot: 12 });
  refuse('sr-box-bank', 'C12', 'PLACE_OUT_OF_RANGE');
  refuse('sr-box-bank', 'C17', 'PLACE_OUT_OF_RANGE', banks);
  refuse('sr-box-bank', 'A1', 'PLACE_OUT_OF_RANGE', settings({ bankMap: '01000000' }));
  assert.deepEqual(parse('sr-box-bank', 'A9', settings({ bankMap: '01000000' })), { line: 0, slot: 9 });
  assert.deepEqual(model('sr-box-bank').channelOptions({ line: 2, slot: 12 }, banks), [{ channel: 3, modem: 3, position: 12 }]);
  refuse('sr-box-bank', 'C0', 'PLACE_OUT_OF_RANGE');
});

test('places / Board A1…H64 and its group label', () => {
  assert.deepEqual(parse('sr-board', 'h64'), { line: 7, slot: 64 });
  refuse('sr-board', 'H65', 'PLACE_OUT_OF_RANGE');
  assert.equal(boardGroupLabel(1), '1-01');
  assert.equal(boardGroupLabel(18), '2-02');
  assert.equal(boardGroupLabel(64), '4-16');
});

test('places / Box-2: channels A–D on modem 1, E–H on modem 2', () => {
  const m = model('sr-box-2');
  assert.deepEqual(m.channelOptions(parse('sr-box-2', 'D3'), S), [{ channel: 4, modem: 1, position: 3 }]);
  assert.deepEqual(m.channelOptions(parse('sr-box-2', 'E3'), S), [{ channel: 5, modem: 2, position: 3 }]);
  assert.deepEqual(model('sr-box-2-bank').channelOptions({ line: 7, slot: 40 }, settings({ bankMap: '11111111' })), [{ channel: 8, modem: 2, position: 40 }]);
});

test('places / Organizer 2-5 is card 5 of modem 2', () => {
  const m = model('sr-organizer');
  assert.deepEqual(parse('sr-organizer', '2-5'), { line: 2, slot: 5 });
  assert.deepEqual(m.channelOptions({ line: 2, slot: 5 }, S), [{ channel: 2, modem: 2, position: 5 }]);
  refuse('sr-organizer', '3-1', 'PLACE_OUT_OF_RANGE');
  refuse('sr-organizer', '1-9', 'PLACE_OUT_OF_RANGE');
  refuse('sr-organizer', 'A1', 'PLACE_SYNTAX');
});

test('places / Organizer-Smart B3: modem 2 card 3 on type 55, card 11 on 1-modem types (legacy bug fixed)', () => {
  const m = model('sr-organizer-smart');
  const s55 = settings({ smartType: 55 });
  const s52 = settings({ smartType: 52 });
  assert.deepEqual(m.channelOptions(parse('sr-organizer-smart', 'B3', s55), s55), [{ channel: 2, modem: 2, position: 3 }]);
  assert.deepEqual(m.channelOptions(parse('sr-organizer-smart', 'B3', s52), s52), [{ channel: 1, modem: 1, position: 11 }]);
  assert.deepEqual(m.placeAt(1, 11, s52), { line: 1, slot: 3 });
  refuse('sr-organizer-smart', 'C1', 'PLACE_OUT_OF_RANGE', s52);
  assert.deepEqual(parse('sr-organizer-smart', 'C8', settings({ smartType: 54 })), { line: 2, slot: 8 });
  assert.equal(m.modemChannels(s55), 3);
  assert.equal(m.modemChannels(s52), 1);
});

test('places / hostile input → typed refusal, never a throw', () => {
  const inputs = ['x'.repeat(1_000_000), "A1' OR '1'='1", 'A1;DROP TABLE cards', '\u0000A1', 'Ａ1', 'A１', '1e3-1', '0x1-1', 'NaN-1', '٣-1'];
  for (const m of allModels) {
    for (const text of inputs) {
      const r = m.parsePlace(text, S);
      assert.equal(r.ok, false, `${m.id} ${JSON.stringify(text.slice(0, 20))}`);
    }
    // Non-string input from an untyped caller is refused too.
    assert.equal(m.parsePlace(undefined as unknown as string, S).ok, false);
  }
});

test('settings / defaults and typed refusals', () => {
  assert.deepEqual({ ...S, enabledChannels: S.enabledChannels }, { rowBegin: 0, rowEnd: 19, bankMap: '10000000', smartType: 55, enabledChannels: null });
  const cases: Array<[Parameters<typeof resolveSettings>[0], string]> = [
    [{ rowBegin: -1 }, 'rowBegin'], [{ rowBegin: 5, rowEnd: 4 }, 'rowEnd'], [{ rowEnd: 1.5 }, 'rowEnd'],
    [{ bankMap: '00000000' }, 'bankMap'], [{ bankMap: '1111111112' }, 'bankMap'], [{ bankMap: '' }, 'bankMap'],
    [{ smartType: 53 as 52 }, 'smartType'], [{ enabledChannels: [0] }, 'enabledChannels'],
  ];
  for (const [raw, field] of cases) {
    const r = resolveSettings(raw);
    assert.equal(r.ok, false, JSON.stringify(raw));
    if (!r.ok) { assert.equal(r.error.code, 'SETTINGS_INVALID'); assert.equal(r.error.field, field); }
  }
});
