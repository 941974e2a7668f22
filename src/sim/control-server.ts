/** Listening wrapper around the control API (loopback by default). */
import { buildControlApi } from './control-api.ts';
import type { Simulator } from './simulator.ts';

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startControlServer(sim: Simulator, o: { port: number; host: string }): Promise<ControlServer> {
  const app = buildControlApi(sim);
  await app.listen({ port: o.port, host: o.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `http://${host}:${port}/`, close: () => app.close() };
}
