/**
 * Scale of the simulator (not a test): 1 000 simulated SR-Boards × 64 SIMs in this process, polling
 * at the real 3 s cadence (± 1 s jitter) for ~30 s against a trivial link endpoint running in a
 * child process (idle answers, plus a seating chain first and `modem>sms:0` / `modem>pack` now and
 * then), while the network delivers SMS to registered SIMs (10/s by default, every tenth a
 * 2-part Cyrillic text). Prints this process's CPU use (share of one core) and RSS.
 *
 *   npm run bench -- sim-scale            (SIM_DEVICES, SIM_SECONDS, SIM_SMS_PER_S override the defaults)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseFleet } from '../src/sim/fleet.ts';
import { Simulator } from '../src/sim/simulator.ts';

const DEVICES = Number(process.env['SIM_DEVICES'] ?? 1000);
const SECONDS = Number(process.env['SIM_SECONDS'] ?? 30);
const SMS_PER_S = Number(process.env['SIM_SMS_PER_S'] ?? 10);
const WARMUP_S = 30; // boot, the seating chain (8 × modem>card, ~13 s) and registration first

// The endpoint: a few lines of plain node:http in another process, so its CPU is not counted here.
const endpoint = `
const http = require('node:http');
const seen = new Map(); let step = 1000, polls = 0;
const seat = ['modem>fix:0&&modem>off', ...[1,2,3,4,5,6,7,8].map((m) => 'modem>select:' + m + '&&modem>card:1'), 'modem>on&&answer>clear'].join('&&');
http.createServer((req, res) => {
  polls++;
  const u = new URL(req.url, 'http://x'); const t = u.searchParams.get('token');
  const n = (seen.get(t) ?? 0) + 1; seen.set(t, n);
  let cmd = null;
  if (n === 2) cmd = seat; else if (n % 20 === 0) cmd = 'modem>pack:AT+CREG?##ALL##1'; else if (n % 10 === 0) cmd = 'modem>sms:0';
  res.end(cmd ? '{data}' + (step++) + '#!#' + cmd : '{data}0#!#REQUEST');
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
setInterval(() => process.stderr.write('polls ' + polls + '\\n'), 10000).unref();
`;

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['-e', endpoint], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [portLine] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(String(portLine).trim());
  const fleet = parseFleet({
    seed: 1,
    timings: { device: { pollMs: 3000, jitterMs: 1000, startSpreadMs: 3000 } },
    devices: [{ id: 'board', model: 'sr-board', count: DEVICES, fill: { count: 64 } }],
  });
  if (!fleet.ok) throw new Error(fleet.error.message);
  const t0 = Date.now();
  const sim = new Simulator({ fleet: fleet.value, panelUrl: `http://127.0.0.1:${port}/` });
  const built = Date.now() - t0;
  sim.start();
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const pollsAtStart = [...sim.devices.values()].reduce((a, d) => a + d.stats.polls, 0);
  const commandsAtStart = [...sim.devices.values()].reduce((a, d) => a + d.stats.commands, 0);
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  let maxRss = 0;
  const sampler = setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage().rss); }, 500);
  // Incoming SMS for the SIMs the seated modems registered (+CMTI, then listed by modem>sms:0).
  const all = sim.network.allSims().map((s) => s.msisdn);
  let reachable: string[] = [];
  const long = 'Ваш код подтверждения 482913. Никому не сообщайте его, даже сотрудникам банка. Срок действия 5 минут.';
  let sms = 0;
  let smsRefused = 0;
  const sender = SMS_PER_S > 0 ? setInterval(() => {
    // The seated modems finish registering during the first seconds: look again now and then.
    if (sms % 50 === 0 || reachable.length === 0) reachable = all.filter((n) => sim.network.isAttached(n));
    if (reachable.length === 0) return;
    const r = sim.sendSms({ to: reachable[(sms * 7919) % reachable.length]!, from: sms % 2 ? 'Bank' : '+79031234567', text: sms % 10 === 9 ? long : `Code ${1000 + (sms % 9000)}` });
    sms++;
    if (!r.ok) smsRefused++;
  }, 1000 / SMS_PER_S) : undefined;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(sender);
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const devices = [...sim.devices.values()];
  const polls = devices.reduce((a, d) => a + d.stats.polls, 0) - pollsAtStart;
  const errors = devices.reduce((a, d) => a + d.stats.httpErrors, 0);
  const commands = devices.reduce((a, d) => a + d.stats.commands, 0) - commandsAtStart;
  const sims = sim.network.allSims().length;
  const registered = devices.reduce((a, d) => a + d.hw.modems.filter((m) => m.registered).length, 0);
  await sim.stop();
  child.kill();
  const cores = (cpu.user + cpu.system) / 1000 / wallMs;
  console.log(`sim-scale: ${DEVICES} devices × 64 SIMs (${sims} SIMs, ${DEVICES * 8} modems, ${registered} registered), built in ${built} ms`);
  console.log(`sim-scale: ${(wallMs / 1000).toFixed(1)} s measured after ${WARMUP_S} s warm-up: ${polls} polls (${(polls / (wallMs / 1000)).toFixed(0)}/s; ≈ ${(DEVICES / 3).toFixed(0)}/s when idle, fewer while devices execute modem>sms / modem>pack and do not poll), ${commands} commands executed, ${errors} HTTP errors`);
  console.log(`sim-scale: ${sms} SMS delivered by the network to ${reachable.length} registered SIMs (${smsRefused} refused)`);
  console.log(`sim-scale: CPU ${(cores * 100).toFixed(1)} % of one core (user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms); RSS max ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
  console.log(`sim-scale: targets — under one core: ${cores < 1 ? 'yes' : 'NO'}; under 1 GB RSS: ${maxRss < 2 ** 30 ? 'yes' : 'NO'}`);
}

await main();
