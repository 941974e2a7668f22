/**
 * The server-mode client against a scripted transport on a FakeClock: what it sends, when, and
 * what reaches the channel. (Against the simulated device over real HTTP: test/e2e/server-mode.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { DeviceChannel } from '../channel/channel.ts';
import { silentLog, type RuntimeLog } from './link-hub.ts';
import { createServer, type ServerResponse as HttpResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpServerTransport, parseServerReply, serverUrl, ServerModeClient, type ServerResponse, type ServerTransport } from './server-mode.ts';

interface Call { readonly step: number; readonly command: string; readonly signal: AbortSignal; answer(r: ServerResponse): void }

/** A transport whose calls the test answers by hand; counts requests in flight. */
function scripted() {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: ServerTransport = (url, signal) => new Promise<ServerResponse>((resolve) => {
    const data = new URL(url).searchParams.get('data')!;
    const [, step, ...rest] = data.split('||');
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = (r: ServerResponse) => { if (done) return; done = true; inFlight--; resolve(r); };
    signal.addEventListener('abort', () => finish({ ok: false, error: 'aborted' }), { once: true });
    calls.push({ step: Number(step), command: rest.join('||'), signal, answer: finish });
  });
  return { calls, transport, get inFlight() { return inFlight; }, get maxInFlight() { return maxInFlight; } };
}

function setup(opts: { log?: RuntimeLog; heard?: number[] } = {}) {
  const clock = new FakeClock();
  const channel = new DeviceChannel({ clock, steps: { next: 1000, persist: () => {} } });
  const t = scripted();
  const heard = opts.heard ?? [];
  const client = new ServerModeClient({
    channel, clock, log: opts.log ?? silentLog, ip: '127.0.0.1:8080', token: 'ab12C', transport: t.transport,
    intervalMs: 1000, timeoutMs: 10_000, backoffMaxMs: 30_000, retryHeldMs: 30_000, onHeard: (at) => heard.push(at),
  });
  /** Lets the loop run until it waits on the transport or the clock. */
  const settle = async () => { for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r)); };
  return { clock, channel, client, t, heard, settle };
}

const ok = (body: string): ServerResponse => ({ ok: true, status: 200, body });
const ECHO = { timeoutMs: 60_000, parse: (a: string) => ({ ok: true as const, value: a }) };

test('server mode / URL and reply framing as in §2.5', () => {
  assert.equal(serverUrl('10.0.0.5:81', 'ab12C', 1003, 'modem>select:5&&modem>send:AT+CUSD=1,"*100#",15'),
    'http://10.0.0.5:81/port?data=ab12C%7C%7C1003%7C%7Cmodem%3Eselect%3A5%26%26modem%3Esend%3AAT%2BCUSD%3D1%2C%22*100%23%22%2C15');
  assert.deepEqual(parseServerReply('1014#!#1##E#3#'), { step: 1014, data: '1##E#3#' });
  assert.deepEqual(parseServerReply('0#!#+CMTI: "SM",3'), { step: 0, data: '+CMTI: "SM",3' });
  for (const junk of ['', 'REQUEST', '<html>', 'x#!#1', '1014#!#', '12345678901#!#1']) assert.deepEqual(parseServerReply(junk), { step: 0, data: 'REQUEST' }, junk);
});

test('server mode / a command goes out with its step right after an answer; its result, in a later reply, reaches the waiter; one request in flight at a time', async () => {
  const { clock, channel, client, t, heard, settle } = setup();
  client.start();
  await settle();
  assert.equal(t.calls.length, 1);
  assert.equal(t.calls[0]!.command, 'REQUEST');
  const sent = channel.send({ text: 'dev:serial', ...ECHO });
  t.calls[0]!.answer(ok('0#!#SR start'));
  await settle();
  assert.deepEqual([t.calls[1]!.step, t.calls[1]!.command], [1000, 'dev:serial'], 'released in reply to the answer, sent at once');
  t.calls[1]!.answer(ok('0#!#REQUEST'));
  await settle();
  assert.equal(t.calls.length, 2, 'idle: waits the interval');
  await clock.advance(1000);
  await settle();
  t.calls[2]!.answer(ok('1000#!#015219203023209206'));
  const r = await sent;
  assert.ok(r.ok && r.value === '015219203023209206');
  assert.equal(t.maxInFlight, 1);
  assert.equal(channel.unsolicited.list().map((m) => m.body).join(), 'SR start');
  assert.deepEqual(heard, [clock.now() - 1000], 'liveness noted once (throttled to every 5 s)');
  await client.stop();
  assert.equal(t.inFlight, 0, 'stop aborts the request in flight');
});

test('server mode / unreachable: no poll reaches the channel (a queued command expires unsent, liveness stays), back-off doubles up to the cap, one warning; recovery logs once', async () => {
  const lines: string[] = [];
  const log: RuntimeLog = { info: (_o, m) => lines.push(`info ${m}`), warn: (_o, m) => lines.push(`warn ${m}`), error: (_o, m) => lines.push(`error ${m}`) };
  const { clock, channel, client, t, heard, settle } = setup({ log });
  client.start();
  await settle();
  const sent = channel.send({ text: 'card:A5', timeoutMs: 20_000, parse: ECHO.parse });
  const starts: number[] = [];
  for (let i = 0; i < 8; i++) {
    starts.push(clock.now());
    t.calls.at(-1)!.answer({ ok: false, error: 'connect ECONNREFUSED' });
    await settle();
    const before = t.calls.length;
    while (t.calls.length === before) await clock.advance(500);
    await settle();
  }
  assert.ok(t.calls.every((c) => c.command === 'REQUEST'), 'nothing was handed out');
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
  assert.deepEqual(gaps, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  const r = await sent;
  assert.ok(!r.ok && r.error.code === 'TIMEOUT' && r.error.released === false, 'expired in the queue, never sent');
  assert.equal(channel.lastHeardAt, null);
  assert.deepEqual(heard, []);
  assert.deepEqual(lines, ['warn server mode: the device does not answer; retrying with back-off']);
  t.calls.at(-1)!.answer(ok('0#!#SR start'));
  await settle();
  assert.equal(lines.at(-1), 'info server mode: the device answers again');
  assert.deepEqual(heard, [clock.now()]);
  assert.equal(client.stats.failingFor, 0);
  await client.stop();
});

test('server mode / a timeout on the clock fails the request; a handed-out command is re-sent with the same step until answered, or dropped after retryHeldMs', async () => {
  const { clock, channel, client, t, settle } = setup();
  client.start();
  await settle();
  void channel.send({ text: 'modem>on', ...ECHO });
  t.calls[0]!.answer(ok('0#!#REQUEST'));
  await settle();
  assert.equal(t.calls[1]!.command, 'modem>on');
  await clock.advance(10_000);
  await settle();
  assert.ok(t.calls[1]!.signal.aborted, 'timed out after 10 s of clock time');
  await clock.advance(1000);
  await settle();
  assert.deepEqual([t.calls[2]!.step, t.calls[2]!.command], [1000, 'modem>on'], 'same step again');
  // Keep failing: after 30 s of retries the command is dropped and plain requests follow.
  while (clock.now() < Date.UTC(2026, 0, 1) + 60_000) {
    const n = t.calls.length;
    t.calls.at(-1)!.answer({ ok: false, error: 'EHOSTUNREACH' });
    await settle();
    while (t.calls.length === n) await clock.advance(500);
    await settle();
  }
  assert.equal(client.stats.commandsDropped, 1);
  assert.equal(t.calls.at(-1)!.command, 'REQUEST');
  assert.ok(t.calls.filter((c) => c.command === 'modem>on').every((c) => c.step === 1000));
  // HTTP 403 (wrong token) is a failure too, not an answer.
  const heardBefore = channel.lastHeardAt;
  t.calls.at(-1)!.answer({ ok: true, status: 403, body: '' });
  await settle();
  assert.match(client.stats.lastError!, /403/);
  assert.equal(channel.lastHeardAt, heardBefore);
  await client.stop();
});

test('server mode / a device that always has something to say gets a pause after 32 back-to-back requests', async () => {
  const { clock, client, t, settle } = setup();
  client.start();
  await settle();
  for (let i = 0; i < 32; i++) {
    t.calls.at(-1)!.answer(ok(`0#!#chatter ${i}`));
    await settle();
  }
  assert.equal(t.calls.length, 32, 'the 32nd answer is followed by the idle pause');
  await clock.advance(1000);
  await settle();
  assert.equal(t.calls.length, 33);
  await client.stop();
});

test('server mode / a missing or bad address or token is refused before any request', async () => {
  const lines: string[] = [];
  const clock = new FakeClock();
  const channel = new DeviceChannel({ clock, steps: { next: 1000, persist: () => {} } });
  const t = scripted();
  const bad = [['evil.com/x?', 't'], ['a b', 't'], ['', 't'], ['host:99999999', 't'], ['10.0.0.5', ''], ['10.0.0.5', 'a||b']] as const;
  for (const [ip, token] of bad) {
    const c = new ServerModeClient({ channel, clock, ip, token, transport: t.transport, log: { ...silentLog, error: (_o, m) => lines.push(m ?? '') } });
    c.start();
    await c.stop();
  }
  assert.equal(t.calls.length, 0);
  assert.equal(lines.length, bad.length);
});

test('server mode / the HTTP transport over loopback: body and status; a reply over 1 MiB, a dropped connection and an abort are failures, never throws; a request after the device closed the idle connection goes through', async () => {
  const hung: HttpResponse[] = [];
  const server = createServer((req, res) => {
    const data = new URL(req.url!, 'http://x').searchParams.get('data') ?? '';
    if (data.endsWith('big')) res.end('1#!#' + 'x'.repeat(1024 * 1024 + 10));
    else if (data.endsWith('forbidden')) res.writeHead(403).end();
    else if (data.endsWith('drop')) res.destroy();
    else if (data.endsWith('hang')) hung.push(res);
    else if (data.endsWith('close')) res.setHeader('connection', 'close').end('0#!#REQUEST');
    else res.end(`7#!#${data}`);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ip = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = httpServerTransport();
  const get = (cmd: string, signal = new AbortController().signal) => t(serverUrl(ip, 'ab12C', 7, cmd), signal);
  try {
    assert.deepEqual(await get('dev:serial'), { ok: true, status: 200, body: '7#!#ab12C||7||dev:serial' });
    assert.deepEqual(await get('forbidden'), { ok: true, status: 403, body: '' });
    const big = await get('big');
    assert.ok(!big.ok && /larger than/.test(big.error));
    assert.equal((await get('drop')).ok, false);
    const ac = new AbortController();
    const pending = get('hang', ac.signal);
    while (hung.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    assert.equal((await pending).ok, false);
    // The server drops every idle kept-alive socket: the next request still goes through.
    await get('close');
    server.closeIdleConnections();
    assert.deepEqual(await get('again'), { ok: true, status: 200, body: '7#!#ab12C||7||again' });
  } finally {
    t.close();
    for (const r of hung) r.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
