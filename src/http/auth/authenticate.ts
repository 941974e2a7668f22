/**
 * Who is calling `/api/v1`, and may they (issue #3 item 5, issue #6 item 1):
 * - `Authorization: Bearer snt_…` — an API token (scripts); no CSRF check, the header is not ambient;
 * - otherwise the `simnav_session` cookie (the console); every state-changing request made with it
 *   must carry the session's CSRF token in `x-csrf-token` (synchronizer token, also offered to the
 *   browser as the readable `simnav_csrf` cookie for double-submit).
 * The route's `config.access` says what role it needs; `public` routes skip all of this.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { allows, type Access, type Principal } from '../../domain/auth/principal.ts';
import { resolveApiToken } from '../../domain/auth/api-tokens.ts';
import { resolveSession } from '../../domain/auth/sessions.ts';
import { safeEqual } from '../../domain/auth/secrets.ts';
import { sendError } from '../errors.ts';
import { readCookie } from './cookies.ts';

export const SESSION_COOKIE = 'simnav_session';
export const CSRF_COOKIE = 'simnav_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface AuditNote { action: string; target?: string; details?: Record<string, unknown>; actor?: string }

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs (src/domain/auth/principal.ts); routes without it are not admin routes. */
    access?: Access | 'public';
    /** One line for the OpenAPI document. */
    summary?: string;
    tags?: string[];
  }
  interface FastifyRequest {
    principal?: Principal;
    /** How the principal was authenticated. */
    authVia?: 'token' | 'session';
    /** The session's CSRF token (session requests only). */
    sessionCsrf?: string;
    /** What the handler changed, for the audit row written when the response is sent. */
    auditNote?: AuditNote;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE.has(method);
}

/** The onRequest hook of the admin plugin. */
export function authHook(ctx: AdminCtx) {
  return async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const access = req.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const authz = req.headers.authorization;
    let principal: Principal | null = null;
    if (authz !== undefined) {
      const m = /^Bearer\s+(\S{1,200})$/i.exec(authz);
      principal = m ? await resolveApiToken(ctx, m[1]!) : null;
      if (!principal) { await sendError(reply, 'SIMNAV_ERR_UNAUTHENTICATED', 'Unknown, expired or revoked token'); return; }
      req.authVia = 'token';
    } else {
      const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
      const s = cookie ? await resolveSession(ctx, cookie) : null;
      if (!s) { await sendError(reply, 'SIMNAV_ERR_UNAUTHENTICATED'); return; }
      if (!isSafeMethod(req.method)) {
        const sent = req.headers[CSRF_HEADER];
        if (typeof sent !== 'string' || !safeEqual(sent, s.csrfToken)) { await sendError(reply, 'SIMNAV_ERR_CSRF'); return; }
      }
      principal = s.principal;
      req.authVia = 'session';
      req.sessionCsrf = s.csrfToken;
    }
    if (!allows(principal.role, access)) {
      await sendError(reply, 'SIMNAV_ERR_FORBIDDEN', `This needs the ${access === 'admin' ? 'admin' : 'operator or admin'} role`);
      return;
    }
    req.principal = principal;
  };
}

/** Records what a handler changed; the admin plugin writes it to the audit log with the response. */
export function noteAudit(req: FastifyRequest, action: string, target?: string | number, details?: Record<string, unknown>): void {
  req.auditNote = { action, ...(target !== undefined ? { target: String(target) } : {}), ...(details ? { details } : {}) };
}

/** The authenticated principal of an admin route (the hook guarantees it). */
export function who(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error('admin route without a principal');
  return req.principal;
}
