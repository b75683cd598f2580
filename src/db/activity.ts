/**
 * The activity log (table activity): who did what to what, with the values before and after.
 *
 * Recording an action is one call. Where the change is a D1 write, put `activityStatement(...)` in
 * the same `db.batch` as the change, so that the change and its record commit together or not at
 * all. Where it is not (a counter reset is an RPC to the counter object), call
 * `recordActivity(...)` once the change is done. A new kind of action is first added to
 * ACTIVITY_ACTIONS (and its target to ACTIVITY_TARGETS) in src/models/activity.ts.
 *
 *   await env.DB.batch([
 *     env.DB.prepare("UPDATE licenses SET enabled = 0 WHERE id = ?").bind(licenseId),
 *     activityStatement(env.DB, actor, {
 *       action: "license.disabled",
 *       target: { type: "license", id: licenseId },
 *       licenseId,
 *       before: { enabled: true },
 *       after: { enabled: false },
 *     }),
 *   ]);
 */
import type { ManagementActor } from "../auth/management-roles";
import { ActivityResource, type ActivityAction, type ActivityQuery, type ActivityTarget } from "../models/activity";
import { readPage, type KeysetPage } from "./keyset-page";
import { columnName, resourceRows, type RowOf, type SqlValue } from "./row-codec";

/**
 * An id an entry names: a number, null, or the id a statement earlier in the same batch gave
 * (a SELECT of one value, e.g. "SELECT MAX(id) FROM licenses" after issuing one).
 */
export type ActivityRef = number | null | { select: string; bind?: SqlValue[] };

export interface ActivityEntry {
  action: ActivityAction;
  target: { type: ActivityTarget; id: ActivityRef };
  /** The license the action concerns (the license itself, or the license of a feature, counter or device). */
  licenseId?: ActivityRef;
  /** The values that changed, before and after (absent or null: nothing, as before a creation or after a deletion). */
  before?: object | null;
  after?: object | null;
  /**
   * Record it only if the statement just before it in the batch changed a row (SQLite's changes()):
   * for conditional writes (`... WHERE revoked_at IS NULL`), so that a write that changed nothing,
   * such as the second of two racing revocations, is not recorded.
   */
  onlyIfChanged?: boolean;
  /** Record in `after`, under this name, how many rows the statement just before it in the batch changed (a bulk write's count). */
  changesAs?: string;
}

/** The INSERT of one activity entry, for the batch that makes the change. */
export function activityStatement(db: D1Database, actor: ManagementActor, entry: ActivityEntry): D1PreparedStatement {
  const target = sqlOf(entry.target.id);
  const license = sqlOf(entry.licenseId ?? null);
  const after = entry.changesAs === undefined ? "?" : `json_set(?, '$.${columnName(entry.changesAs)}', changes())`;
  return db
    .prepare(
      `INSERT INTO activity (actor, actor_type, action, target_type, target_id, license_id, before, after)
       SELECT ?, ?, ?, ?, ${target.sql}, ${license.sql}, ?, ${after}${entry.onlyIfChanged ? " WHERE changes() > 0" : ""}`,
    )
    .bind(
      actor.name,
      actor.type,
      entry.action,
      entry.target.type,
      ...target.values,
      ...license.values,
      jsonOrNull(entry.before),
      entry.changesAs === undefined ? jsonOrNull(entry.after) : JSON.stringify(entry.after ?? {}),
    );
}

/** Records an action that was not a D1 write (or whose write is already committed): one statement of its own. */
export async function recordActivity(db: D1Database, actor: ManagementActor, entry: ActivityEntry): Promise<void> {
  await activityStatement(db, actor, entry).run();
}

function sqlOf(ref: ActivityRef): { sql: string; values: SqlValue[] } {
  if (ref === null || typeof ref === "number") return { sql: "?", values: [ref] };
  return { sql: `(${ref.select})`, values: ref.bind ?? [] };
}

const jsonOrNull = (values: object | null | undefined) => (values === null || values === undefined ? null : JSON.stringify(values));

// ---------------------------------------------------------------- reading

export type ActivityRow = RowOf<ActivityResource>;
const entries = resourceRows(ActivityResource);

// Every filter is optional: `?n IS NULL OR ...` keeps one statement for all combinations.
const ACTIVITY_SQL = `
SELECT ${entries.columns}
FROM activity
WHERE (?1 IS NULL OR id < ?1)
  AND (?2 IS NULL OR actor = ?2)
  AND (?3 IS NULL OR action = ?3)
  AND (?4 IS NULL OR target_type = ?4)
  AND (?5 IS NULL OR target_id = ?5)
  AND (?6 IS NULL OR license_id = ?6)
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
ORDER BY id DESC
LIMIT ?9`;

/** One page of entries, newest first, before `cursor` (the previous page's last id). */
export function listActivity(db: D1Database, query: ActivityQuery): Promise<KeysetPage<ActivityResource>> {
  return readPage(
    db
      .prepare(ACTIVITY_SQL)
      .bind(
        query.cursor ?? null,
        query.actor ?? null,
        query.action ?? null,
        query.target_type ?? null,
        query.target_id ?? null,
        query.license_id ?? null,
        query.from ?? null,
        query.to ?? null,
        query.limit + 1,
      ),
    query.limit,
    entries.decode,
  );
}
