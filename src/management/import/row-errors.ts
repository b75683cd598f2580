/**
 * Row-numbered errors of a bulk import. Every row is checked (its shape with zod, then against the
 * other rows and what D1 holds) before anything is written; if any row is bad the call answers
 * validation_error whose `errors` names every bad row, and writes nothing.
 */
import type { z } from "zod";
import type { ManagementActor } from "../../auth/management-roles";
import { activityStatement } from "../../db/activity";
import { isUniqueViolation } from "../../db/sql-errors";
import { ApiError, type RowError } from "../../errors";
import type { ImportBody, NumberedRow } from "../../http/read-import-body";
import { explainedParse, problemText } from "../../http/validation-problems";
import { illFormedText } from "../../license-api/schemas";
import type { ActivityAction } from "../../models/activity";

/** One row's JSON may be at most this long (its values end up in one D1 row, which D1 caps at 1 MB). */
export const MAX_ROW_BYTES = 64 * 1024;

/** How many bad rows the message lists; `errors` lists them all. */
const IN_MESSAGE = 10;

export class RowErrors {
  private readonly errors: RowError[] = [];

  add(row: number, field: string | null, message: string): void {
    this.errors.push({ row, field, message });
  }

  has(row: number): boolean {
    return this.errors.some((error) => error.row === row);
  }

  /** validation_error naming every bad row, in row order, unless there is none. */
  throwIfAny(): void {
    if (this.errors.length === 0) return;
    const errors = [...this.errors].sort((a, b) => a.row - b.row);
    const rows = new Set(errors.map((error) => error.row)).size;
    const listed = errors
      .slice(0, IN_MESSAGE)
      .map((error) => `row ${error.row}: ${problemText(error.field === null ? [] : [error.field], error.message)}`)
      .join("; ");
    const more = errors.length > IN_MESSAGE ? `; and ${errors.length - IN_MESSAGE} more (see errors)` : "";
    throw new ApiError(
      "validation_error",
      `${rows === 1 ? "1 row is" : `${rows} rows are`} invalid; nothing was imported: ${listed}${more}`,
      undefined,
      errors,
    );
  }
}

const encoder = new TextEncoder();

/** Validates each row with `schema`; bad rows (and unreadable NDJSON lines) are added to `errors`. */
export function validateRows<S extends z.ZodType>(schema: S, body: ImportBody, errors: RowErrors): Array<NumberedRow<z.infer<S>>> {
  for (const line of body.unreadable) errors.add(line, null, "this line is not valid JSON");
  const valid: Array<NumberedRow<z.infer<S>>> = [];
  for (const { row, value } of body.rows) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      errors.add(row, null, "a row must be a JSON object");
      continue;
    }
    if (encoder.encode(JSON.stringify(value)).byteLength > MAX_ROW_BYTES) {
      errors.add(row, null, `a row may be at most ${MAX_ROW_BYTES} bytes of JSON`);
      continue;
    }
    const illFormed = illFormedText(value);
    if (illFormed !== null) {
      errors.add(row, null, illFormed);
      continue;
    }
    const result = explainedParse(schema, value);
    if (result.success) valid.push({ row, value: result.data });
    else for (const issue of result.error.issues) errors.add(row, issue.path.length ? issue.path.join(".") : null, issue.message);
  }
  return valid;
}

/** A row that repeats an earlier row's natural key: an error naming the earlier row. */
export function rejectRepeats<T>(rows: Array<NumberedRow<T>>, keyOf: (value: T) => string, field: string, errors: RowErrors): void {
  const first = new Map<string, number>();
  for (const { row, value } of rows) {
    const key = keyOf(value);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, row);
    else errors.add(row, field, `repeats row ${earlier}`);
  }
}

/** What the activity log records of an import: who, which kind, and what it did (`after`). */
export interface ImportRecord {
  actor: ManagementActor;
  action: ActivityAction & `import.${string}`;
  after: object;
}

/**
 * Runs an import's writes and its activity entry as ONE db.batch (one D1 transaction). A UNIQUE
 * failure means another write created one of the rows since they were checked: nothing was
 * written, and sending the same rows again imports them (the rows already here are then left as
 * they are). An import that has nothing to write (every row is here already) writes nothing, not
 * even an activity entry.
 */
export async function commitImport(db: D1Database, statements: D1PreparedStatement[], record: ImportRecord): Promise<void> {
  if (statements.length === 0) return;
  const activity = activityStatement(db, record.actor, {
    action: record.action,
    target: { type: "import", id: null },
    after: record.after,
  });
  try {
    await db.batch([...statements, activity]);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ApiError("conflict", "Another write created some of these rows meanwhile; nothing was imported: send the same rows again");
    }
    throw error;
  }
}
