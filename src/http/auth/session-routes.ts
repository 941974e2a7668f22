/**
 * `/session`: sign in (POST, rate-limited per address and per login), who am I (GET), sign out
 * (DELETE). The session cookie is HttpOnly, SameSite=Strict, Secure when the request came over
 * https; the CSRF token is returned in the body and as the readable `simnav_csrf` cookie.
 */
import type { FastifyRequest } from 'fastify';
import { signIn } from '../../domain/auth/sign-in.ts';
import { createSession, deleteSession, pruneSessions, SESSION_MAX_MS } from '../../domain/auth/sessions.ts';
import { getUser } from '../../domain/users/users.ts';
import { sendError } from '../errors.ts';
import { body, obj, type AdminDeps, type Router } from '../admin/route.ts';
import { userView } from '../admin/schemas.ts';
import { CSRF_COOKIE, SESSION_COOKIE, noteAudit, who } from './authenticate.ts';
import { readCookie, setCookie } from './cookies.ts';

const sessionView = obj({
  user: userView,
  via: { type: 'string', enum: ['session', 'token'] },
  csrfToken: { type: ['string', 'null'] },
});

function secure(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

export function sessionRoutes(r: Router, deps: AdminDeps): void {
  const { ctx, limiter } = deps;

  r.add({
    method: 'POST', url: '/session', access: 'public', tags: ['session'],
    summary: 'Sign in with login and password; sets the session cookie and returns the CSRF token',
    schema: {
      body: {
        type: 'object', required: ['login', 'password'], additionalProperties: false,
        properties: { login: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
      response: { 200: sessionView },
    },
    async handler(req, reply) {
      const b = body<{ login: string; password: string }>(req);
      const r = await signIn(ctx, limiter, req.ip, b.login, b.password);
      if (!r.ok) {
        if (r.code === 'RATE_LIMITED') {
          reply.header('retry-after', String(Math.ceil(r.retryAfterMs / 1000)));
          return sendError(reply, 'SIMNAV_ERR_RATE_LIMITED');
        }
        return sendError(reply, 'SIMNAV_ERR_BAD_CREDENTIALS');
      }
      await pruneSessions(ctx);
      const s = await createSession(ctx, r.userId);
      const user = await getUser(ctx, r.userId);
      if (!user.ok) return sendError(reply, 'SIMNAV_ERR_BAD_CREDENTIALS');
      const maxAgeSec = SESSION_MAX_MS / 1000;
      reply.header('set-cookie', [
        setCookie(SESSION_COOKIE, s.token, { httpOnly: true, secure: secure(req), maxAgeSec }),
        setCookie(CSRF_COOKIE, s.csrfToken, { httpOnly: false, secure: secure(req), maxAgeSec }),
      ]);
      req.auditNote = { action: 'session.create', target: `user:${r.userId}`, actor: `user:${r.userId}` };
      return { user: user.value, via: 'session', csrfToken: s.csrfToken };
    },
  });

  r.add({
    method: 'GET', url: '/session', access: 'read', tags: ['session'],
    summary: 'Who am I: the signed-in user (session) or the token’s user',
    schema: { response: { 200: sessionView } },
    async handler(req, reply) {
      const p = who(req);
      if (p.userId === null) {
        return { user: { id: 0, login: p.name, role: p.role, lang: 'en', poolScope: p.poolScope, disabled: false, createdAt: 0, updatedAt: 0 }, via: 'token', csrfToken: null };
      }
      const u = await getUser(ctx, p.userId);
      if (!u.ok) return sendError(reply, 'SIMNAV_ERR_UNAUTHENTICATED');
      return { user: { ...u.value, role: p.role }, via: req.authVia ?? 'session', csrfToken: req.sessionCsrf ?? null };
    },
  });

  r.add({
    method: 'DELETE', url: '/session', access: 'read', tags: ['session'],
    summary: 'Sign out: ends the session and clears the cookies',
    async handler(req, reply) {
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (req.authVia === 'session' && token) await deleteSession(ctx, token);
      reply.header('set-cookie', [
        setCookie(SESSION_COOKIE, '', { httpOnly: true, secure: secure(req), maxAgeSec: 0 }),
        setCookie(CSRF_COOKIE, '', { httpOnly: false, secure: secure(req), maxAgeSec: 0 }),
      ]);
      noteAudit(req, 'session.delete');
      return reply.code(204).send();
    },
  });
}
