/**
 * The demo fleet running in-process next to a panel (`simnav serve --demo`): registers the demo
 * aggregators and cards through the panel's admin API, starts the devices against the panel's own
 * loopback URL (they still speak HTTP to `link.php`), starts the control API and prints the two
 * lines a newcomer needs: `demo pool key: <key>` and `simulator control: <url>`.
 */
import type { Clock } from '../lib/clock.ts';
import { startControlServer, type ControlServer } from './control-server.ts';
import { demoFleet } from './demo-fleet.ts';
import { registerFleet, tokenMap } from './register.ts';
import { Simulator } from './simulator.ts';

export interface DemoOptions {
  /** The panel's own base URL on loopback, e.g. `http://127.0.0.1:8080/`. */
  readonly panelUrl: string;
  /** An admin API token of that panel. */
  readonly adminToken: string;
  /**
   * The demo pool's key when the caller manages the pool itself; otherwise a pool named `demo` is
   * created through the admin API and its key printed.
   */
  readonly poolKey?: string;
  readonly controlPort?: number;
  readonly controlHost?: string;
  readonly seed?: number;
  readonly clock?: Clock;
  /** Where the two lines (and warnings) go; default stdout. */
  readonly print?: (line: string) => void;
}

export interface RunningDemo {
  readonly simulator: Simulator;
  readonly control: ControlServer;
  readonly poolKey: string | null;
  stop(): Promise<void>;
}

export type DemoResult = { ok: true; value: RunningDemo } | { ok: false; error: { code: string; message: string } };

export async function startDemo(o: DemoOptions): Promise<DemoResult> {
  const print = o.print ?? ((l: string) => process.stdout.write(l + '\n'));
  const simulator = new Simulator({ fleet: demoFleet(o.seed), panelUrl: o.panelUrl, ...(o.clock ? { clock: o.clock } : {}) });
  const reg = await registerFleet(simulator, { panelUrl: o.panelUrl, adminToken: o.adminToken, ...(o.poolKey === undefined ? { poolName: 'demo' } : {}) });
  if (!reg.ok) {
    await simulator.stop();
    return reg;
  }
  simulator.setLinks(tokenMap(reg.value));
  for (const w of reg.value.warnings) print(`simulator: ${w}`);
  simulator.start();
  const control = await startControlServer(simulator, { port: o.controlPort ?? 0, host: o.controlHost ?? '127.0.0.1' });
  const poolKey = o.poolKey ?? reg.value.poolKey;
  if (poolKey !== null) print(`demo pool key: ${poolKey}`);
  print(`simulator control: ${control.url}`);
  return {
    ok: true,
    value: {
      simulator, control, poolKey,
      async stop() {
        await control.close();
        await simulator.stop();
      },
    },
  };
}
