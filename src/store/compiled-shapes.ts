/**
 * Hot read queries compiled once per shape, then rerun with new parameters.
 *
 * Kysely builds and walks an operation tree to produce SQL on every execution; for a small indexed
 * read on SQLite that costs about as much as the read itself (measured on getSms: ~5 µs of ~21).
 * A query's "shape" is everything that changes its SQL text (which filters are present, literal
 * limits), never a parameter value. The caller names the shape and passes the parameters in the
 * order the builder binds them; the first run checks that count, so a shape key that forgets a
 * difference fails loudly instead of binding values to the wrong placeholders.
 *
 *   const readRecent = compiledShapes<Db>();
 *   const rows = await readRecent<Row>(db, `one-card|${limit}`, () => sql`… ${cardId} … ${sql.lit(limit)}`, [cardId]);
 */
import { createQueryId } from 'kysely';
import type { CompiledQuery, Kysely, RawBuilder } from 'kysely';

export type ShapeRunner<DB> = <R>(db: Kysely<DB>, shape: string, build: () => RawBuilder<R>, params: readonly unknown[]) => Promise<R[]>;

/** Compiled SQL is dialect-specific, so each database handle keeps its own shapes. */
const MAX_SHAPES = 256;

export function compiledShapes<DB>(): ShapeRunner<DB> {
  const byDb = new WeakMap<Kysely<DB>, Map<string, CompiledQuery>>();
  return async <R>(db: Kysely<DB>, shape: string, build: () => RawBuilder<R>, params: readonly unknown[]): Promise<R[]> => {
    let shapes = byDb.get(db);
    if (!shapes) { shapes = new Map(); byDb.set(db, shapes); }
    let compiled = shapes.get(shape);
    if (!compiled) {
      compiled = build().compile(db);
      if (compiled.parameters.length !== params.length) {
        throw new Error(`compiled shape "${shape}" binds ${compiled.parameters.length} parameters, caller passed ${params.length}`);
      }
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      shapes.set(shape, compiled);
    }
    const run: CompiledQuery<R> = { query: compiled.query, sql: compiled.sql, queryId: createQueryId(), parameters: params };
    return (await db.executeQuery(run)).rows;
  };
}
