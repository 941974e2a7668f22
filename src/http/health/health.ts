/** `GET /healthz`: 200 `{"status":"ok"}` when the database answers, 503 otherwise. */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/open-store.ts';

export async function healthRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`select 1`.execute(opts.store.db);
      return reply.send({ status: 'ok', db: opts.store.dialect });
    } catch {
      return reply.code(503).send({ status: 'error', db: opts.store.dialect });
    }
  });
}
