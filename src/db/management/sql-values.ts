/** Turning validated management input into SQL values. */

/** Booleans are INTEGER 0/1 in D1 (schema.sql). */
export const bit = (value: boolean) => (value ? 1 : 0);

/**
 * `column = ?` pairs for the fields present in `changes`. The column names are the keys of a
 * zod-validated `.strict()` body (src/management/schemas.ts), never raw client input, and each
 * names a column of the same name. Booleans become 0/1, objects JSON text, null stays NULL.
 */
export function setClause(changes: object): { sql: string; values: Array<string | number | null> } {
  const assignments: string[] = [];
  const values: Array<string | number | null> = [];
  for (const [column, value] of Object.entries(changes) as Array<[string, unknown]>) {
    if (value === undefined) continue;
    if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column name: ${column}`);
    assignments.push(`${column} = ?`);
    values.push(
      typeof value === "boolean"
        ? bit(value)
        : value !== null && typeof value === "object"
          ? JSON.stringify(value)
          : (value as string | number | null),
    );
  }
  return { sql: assignments.join(", "), values };
}
