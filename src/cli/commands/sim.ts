/**
 * `simnav sim`: runs a fleet of simulated aggregators against a panel, plus the control API.
 * Argument parsing and wiring only; the simulator lives in src/sim/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { startControlServer } from '../../sim/control-server.ts';
import { demoFleet } from '../../sim/demo-fleet.ts';
import { parseFleetText, type Fleet } from '../../sim/fleet.ts';
import { registerFleet, tokenMap } from '../../sim/register.ts';
import { Simulator, type TokenMap } from '../../sim/simulator.ts';

export const summary = 'run simulated SIM Roulette aggregators against a panel';
export const usage = `usage: simnav sim --panel <url> [--fleet <file|demo>] [--tokens <file>] [--control-port N]
                 [--control-host H] [--seed N] [--poll-ms N]
       simnav sim --panel <url> --fleet <file|demo> --register --admin-token <t> [--write-tokens <file>]

Simulated aggregators poll <panel>/link.php exactly like real hardware. Each device needs the
link token the panel issued for it: give them in the fleet file, in a tokens file
({"<device id>": {"token": "…", "linkUrl": "…"}} or {"<device id>": "<token>"}), or let
--register create the aggregators and cards through the panel's admin API (/api/v1) first.
Devices with "link": "server" in the fleet file do not poll: each listens on 127.0.0.1 (its
"serverPort", default any free port) and the panel calls it (--register sets link mode server,
the address and the local token).

  --panel <url>        panel base URL (devices poll <url>/link.php)
  --fleet <file|demo>  fleet file (see src/sim/fleet.schema.json) or the built-in demo fleet (default)
  --tokens <file>      device id → link token map
  --register           create the fleet's aggregators and cards in the panel first
  --admin-token <t>    admin API token for --register
  --write-tokens <f>   save the tokens --register obtained
  --control-port N     control API port (default 8091; 0 = any free port)
  --control-host H     control API address (default 127.0.0.1)
  --seed N             override the fleet's seed
  --poll-ms N          override the poll cadence (default 3000 ms ± 1000 ms jitter)

The control API (JSON, OpenAPI at /openapi.json): POST /sms, POST /call, PUT /sims/{number},
POST /devices/{id}/faults, PUT|DELETE /devices/{id}/slots/{place}, GET /devices, GET /sims.`;

function parseArgs(args: string[]): Map<string, string> | string {
  const out = new Map<string, string>();
  const flags = new Set(['--register']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) return `unexpected argument ${a}`;
    if (flags.has(a)) { out.set(a, 'true'); continue; }
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) return `${a} needs a value`;
    out.set(a, v);
    i++;
  }
  return out;
}

function readTokens(file: string): TokenMap | string {
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { return `cannot read tokens file: ${(e as Error).message}`; }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'tokens file must be a JSON object';
  const out: Record<string, { token: string; linkUrl?: string }> = {};
  for (const [id, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[id] = { token: v };
    else if (v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>)['token'] === 'string') {
      const o = v as Record<string, unknown>;
      out[id] = { token: o['token'] as string, ...(typeof o['linkUrl'] === 'string' ? { linkUrl: o['linkUrl'] } : {}) };
    } else return `tokens file: bad entry for ${id}`;
  }
  return out;
}

export async function run(args: string[]): Promise<number> {
  const err = (m: string): number => { process.stderr.write(`simnav sim: ${m}\n`); return 2; };
  const a = parseArgs(args);
  if (typeof a === 'string') return err(a);
  const panel = a.get('--panel');
  if (!panel || !/^https?:\/\//.test(panel)) return err('--panel <http(s) url> is required');
  const fleetArg = a.get('--fleet') ?? 'demo';
  let fleet: Fleet;
  if (fleetArg === 'demo') fleet = demoFleet();
  else {
    let text: string;
    try { text = readFileSync(fleetArg, 'utf8'); } catch (e) { return err(`cannot read fleet file: ${(e as Error).message}`); }
    const parsed = parseFleetText(text);
    if (!parsed.ok) return err(`bad fleet file at ${parsed.error.path}: ${parsed.error.message}`);
    fleet = parsed.value;
  }
  const num = (k: string, min: number, max: number): number | undefined | string => {
    const v = a.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : `${k} must be an integer ${min}…${max}`;
  };
  const seed = num('--seed', 0, 2 ** 32 - 1);
  const pollMs = num('--poll-ms', 100, 3_600_000);
  const port = num('--control-port', 0, 65535);
  for (const v of [seed, pollMs, port]) if (typeof v === 'string') return err(v);
  if (typeof seed === 'number') fleet = { ...fleet, seed };
  if (typeof pollMs === 'number') fleet = { ...fleet, timings: { ...fleet.timings, device: { ...fleet.timings.device, pollMs } } };
  let tokens: TokenMap | undefined;
  const tokensFile = a.get('--tokens');
  if (tokensFile) {
    const t = readTokens(tokensFile);
    if (typeof t === 'string') return err(t);
    tokens = t;
  }
  const sim = new Simulator({ fleet, panelUrl: panel, ...(tokens ? { tokens } : {}) });
  // Server-mode devices ("link": "server") listen before registration, which records their address.
  try { await sim.listen(); } catch (e) { await sim.stop(); return err(`cannot listen for server-mode devices: ${(e as Error).message}`); }
  if (a.has('--register')) {
    const adminToken = a.get('--admin-token');
    if (!adminToken) return err('--register needs --admin-token');
    const reg = await registerFleet(sim, { panelUrl: panel, adminToken });
    if (!reg.ok) { await sim.stop(); return err(`${reg.error.code}: ${reg.error.message}`); }
    for (const w of reg.value.warnings) process.stderr.write(`simnav sim: ${w}\n`);
    sim.setLinks(tokenMap(reg.value));
    const out = a.get('--write-tokens');
    if (out) writeFileSync(out, JSON.stringify(tokenMap(reg.value), null, 2) + '\n');
    process.stdout.write(`registered ${Object.keys(reg.value.tokens).length} aggregators, ${reg.value.cards} cards\n`);
  }
  sim.start();
  let control;
  try {
    control = await startControlServer(sim, { port: typeof port === 'number' ? port : 8091, host: a.get('--control-host') ?? '127.0.0.1' });
  } catch (e) {
    await sim.stop();
    return err(`cannot start the control API: ${(e as Error).message}`);
  }
  process.stdout.write(`simulating ${sim.devices.size} aggregators against ${panel}\nsimulator control: ${control.url}\n`);
  for (const id of sim.devices.keys()) {
    const s = sim.serverLink(id);
    if (s) process.stdout.write(`server mode: ${id} answers http://${s.address}/port?data=${s.token}||<step>||<command>\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await control.close();
  await sim.stop();
  return 0;
}
