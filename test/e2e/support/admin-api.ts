import type { World } from './harness.ts';

/**
 * One request to the world's admin API (`/api/v1`) with a bearer token (none when null), JSON body
 * when given, while simulated time runs until it answers (a handler may wait on the device).
 */
export async function adminApi(w: World, method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let done = false;
  const p = fetch(`${w.url.replace(/\/sr\/$/, '')}/api/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
    .then(async (r) => ({ status: r.status, body: await r.json() as unknown })).finally(() => { done = true; });
  for (let i = 0; i < 2000 && !done; i++) await w.drive(250);
  return p;
}
