/**
 * The virtual modem in simulated time: registration state machine, restart, SMS storage in PDU
 * mode (+CMGL/+CMGR/+CMGD/+CMGDA with indexes and read state), USSD, calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/clock.ts';
import { runAt } from './at-commands.ts';
import { BOOT_MESSAGE, DEFAULT_MODEM_TIMINGS, Modem, type ModemType } from './modem.ts';
import { MobileNetwork } from './network.ts';
import { createRng } from './rng.ts';
import { SimCard, type RegistrationBehaviour } from './sim-card.ts';

function setup(reg: RegistrationBehaviour = 'ok', type: ModemType = 'SIM800') {
  const clock = new FakeClock();
  const network = new MobileNetwork({ clock, rng: createRng(1) });
  const out: string[] = [];
  const modem = new Modem(1, type, network, DEFAULT_MODEM_TIMINGS, (t) => out.push(t));
  const sim = new SimCard({ iccid: '89701010068650504170', msisdn: '79169716297', operator: 'mts', registration: reg, balance: 12.5 });
  network.addSim(sim);
  modem.setSim(sim);
  return { clock, network, modem, sim, out };
}

const body = (s: string): string => s.slice(s.indexOf('\r\r\r\n') + 4);

test('modem / registration 0 → 2 → 1 after power-on, Call Ready first', async () => {
  const { clock, modem, out } = setup();
  assert.equal(runAt(modem, 'AT'), '', 'an unpowered modem prints nothing');
  modem.powerOn();
  await clock.advance(DEFAULT_MODEM_TIMINGS.bootMs);
  assert.deepEqual(out, [BOOT_MESSAGE]);
  assert.equal(body(runAt(modem, 'AT+CREG?')), '+CREG: 0,0\r\n\r\nOK');
  await clock.advance(DEFAULT_MODEM_TIMINGS.searchMs);
  assert.equal(modem.creg, 2);
  await clock.advance(DEFAULT_MODEM_TIMINGS.registerMs);
  assert.equal(runAt(modem, 'AT+CREG?'), 'AT+CREG?\r\r\r\n+CREG: 0,1\r\n\r\nOK');
  assert.equal(body(runAt(modem, 'AT+COPS?')), '+COPS: 0,0,"MTS RUS"\r\n\r\nOK');
});

test('modem / a card seated while the modem boots does not cancel the boot: Call Ready, then registration', async () => {
  const { clock, modem, sim, out } = setup();
  modem.setSim(undefined);
  modem.powerOn();
  await clock.advance(DEFAULT_MODEM_TIMINGS.bootMs / 2);
  modem.setSim(sim);
  await clock.advance(DEFAULT_MODEM_TIMINGS.bootMs / 2 + DEFAULT_MODEM_TIMINGS.searchMs + DEFAULT_MODEM_TIMINGS.registerMs);
  assert.deepEqual(out, [BOOT_MESSAGE]);
  assert.equal(modem.answering, true);
  assert.equal(modem.creg, 1);
});

for (const [reg, stat] of [['roaming', 5], ['denied', 3], ['searching', 2], ['none', 0], ['unknown', 4]] as const) {
  test(`modem / registration behaviour ${reg} ends in stat ${stat}`, async () => {
    const { clock, modem } = setup(reg);
    modem.powerOn();
    await clock.advance(30_000);
    assert.equal(modem.creg, stat);
  });
}

test('modem / AT+CFUN=1,1 restarts: no answer while booting, Call Ready, registration again; behaviour changes apply at once', async () => {
  const { clock, modem, sim, out } = setup();
  modem.powerOn();
  await clock.advance(20_000);
  assert.equal(body(runAt(modem, 'AT+CFUN=1,1')), 'OK');
  await clock.advance(10);
  assert.equal(runAt(modem, 'AT+CREG?'), '');
  await clock.advance(20_000);
  assert.deepEqual(out, [BOOT_MESSAGE, BOOT_MESSAGE]);
  assert.equal(modem.creg, 1);
  sim.registration = 'denied';
  modem.behaviourChanged();
  assert.equal(modem.creg, 3);
});

test('modem / SMS storage: +CMTI index, +CMGL=0 lists unread and marks read, +CMGR, +CMGD, +CMGDA', async () => {
  const { clock, modem, network, sim, out } = setup();
  modem.powerOn();
  await clock.advance(20_000);
  assert.ok(network.sendSms({ to: '+79169716297', from: '111', text: 'one' }).ok);
  assert.ok(network.sendSms({ to: '79169716297', from: 'Tele2', text: 'two' }).ok);
  assert.deepEqual(out.slice(1), ['+CMTI: "SM",1', '+CMTI: "SM",2']);
  const list = body(runAt(modem, 'AT+CMGL=0'));
  assert.match(list, /^\+CMGL: 1,0,"",\d+\r\n[0-9A-F]+\r\n\+CMGL: 2,0,"",\d+\r\n[0-9A-F]+\r\n\r\nOK$/);
  assert.equal(body(runAt(modem, 'AT+CMGL=0')), 'OK', 'all read now');
  assert.match(body(runAt(modem, 'AT+CMGR=2')), /^\+CMGR: 1,"",\d+\r\n[0-9A-F]+\r\n\r\nOK$/);
  assert.equal(body(runAt(modem, 'AT+CMGR=9')), 'OK', 'empty index');
  assert.equal(body(runAt(modem, 'AT+CMGD=1')), 'OK');
  assert.deepEqual([...sim.storage.keys()], [2]);
  assert.equal(body(runAt(modem, 'AT+CMGD=0,4')), 'ERROR', 'SIM800 refuses index 0 (link_1.log 5188)');
  assert.equal(body(runAt(modem, 'AT+CMGDA=5')), 'OK');
  assert.equal(sim.used, 0);
  assert.ok(network.sendSms({ to: '79169716297', text: 'three' }).ok);
  assert.equal(out.at(-1), '+CMTI: "SM",1', 'the lowest free index is reused');
});

test('modem / a full SIM leaves messages at the network until space is freed', async () => {
  const { clock, modem, network, sim } = setup();
  modem.powerOn();
  await clock.advance(20_000);
  for (let i = 0; i < sim.capacity + 2; i++) network.sendSms({ to: sim.msisdn, text: `m${i}` });
  assert.equal(sim.used, sim.capacity);
  assert.equal(network.pendingFor(sim.msisdn), 2);
  runAt(modem, 'AT+CMGDA=5');
  await clock.advance(1_000); // the SMSC retries
  assert.equal(network.pendingFor(sim.msisdn), 0);
  assert.equal(sim.used, 2);
});

test('modem / SIM5360 deletes with AT+CMGD=0,4 and refuses AT+CMGDA', async () => {
  const { clock, modem } = setup('ok', 'SIM5360');
  modem.powerOn();
  await clock.advance(20_000);
  assert.equal(body(runAt(modem, 'AT+CMGD=0,4')), 'OK');
  assert.equal(body(runAt(modem, 'AT+CMGDA=5')), 'ERROR');
  assert.equal(body(runAt(modem, 'AT+GMM')), 'SIMCOM_SIM5360E\r\n\r\nOK');
});

test('modem / USSD answers in UCS2 hex after a delay, balance filled in; without registration ERROR', async () => {
  const { clock, modem, out } = setup();
  modem.powerOn();
  assert.equal(runAt(modem, 'AT+CUSD=1,"*100#",15'), '', 'still booting');
  await clock.advance(20_000);
  assert.equal(body(runAt(modem, 'AT+CUSD=1,"*100#",15')), 'OK');
  await clock.advance(DEFAULT_MODEM_TIMINGS.ussdMs);
  const cusd = out.at(-1)!;
  const hex = /^\+CUSD: 0, "([0-9A-F]+)", 72$/.exec(cusd)![1]!;
  assert.equal(Buffer.from(hex, 'hex').swap16().toString('utf16le'), 'Баланс: 12.50 р.');
  modem.powerOff();
  modem.powerOn();
  await clock.advance(DEFAULT_MODEM_TIMINGS.bootMs);
  assert.equal(body(runAt(modem, 'AT+CUSD=1,"*100#",15')), 'ERROR', 'not registered yet');
});

test('modem / calls: ringing with +CLIP every 3 s, ATA answers, the caller hangs up → NO CARRIER; ATD', async () => {
  const { clock, modem, network, out } = setup();
  modem.powerOn();
  await clock.advance(20_000);
  out.length = 0;
  assert.ok(network.ring('79169716297', '+79031234567', 20).ok);
  await clock.advance(6_500);
  assert.deepEqual(out, Array(3).fill('+CLIP: "+79031234567",145,"",0,"",0'));
  assert.equal(body(runAt(modem, 'ATA')), 'OK');
  assert.deepEqual(modem.call, { kind: 'active', peer: '+79031234567', direction: 'in' });
  assert.equal(network.ring('79169716297', '+79030000000', 5).ok, false, 'busy');
  await clock.advance(14_000);
  assert.equal(out.at(-1), 'NO CARRIER');
  assert.equal(body(runAt(modem, 'ATD+79161112233;')), 'OK');
  const callKind = (): string => modem.snapshot().call.kind;
  assert.equal(callKind(), 'dialing');
  assert.equal(body(runAt(modem, 'ATH0')), 'OK');
  assert.equal(callKind(), 'idle');
  assert.equal(network.calls.at(-1)?.direction, 'out');
});

test('modem / no SIM: ICCID and CSPN fail, +CREG: 0,0', async () => {
  const { clock, modem } = setup();
  modem.setSim(undefined);
  modem.powerOn();
  await clock.advance(20_000);
  assert.equal(body(runAt(modem, 'AT+ICCID')), 'ERROR');
  assert.equal(body(runAt(modem, 'AT+CSPN?')), 'ERROR');
  assert.equal(body(runAt(modem, 'AT+CREG?')), '+CREG: 0,0\r\n\r\nOK');
  assert.equal(body(runAt(modem, 'AT+CPIN?')), '+CME ERROR: 10');
});
