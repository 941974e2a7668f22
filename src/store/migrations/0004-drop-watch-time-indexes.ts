/**
 * Drops two indexes of migration 0003 that only the console's change watch read, and that every
 * openNumber / closeNumber paid for (each is rewritten on every allocation and release):
 * - `pool_cards_used_at_ix`: the watch no longer fingerprints USED marks (the pool service, their
 *   only writer, publishes its changes: src/http/events/writer-events.ts);
 * - `card_online_status_at_ix`: every writer of `status_at` sets `updated_at` too, so the watch
 *   reads new card states through `card_online_updated_ix` alone.
 */
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyDb = Kysely<any>;

const DROPPED: ReadonlyArray<readonly [name: string, table: string, column: string]> = [
  ['pool_cards_used_at_ix', 'pool_cards', 'used_at'],
  ['card_online_status_at_ix', 'card_online', 'status_at'],
];

export function dropWatchTimeIndexes(): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      for (const [name] of DROPPED) await db.schema.dropIndex(name).ifExists().execute();
    },
    async down(db: AnyDb): Promise<void> {
      for (const [name, table, column] of DROPPED) await db.schema.createIndex(name).ifNotExists().on(table).column(column).execute();
    },
  };
}
