/**
 * `PATCH /me`: the signed-in user's own preferences (today the console language, issue #6
 * item 11). Any role may change its own language — it changes nothing shared.
 */
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { updateUser } from '../../domain/users/users.ts';
import { sendError } from '../errors.ts';
import { who } from '../auth/authenticate.ts';
import type { ConsoleRoute } from './route.ts';

export const meRoute = (ctx: AdminCtx): ConsoleRoute => ({
  method: 'PATCH', url: '/me', access: 'read',
  schema: { body: { type: 'object', required: ['lang'], additionalProperties: false, properties: { lang: { type: 'string', enum: ['ru', 'en'] } } } },
  async handler(req, reply) {
    const p = who(req);
    if (p.userId === null) return sendError(reply, 'SIMNAV_ERR_FORBIDDEN', 'API tokens have no preferences');
    const r = await updateUser(ctx, p.userId, { lang: (req.body as { lang: string }).lang });
    if (!r.ok) return sendError(reply, r.error.code === 'NOT_FOUND' ? 'SIMNAV_ERR_NOT_FOUND' : 'SIMNAV_ERR_VALIDATION', r.error.message);
    return { lang: r.value.lang };
  },
});
