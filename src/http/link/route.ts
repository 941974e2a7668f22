/**
 * The device link route (device-link.md §2.1, §2.6): `GET` and `POST` on any path ending in
 * `link.php` (devices are configured with URLs like `http://host/sr/link.php?token=…`; paths up to
 * four segments deep are served). Query and form-body parameters are merged (the body wins), the
 * poll goes to the LinkHub, and the answer is always `200 text/plain` — an empty body for an
 * unknown token, a hold or a malformed poll. Nothing a device sends can make this route fail.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QueryInput } from '../../codec/index.ts';

/** What serves a poll: the LinkHub, or in a cluster the router that relays it to the session's node (src/cluster). */
export interface PollHandler { handle(query: QueryInput, meta?: { forwardedBy?: string | undefined }): Promise<string> }

/** Largest poll body accepted (a full SIM listing is a few KB). */
export const LINK_BODY_LIMIT = 256 * 1024;

const PATHS = ['/link.php', '/:a/link.php', '/:a/:b/link.php', '/:a/:b/:c/link.php', '/:a/:b/:c/:d/link.php'];

function params(req: FastifyRequest): Record<string, unknown> {
  const q = (req.query && typeof req.query === 'object' ? req.query : {}) as Record<string, unknown>;
  const b = req.body;
  if (b && typeof b === 'object' && !Buffer.isBuffer(b)) return { ...q, ...(b as Record<string, unknown>) };
  if (typeof b === 'string' && b !== '') return { ...q, ...Object.fromEntries(new URLSearchParams(b)) };
  return q;
}

export async function linkRoutes(app: FastifyInstance, opts: { hub: PollHandler }): Promise<void> {
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: LINK_BODY_LIMIT }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
  }
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<string> => {
    let body = '';
    try {
      const by = req.headers['x-simnav-forwarded-by'];
      body = await opts.hub.handle(params(req), { forwardedBy: typeof by === 'string' ? by : undefined });
    } catch (err) {
      req.log.error({ err }, 'link poll failed');
    }
    void reply.code(200).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store');
    return body;
  };
  for (const url of PATHS) {
    app.route({ method: ['GET', 'POST'], url, bodyLimit: LINK_BODY_LIMIT, logLevel: 'warn', handler });
  }
}
