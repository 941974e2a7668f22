/**
 * The static migration list (no directory scanning: works the same from source and from a bundle).
 * Append new migrations; never edit or reorder applied ones.
 */
import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { initial } from './0001-initial.ts';
import { seedOperators } from './0002-seed-operators.ts';
import { changeWatchIndexes } from './0003-change-watch-indexes.ts';
import { dropWatchTimeIndexes } from './0004-drop-watch-time-indexes.ts';

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-initial': initial(dialect),
        '0002-seed-operators': seedOperators(),
        '0003-change-watch-indexes': changeWatchIndexes(),
        '0004-drop-watch-time-indexes': dropWatchTimeIndexes(),
      };
    },
  };
}
