/**
 * Indexes for the console's change watch (src/http/events/store-watch.ts), which runs every second:
 * without them its "newest change" reads (MAX of a time column, rows changed since a time) scan
 * whole tables — 100 000 cards and pool members cost ~12 ms of blocked server per fingerprint.
 */
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyDb = Kysely<any>;

const INDEXES: ReadonlyArray<readonly [name: string, table: string, column: string]> = [
  ['cards_updated_ix', 'cards', 'updated_at'],
  ['pool_cards_added_ix', 'pool_cards', 'added_at'],
  ['pool_cards_used_at_ix', 'pool_cards', 'used_at'],
  ['card_online_updated_ix', 'card_online', 'updated_at'],
  ['card_online_status_at_ix', 'card_online', 'status_at'],
  ['tasks_updated_ix', 'tasks', 'updated_at'],
];

export function changeWatchIndexes(): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      for (const [name, table, column] of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
    },
    async down(db: AnyDb): Promise<void> {
      for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
    },
  };
}
