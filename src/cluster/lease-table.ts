/**
 * Reads of the `leases` table for the cluster (who holds what, what is up for takeover). Taking and
 * renewing a lease stays in ONE place — `acquireLease` / `releaseLease` of
 * src/domain/device-state/repo.ts, used by the device runtime for `aggregator:<id>` and by
 * ./singleton-jobs.ts for `job:<name>`: an insert-or-update that only succeeds for the current
 * holder or over an expired row, so two nodes can never both hold a live lease.
 */
import { sql } from 'kysely';
import type { Store } from '../store/open-store.ts';

export interface LeaseRow { readonly name: string; readonly holder: string; readonly expiresAt: number; readonly acquiredAt: number }

/** The lease name of an aggregator's session (the runtime's convention). */
export const aggregatorLease = (id: number): string => `aggregator:${id}`;

/** The lease name of a cluster-wide singleton job. */
export const jobLease = (name: string): string => `job:${name}`;

export async function leaseOf(store: Store, name: string): Promise<LeaseRow | null> {
  const r = await store.db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
  return r ? { name: r.name, holder: r.holder, expiresAt: Number(r.expires_at), acquiredAt: Number(r.acquired_at) } : null;
}

export async function listLeases(store: Store): Promise<LeaseRow[]> {
  const rows = await store.db.selectFrom('leases').selectAll().orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, holder: r.holder, expiresAt: Number(r.expires_at), acquiredAt: Number(r.acquired_at) }));
}

/**
 * Enabled aggregators whose session lease is missing or expired at `now` — up for takeover — with
 * the last holder when there was one. One query, however many aggregators there are.
 */
export async function unheldAggregators(store: Store, now: number): Promise<Array<{ id: number; lastHolder: string | null }>> {
  const name = store.dialect === 'postgres' ? sql<string>`'aggregator:' || a.id::text` : sql<string>`'aggregator:' || a.id`;
  const rows = await store.db.selectFrom('aggregators as a')
    .leftJoin('leases as l', (j) => j.on(sql`l.name`, '=', name))
    .select(['a.id', 'l.holder', 'l.expires_at'])
    .where('a.enabled', '=', 1)
    .where((eb) => eb.or([eb('l.name', 'is', null), eb('l.expires_at', '<', now)]))
    .orderBy('a.id').execute();
  return rows.map((r) => ({ id: r.id, lastHolder: r.holder ?? null }));
}

/**
 * Moves an aggregator's step counter `margin` ahead before a new node takes its session over: the
 * old holder persisted its counter lazily, and a step it already sent must not be reused (the
 * firmware ignores a repeated step, and a late answer would be matched to the wrong command;
 * device-link.md §2.2). Wraps below the firmware's maximum.
 */
export async function advanceStep(store: Store, aggregatorId: number, margin = 1000): Promise<void> {
  const r = await store.db.selectFrom('aggregators').select('step').where('id', '=', aggregatorId).executeTakeFirst();
  if (!r) return;
  const cur = Number(r.step);
  const next = cur + margin >= 4_294_967_295 ? 1000 : Math.max(1, cur) + margin;
  await store.db.updateTable('aggregators').set({ step: next }).where('id', '=', aggregatorId).where('step', '=', r.step).execute();
}
