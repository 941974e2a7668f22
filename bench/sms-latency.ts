/**
 * SMS latency in poll intervals (issue #5): the time from the simulated network delivering an SMS
 * to the SIM until the message is in the store (what getSms returns), with devices polling at the
 * real 3 s cadence (± 1 s jitter). Runs the panel's device runtime and the simulator on one
 * FakeClock (simulated time, sampled every 100 ms), one SR-Nano-500 and one SR-Board with a card
 * online each; SMS are sent at random moments. Prints p50 / p90 / p99 in poll intervals (3 s).
 * Not a test.
 *
 *   npm run bench -- sms-latency           (N=60 messages per device by default)
 */
import { createWorld } from '../test/e2e/support/harness.ts';

const N = Number(process.env.N ?? 60);
const INTERVAL = 3000;

const w = await createWorld([
  { id: 'nano', model: 'SR-Nano-500', simModel: 'sr-nano-500', token: '8000000001', sims: [{ place: 'A1', number: '79267000001' }] },
  { id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '8000000002', sims: [{ place: 'B2', number: '79267000002' }] },
]);
try {
  for (const n of ['79267000001', '79267000002']) await w.open(n);
  await w.until(async () => (await w.status('79267000001')).startsWith('WAIT') && (await w.status('79267000002')).startsWith('WAIT'), 300_000);
  await w.drive(30_000);
  const results: Record<string, number[]> = { nano: [], board: [] };
  let seq = 0;
  for (let i = 0; i < N; i++) {
    const pending = new Map<string, { number: string; at: number; key: string }>();
    for (const [key, number] of [['nano', '79267000001'], ['board', '79267000002']] as const) {
      const text = `latency probe ${++seq}`;
      w.sim.sendSms({ to: number, from: '+79990000000', text });
      pending.set(text, { number, at: w.clock.now(), key });
    }
    while (pending.size > 0) {
      for (const [text, p] of [...pending]) {
        if ((await w.smsOf(p.number)).some((s) => s.text === text)) { results[p.key]!.push(w.clock.now() - p.at); pending.delete(text); }
      }
      if (pending.size > 0) await w.drive(100);
    }
    await w.drive(1000 + Math.floor(Math.random() * 5000));
  }
  const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! / INTERVAL; };
  console.log(`SMS latency (network → store), ${N} SMS per device, polls every 3 s ± 1 s, in poll intervals:`);
  for (const [k, xs] of Object.entries(results)) console.log(`  ${k.padEnd(6)} p50 ${pct(xs, 50).toFixed(2)}  p90 ${pct(xs, 90).toFixed(2)}  p99 ${pct(xs, 99).toFixed(2)}  (max ${(Math.max(...xs) / INTERVAL).toFixed(2)})`);
  const all = [...results['nano']!, ...results['board']!];
  console.log(`  all    p50 ${pct(all, 50).toFixed(2)}  p99 ${pct(all, 99).toFixed(2)}`);
} finally {
  await w.stop();
}
