/**
 * The console's client of the admin API (`/api/v1`, the only server surface web/ talks to,
 * ARCHITECTURE.md). Every call answers a value or a typed error; nothing throws into a page.
 * State-changing calls carry the session's CSRF token in `x-csrf-token`.
 */
export interface ApiError { status: number; code: string; message: string }
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

let csrf: string | null = null;

export function setCsrf(token: string | null): void { csrf = token; }

function cookieCsrf(): string | null {
  const m = /(?:^|;\s*)simnav_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : null;
}

/** Listeners told when the session is gone (401), so the shell can show the sign-in page. */
const unauthorized = new Set<() => void>();
export function onUnauthorized(fn: () => void): void { unauthorized.add(fn); }

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

export interface CallOptions { query?: Query; body?: unknown; raw?: BodyInit; contentType?: string; accept?: 'json' | 'blob' }

export async function call<T>(method: string, path: string, o: CallOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    const t = csrf ?? cookieCsrf();
    if (t) headers['x-csrf-token'] = t;
  }
  let body: BodyInit | undefined;
  if (o.raw !== undefined) { body = o.raw; headers['content-type'] = o.contentType ?? 'application/octet-stream'; }
  else if (o.body !== undefined) { body = JSON.stringify(o.body); headers['content-type'] = 'application/json'; }
  let res: Response;
  try {
    res = await fetch(withQuery(`/api/v1${path}`, o.query), { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return { ok: false, error: { status: 0, code: 'NETWORK', message: 'The panel cannot be reached' } };
  }
  if (res.status === 401 && path !== '/session') for (const fn of unauthorized) fn();
  if (res.status === 204) return { ok: true, value: undefined as T };
  if (res.ok && o.accept === 'blob') return { ok: true, value: (await res.blob()) as T };
  let data: unknown = null;
  try { data = await res.json(); } catch { data = null; }
  if (res.ok) return { ok: true, value: data as T };
  const e = (data ?? {}) as { code?: unknown; message?: unknown };
  return {
    ok: false,
    error: { status: res.status, code: typeof e.code === 'string' ? e.code : `HTTP_${res.status}`, message: typeof e.message === 'string' ? e.message : res.statusText },
  };
}

export const get = <T>(path: string, query?: Query) => call<T>('GET', path, query ? { query } : {});
export const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body === undefined ? {} : { body });
export const patch = <T>(path: string, body: unknown) => call<T>('PATCH', path, { body });
export const put = <T>(path: string, body: unknown) => call<T>('PUT', path, { body });
export const del = <T>(path: string) => call<T>('DELETE', path);

/** True when the server has no such route yet (a capability the runtime does not offer). */
export function notAvailable(e: ApiError): boolean {
  return e.code === 'SIMNAV_ERR_ROUTE_NOT_FOUND' || e.code === 'SIMNAV_ERR_NOT_AVAILABLE' || e.status === 501 || (e.status === 404 && e.code === 'HTTP_404');
}

const probes = new Map<string, Promise<boolean>>();

/**
 * Whether the server offers a route, without doing anything: the route is called with id 0, which
 * every id schema refuses (400/404 from the route itself), while a missing route answers 404
 * `SIMNAV_ERR_ROUTE_NOT_FOUND`. `path` uses 0 for ids, e.g. `/aggregators/0/terminal`.
 */
export function routeExists(method: 'GET' | 'POST', path: string): Promise<boolean> {
  const key = `${method} ${path}`;
  let p = probes.get(key);
  if (!p) {
    p = call<unknown>(method, path, method === 'POST' ? { body: {} } : {}).then((r) => r.ok || !notAvailable(r.error));
    probes.set(key, p);
  }
  return p;
}
