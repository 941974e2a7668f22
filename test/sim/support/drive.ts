/**
 * Runs a simulation in simulated time: advances a FakeClock in small steps and, between steps,
 * lets real loopback HTTP requests finish (a device waiting on its socket is not waiting on time).
 */
import type { FakeClock } from '../../../src/lib/clock.ts';
import type { Simulator } from '../../../src/sim/simulator.ts';

async function quiesce(sim: Simulator): Promise<void> {
  const deadline = Date.now() + 60_000; // real time: a loopback request under a loaded CI machine
  while (Date.now() < deadline) {
    if (![...sim.devices.values()].some((d) => d.state === 'polling')) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('a device is stuck in an HTTP request');
}

/** Advances simulated time by `ms`. */
export async function drive(sim: Simulator, clock: FakeClock, ms: number, stepMs = 200): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await quiesce(sim);
    await clock.advance(Math.min(stepMs, end - clock.now()));
  }
  await quiesce(sim);
}

/** Advances simulated time until `cond()` holds (or `maxMs` passed); returns whether it held. */
export async function driveUntil(sim: Simulator, clock: FakeClock, cond: () => boolean, maxMs = 120_000, stepMs = 200): Promise<boolean> {
  const end = clock.now() + maxMs;
  while (clock.now() < end) {
    if (cond()) return true;
    await quiesce(sim);
    await clock.advance(stepMs);
  }
  await quiesce(sim);
  return cond();
}
