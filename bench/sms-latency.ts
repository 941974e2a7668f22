/**
 * SMS latency in poll intervals (issue #5): the time from the simulated network delivering an SMS
 * to the SIM until the message is in the store (what getSms returns), with devices polling at the
 * real 3 s cadence (± 1 s jitter). Runs the panel's device runtime and the simulator on one
 * FakeClock (simulated time, sampled every 100 ms), one SR-Nano-500 and one SR-Board with a card
 * online each; SMS are sent at random moments. Prints p50 / p90 / p99 in poll intervals (3 s), and
 * where the time goes, per stage, from the polls the link hub saw:
 *   wait    network → the poll that carries `+CMTI` (the device's next poll, later when its own
 *           outbox still holds earlier messages: `backlog` counts those polls)
 *   react   that poll → the poll whose reply releases the read (0 when the read leaves in the
 *           reply to the very `+CMTI` poll)
 *   device  read released → its answer arrives (the device executes, sleeps one interval, then
 *           sends it — later when earlier messages are still in its outbox: `backlog` again)
 *   commit  answer → stored (the intake's write; the bench samples every 100 ms)
 * and `floor`: the device's next poll after the SMS + its next poll after the read, i.e. what the
 * protocol itself costs when nothing is queued on either side. Not a test.
 *
 *   npm run bench -- sms-latency           (N=60 messages per device by default)
 */
import { createWorld } from '../test/e2e/support/harness.ts';
import type { ClassicPoll, PollReply } from '../src/devices/channel/channel.ts';

const N = Number(process.env.N ?? 60);
const INTERVAL = 3000;

const w = await createWorld([
  { id: 'nano', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '8000000001', sims: [{ place: 'A1', number: '79267000001' }] },
  { id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '8000000002', sims: [{ place: 'B2', number: '79267000002' }] },
]);

/** Every poll the hub fed into a channel: when, what it carried, what the reply released. */
interface Seen { at: number; step: number; data: string; released: { step: number; text: string } | null }
const polls: Record<string, Seen[]> = { nano: [], board: [] };
for (const key of Object.keys(polls)) {
  const ch = w.runtime.hub.get(w.aggregators.get(key)!)!.channel;
  const handle = ch.handlePoll.bind(ch);
  ch.handlePoll = (p: ClassicPoll): PollReply => {
    const r = handle(p);
    polls[key]!.push({ at: w.clock.now(), step: p.step, data: p.data, released: r.dispatch.kind === 'command' ? r.dispatch.command : null });
    return r;
  };
}
const isRead = (text: string): boolean => /sms:|CMGL|CMGR/.test(text);

interface Stages { total: number; wait: number; backlog: number; react: number; device: number; backlog2: number; commit: number; floor: number }
/** The stages of one SMS sent at `t0` and seen stored at `stored`, from the polls of its device. */
function stages(seen: readonly Seen[], t0: number, stored: number): Stages | null {
  const cmti = seen.find((p) => p.at >= t0 && p.step === 0 && p.data.includes('+CMTI:'));
  if (!cmti) return null;
  const read = seen.find((p) => p.at >= cmti.at && p.released !== null && isRead(p.released.text));
  const answer = read ? seen.find((p) => p.at > read.at && p.step === read.released!.step) : undefined;
  if (!read || !answer) return null;
  const before = seen.filter((p) => p.at >= t0 && p.at < cmti.at);
  const between = seen.filter((p) => p.at > read.at && p.at < answer.at);
  const firstPoll = before[0] ?? cmti;
  const nextAfterRead = between[0] ?? answer;
  return {
    total: stored - t0, wait: cmti.at - t0, backlog: before.filter((p) => p.data !== 'REQUEST').length,
    react: read.at - cmti.at, device: answer.at - read.at, backlog2: between.length, commit: stored - answer.at,
    floor: (firstPoll.at - t0) + (nextAfterRead.at - read.at),
  };
}

try {
  for (const n of ['79267000001', '79267000002']) await w.open(n);
  await w.until(async () => (await w.status('79267000001')).startsWith('WAIT') && (await w.status('79267000002')).startsWith('WAIT'), 300_000);
  await w.drive(30_000);
  const results: Record<string, Stages[]> = { nano: [], board: [] };
  let seq = 0;
  let unmatched = 0;
  for (let i = 0; i < N; i++) {
    const pending = new Map<string, { number: string; at: number; key: string }>();
    for (const [key, number] of [['nano', '79267000001'], ['board', '79267000002']] as const) {
      const text = `latency probe ${++seq}`;
      w.sim.sendSms({ to: number, from: '+79990000000', text });
      pending.set(text, { number, at: w.clock.now(), key });
    }
    while (pending.size > 0) {
      for (const [text, p] of [...pending]) {
        if ((await w.smsOf(p.number)).some((s) => s.text === text)) {
          const s = stages(polls[p.key]!, p.at, w.clock.now());
          if (s) results[p.key]!.push(s);
          else { unmatched++; results[p.key]!.push({ total: w.clock.now() - p.at, wait: NaN, backlog: NaN, react: NaN, device: NaN, backlog2: NaN, commit: NaN, floor: NaN }); }
          pending.delete(text);
        }
      }
      if (pending.size > 0) await w.drive(100);
    }
    await w.drive(1000 + Math.floor(Math.random() * 5000));
  }
  const pct = (xs: number[], p: number): number => { const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! / INTERVAL : NaN; };
  const mean = (xs: number[]): number => { const s = xs.filter((x) => Number.isFinite(x)); return s.reduce((a, b) => a + b, 0) / Math.max(1, s.length); };
  console.log(`SMS latency (network → store), ${N} SMS per device, polls every 3 s ± 1 s, in poll intervals:`);
  const line = (k: string, rs: Stages[]): void => {
    const xs = rs.map((r) => r.total);
    console.log(`  ${k.padEnd(6)} p50 ${pct(xs, 50).toFixed(2)}  p90 ${pct(xs, 90).toFixed(2)}  p99 ${pct(xs, 99).toFixed(2)}  (max ${(Math.max(...xs) / INTERVAL).toFixed(2)})`
      + `   floor p50 ${pct(rs.map((r) => r.floor), 50).toFixed(2)} p99 ${pct(rs.map((r) => r.floor), 99).toFixed(2)}`);
  };
  for (const [k, rs] of Object.entries(results)) line(k, rs);
  line('all', [...results['nano']!, ...results['board']!]);
  console.log('  where the time goes (mean, poll intervals; backlog = polls spent on earlier messages first):');
  for (const [k, rs] of Object.entries(results)) {
    const m = (f: keyof Stages) => mean(rs.map((r) => r[f]) as number[]);
    const max = (f: keyof Stages) => Math.max(...rs.map((r) => r[f]).filter(Number.isFinite));
    console.log(`  ${k.padEnd(6)} wait ${(m('wait') / INTERVAL).toFixed(2)} (backlog ${m('backlog').toFixed(2)} polls, max ${max('backlog')})  react ${(m('react') / INTERVAL).toFixed(2)}`
      + `  device ${(m('device') / INTERVAL).toFixed(2)} (backlog ${m('backlog2').toFixed(2)} polls, max ${max('backlog2')})  commit ${(m('commit') / INTERVAL).toFixed(2)}`);
  }
  if (unmatched > 0) console.log(`  (${unmatched} SMS without a +CMTI → read → answer trace: read by a periodic listing)`);
} finally {
  await w.stop();
}
