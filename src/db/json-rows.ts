/**
 * Many rows in few statements: rows travel as JSON parameters read with json_each (D1 binds at
 * most 100 values per statement, and one JSON value carries any number of rows), split so that no
 * parameter comes near D1's 1,000,000-byte limit on one value. The bulk imports read and write
 * through these, and issuing a license writes through the same inserts.
 */
import { columnName, type SqlValue } from "./row-codec";

/** A JSON parameter stays below this many bytes (D1 refuses a string over 1,000,000 bytes). */
const MAX_PARAMETER_BYTES = 500_000;
const encoder = new TextEncoder();

/** The time D1 stamps a row with, as `created_at` columns default to it (schema.sql). */
export const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/** `items` as JSON arrays of at most MAX_PARAMETER_BYTES each (one item alone may be larger: import rows are capped at 64 KiB). */
export function jsonChunks(items: readonly unknown[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const item of items) {
    const text = JSON.stringify(item);
    const bytes = encoder.encode(text).byteLength + 1;
    if (current.length > 0 && size + bytes > MAX_PARAMETER_BYTES) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(text);
    size += bytes;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

/** One statement per chunk of `items`, each bound to its chunk as ?1 (none for no items). */
export function perChunk(db: D1Database, sql: string, items: readonly unknown[]): D1PreparedStatement[] {
  return jsonChunks(items).map((chunk) => db.prepare(sql).bind(chunk));
}

/** Runs a read over `items` chunk by chunk, in one batch, and concatenates the results. */
export async function readAll<T>(db: D1Database, sql: string, items: readonly unknown[]): Promise<T[]> {
  const statements = perChunk(db, sql, items);
  if (statements.length === 0) return [];
  const results = await db.batch<T>(statements);
  return results.flatMap((result) => result.results);
}

export interface InsertOptions<Row> {
  /** Where a row's value is null, this SQL expression instead (a column default, the id of the license the batch inserts). */
  fallback?: Partial<Record<keyof Row & string, string>>;
  /** An ON CONFLICT clause. */
  onConflict?: string;
}

/**
 * INSERTs of `rows` into `table`, one statement per chunk: each row's fields are its columns, its
 * values as D1 stores them (src/db/row-codec.ts). Every row has the fields of the first.
 */
export function insertRows<Row extends Record<string, SqlValue>>(
  db: D1Database,
  table: string,
  rows: readonly Row[],
  options: InsertOptions<Row> = {},
): D1PreparedStatement[] {
  const first = rows[0];
  if (!first) return [];
  const columns = Object.keys(first).map(columnName);
  const fallback: Record<string, string | undefined> = options.fallback ?? {};
  const values = columns.map((column) => {
    const value = `json_extract(value, '$.${column}')`;
    return fallback[column] ? `COALESCE(${value}, ${fallback[column]})` : value;
  });
  // "WHERE true" lets SQLite tell ON CONFLICT from a join constraint after a SELECT.
  const conflict = options.onConflict ? ` WHERE true ${options.onConflict}` : "";
  return perChunk(
    db,
    `INSERT INTO ${columnName(table)} (${columns.join(", ")}) SELECT ${values.join(", ")} FROM json_each(?1)${conflict}`,
    rows,
  );
}
