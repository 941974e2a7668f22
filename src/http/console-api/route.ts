/** A console-api route: like an admin route (src/http/admin/route.ts), with the access it needs. */
import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Access } from '../../domain/auth/principal.ts';

export interface ConsoleRoute {
  method: HTTPMethods;
  url: string;
  access: Access;
  /** One line for the OpenAPI document (else the plugin's table). */
  summary?: string;
  schema?: Record<string, unknown>;
  handler(req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}
