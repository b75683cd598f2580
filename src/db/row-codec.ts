/**
 * D1 stores booleans as INTEGER 0/1 and objects and arrays as JSON text (schema.sql). The management
 * API names every field of a resource after its column, so a row and its resource convert into each
 * other by the resource's zod schema (src/models/): written once here, for every table.
 */
import type { z } from "zod";

export type SqlValue = string | number | null;

/** A resource's fields as D1 stores them: booleans 0/1, objects and arrays JSON text. */
export type RowOf<T> = { [K in keyof T]: Stored<T[K]> };
type Stored<V> = V extends boolean ? number : V extends string | number | null | undefined ? V : string;

/** Booleans are INTEGER 0/1 in D1. */
export const bit = (value: boolean) => (value ? 1 : 0);

/** One value as D1 stores it: booleans become 0/1, objects and arrays JSON text, null stays NULL. */
export function encodeValue(value: unknown): SqlValue {
  if (typeof value === "boolean") return bit(value);
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  if (value === undefined) return null;
  return value as SqlValue;
}

/** Every field of `values` as D1 stores it (undefined becomes NULL). */
export function encodeRow<T extends object>(values: T): RowOf<T> {
  return Object.fromEntries(Object.entries(values).map(([column, value]) => [column, encodeValue(value)])) as RowOf<T>;
}

type Decoding = "boolean" | "json" | "as-is";
const decodings = new WeakMap<z.ZodObject, Array<[string, Decoding]>>();

/** How each field of `schema` is stored, from its zod type (nullable, optional and defaults looked through). */
function decodingOf(schema: z.ZodObject): Array<[string, Decoding]> {
  let known = decodings.get(schema);
  if (!known) {
    known = Object.entries(schema.shape).map(([field, type]) => {
      let def = (type as z.ZodType).def as { type: string; innerType?: z.ZodType };
      while (def.innerType && (def.type === "nullable" || def.type === "optional" || def.type === "default")) {
        def = def.innerType.def as typeof def;
      }
      const decoding: Decoding =
        def.type === "boolean" ? "boolean" : def.type === "record" || def.type === "object" || def.type === "array" ? "json" : "as-is";
      return [field, decoding];
    });
    decodings.set(schema, known);
  }
  return known;
}

/** The resource a row holds: its schema's fields, read from the columns of the same names. NULL stays null. */
export function decodeRow<S extends z.ZodObject>(schema: S, row: RowOf<z.output<S>>): z.output<S> {
  const stored = row as Record<string, SqlValue>;
  const resource: Record<string, unknown> = {};
  for (const [field, decoding] of decodingOf(schema)) {
    const value = stored[field] ?? null;
    resource[field] = value === null || decoding === "as-is" ? value : decoding === "boolean" ? value === 1 : JSON.parse(String(value));
  }
  return resource as z.output<S>;
}

/** The fields `columns` of `values`, in that order. */
export function pick<T extends object, K extends keyof T>(values: T, columns: readonly K[]): Pick<T, K> {
  return Object.fromEntries(columns.map((column) => [column, values[column]])) as Pick<T, K>;
}

/**
 * `column = ?` pairs for the fields present in `changes`. The column names are the keys of a
 * zod-validated `.strict()` body (src/models/), never raw client input, and each names a column of
 * the same name.
 */
export function setClause(changes: object): { sql: string; values: SqlValue[] } {
  const assignments: string[] = [];
  const values: SqlValue[] = [];
  for (const [column, value] of Object.entries(changes) as Array<[string, unknown]>) {
    if (value === undefined) continue;
    assignments.push(`${columnName(column)} = ?`);
    values.push(encodeValue(value));
  }
  return { sql: assignments.join(", "), values };
}

/** A column name from our own field names; anything else is a bug, refused before it reaches SQL. */
export function columnName(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a column name: ${name}`);
  return name;
}

/**
 * `INSERT INTO table (...) VALUES (...)` of every field of `values` (a validated body or a row built
 * here, whose field names are columns), as D1 stores them, followed by `tail` (ON CONFLICT, RETURNING).
 */
export function insertStatement(db: D1Database, table: string, values: object, tail = ""): D1PreparedStatement {
  const row = encodeRow(values) as Record<string, SqlValue>;
  const columns = Object.keys(row).map(columnName);
  return db
    .prepare(`INSERT INTO ${columnName(table)} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ${tail}`)
    .bind(...Object.values(row));
}

/** How a table holds a resource whose fields are named as its columns: the columns to select, and each row decoded. */
export function resourceRows<S extends z.ZodObject>(schema: S) {
  return {
    columns: Object.keys(schema.shape).join(", "),
    decode: (row: RowOf<z.output<S>>): z.output<S> => decodeRow(schema, row),
  };
}
