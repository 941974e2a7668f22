/**
 * The one error catalogue of the admin API (`/api/v1`). Every error the API answers is one of these
 * codes, always in the body `{ statusCode, code, error, message }` (fastify's shape, STYLE.md §7).
 * The OpenAPI document lists every code (checked by test/admin/openapi.test.ts); the pool API keeps
 * its own legacy tokens and does not use this file.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const ERRORS = {
  // requests
  SIMNAV_ERR_VALIDATION: { statusCode: 400, message: 'The request is invalid' },
  SIMNAV_ERR_BAD_JSON: { statusCode: 400, message: 'The request body is not valid JSON' },
  SIMNAV_ERR_CSV_INVALID: { statusCode: 400, message: 'The CSV file cannot be read' },
  SIMNAV_ERR_PAYLOAD_TOO_LARGE: { statusCode: 413, message: 'The request body is too large' },
  SIMNAV_ERR_UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: 'This content type is not accepted here' },
  SIMNAV_ERR_ROUTE_NOT_FOUND: { statusCode: 404, message: 'No such route' },
  // authentication and permissions
  SIMNAV_ERR_UNAUTHENTICATED: { statusCode: 401, message: 'Sign in or send a bearer token' },
  SIMNAV_ERR_BAD_CREDENTIALS: { statusCode: 401, message: 'Wrong login or password' },
  SIMNAV_ERR_RATE_LIMITED: { statusCode: 429, message: 'Too many attempts; try again later' },
  SIMNAV_ERR_CSRF: { statusCode: 403, message: 'Missing or wrong x-csrf-token header' },
  SIMNAV_ERR_FORBIDDEN: { statusCode: 403, message: 'Your role does not allow this' },
  // resources
  SIMNAV_ERR_NOT_FOUND: { statusCode: 404, message: 'Not found' },
  SIMNAV_ERR_CONFLICT: { statusCode: 409, message: 'Conflicts with an existing record' },
  SIMNAV_ERR_LAST_ADMIN: { statusCode: 409, message: 'The last active admin cannot be removed or demoted' },
  SIMNAV_ERR_UNKNOWN_MODEL: { statusCode: 400, message: 'Unknown aggregator model' },
  SIMNAV_ERR_BAD_PLACE: { statusCode: 400, message: 'The place is not valid for this model' },
  // devices (src/http/device-actions)
  SIMNAV_ERR_DEVICE_NOT_RUNNING: { statusCode: 409, message: 'The aggregator has no running session on this node' },
  SIMNAV_ERR_NOT_SUPPORTED_FOR_MODEL: { statusCode: 409, message: 'This action is not supported for this aggregator model' },
  SIMNAV_ERR_DEVICE_ERROR: { statusCode: 502, message: 'The device or the network refused the request' },
  SIMNAV_ERR_DEVICE_TIMEOUT: { statusCode: 504, message: 'The device did not answer in time' },
  SIMNAV_ERR_TASK_UNSUPPORTED: { statusCode: 422, message: 'The device runtime cannot run this task here yet' },
  // server
  SIMNAV_ERR_INTERNAL: { statusCode: 500, message: 'Internal error' },
} as const satisfies Record<string, { statusCode: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export interface ErrorBody { statusCode: number; code: ErrorCode; error: string; message: string }

/** The body for a catalogued error; `message` replaces the default text (never put secrets in it). */
export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  const e = ERRORS[code];
  return { statusCode: e.statusCode, code, error: STATUS_CODES[e.statusCode] ?? 'Error', message: message ?? e.message };
}

/** Sends a catalogued error. Returns the reply so handlers can `return sendError(…)`. */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  const body = errorBody(code, message);
  return reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
}

/** JSON schema of the error body, shared by every route's responses and the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', enum: ERROR_CODES },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

/** Maps fastify's own errors (schema validation, body parsing) to catalogue codes. */
export function classifyError(err: FastifyError): { code: ErrorCode; message?: string } {
  if (err.validation) return { code: 'SIMNAV_ERR_VALIDATION', message: `${err.validationContext ?? 'request'} ${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? ''}`.replace(/\s+/g, ' ').trim() };
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return { code: 'SIMNAV_ERR_PAYLOAD_TOO_LARGE' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return { code: 'SIMNAV_ERR_UNSUPPORTED_MEDIA_TYPE' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return { code: 'SIMNAV_ERR_BAD_JSON' };
    default: break;
  }
  if (err instanceof SyntaxError || (err as { statusCode?: number }).statusCode === 400) return { code: 'SIMNAV_ERR_BAD_JSON' };
  return { code: 'SIMNAV_ERR_INTERNAL' };
}

/** Installs the catalogue as the error and not-found handler of one (encapsulated) plugin. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const { code, message } = classifyError(err);
    if (code === 'SIMNAV_ERR_INTERNAL') req.log.error({ err }, 'admin api: unhandled error');
    return sendError(reply, code, message);
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, 'SIMNAV_ERR_ROUTE_NOT_FOUND'));
}
