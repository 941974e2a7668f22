import Fastify, { type FastifyInstance } from 'fastify';
import { createDeviceRuntime, type DeviceRuntime } from '../../../src/devices/runtime.ts';
import { linkRoutes } from '../../../src/http/link/route.ts';
import type { World } from './harness.ts';

/**
 * Restarts the panel side of a world: the running device runtime and its link server stop, and a
 * fresh runtime starts on the same store behind a new server on the same port (the devices keep
 * polling the same URL). Returns the new pair; the caller closes the new server at the end.
 */
export async function restartPanel(w: World, running: DeviceRuntime): Promise<{ runtime: DeviceRuntime; app: FastifyInstance }> {
  const port = (w.app.server.address() as { port: number }).port;
  await running.stop();
  await w.app.close();
  const runtime = createDeviceRuntime({ store: w.store, clock: w.clock });
  const app = Fastify();
  await app.register(linkRoutes, { hub: runtime.hub });
  await app.listen({ port, host: '127.0.0.1' });
  await runtime.start();
  return { runtime, app };
}
