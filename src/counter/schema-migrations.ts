/**
 * How the counter object's SQLite schema evolves: numbered steps, like D1's `migrations/`. Step n
 * is `COUNTER_SCHEMA_STEPS[n - 1]`, a named function; table `schema_version` holds one row, the
 * number of the last step applied. The object's constructor runs the steps its storage has not
 * seen yet, inside `blockConcurrencyWhile` and one `transactionSync`, so no request ever sees a
 * half-migrated object and a step that fails leaves the storage as it was.
 *
 * To change the schema: write a function that makes the change, append it to COUNTER_SCHEMA_STEPS,
 * and say what its table is for beside the code that reads it. Never edit or reorder a step that
 * has shipped: objects already past it will not run it again.
 * test/durable-object/schema-migrations.test.ts starts objects on every schema that shipped
 * without a version row and checks they arrive at the schema of a new object with their data.
 */

type SchemaStep = (sql: SqlStorage) => void;

/**
 * 1: the counter's total and the audit outbox, as the first objects had them. `IF NOT EXISTS` in
 * steps 1 to 5: objects from before the schema had a version hold some of these tables already
 * (see versionBeforeVersioning).
 */
function createCounterAndOutbox(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS counter (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      license_id INTEGER NOT NULL,
      license_feature_id INTEGER,
      total INTEGER NOT NULL,
      period_start TEXT
    );
    CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      event_id TEXT NOT NULL UNIQUE,
      license_id INTEGER NOT NULL,
      license_feature_id INTEGER,
      feature_code TEXT,
      hardware_id TEXT,
      consumptions INTEGER NOT NULL,
      total_after INTEGER NOT NULL,
      event TEXT NOT NULL,
      api_key_id INTEGER,
      created_at TEXT NOT NULL
    );`);
}

/** 2: the answers to request keys (request-log.ts). */
function createRequestLog(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS requests (
      request_key TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      outcome TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS requests_by_expiry ON requests (expires_at);`);
}

/** 3: the kind of period the counter tracks (NULL on rows written before: "not recorded", counter-total.ts). */
function addCounterPeriodKind(sql: SqlStorage): void {
  sql.exec("ALTER TABLE counter ADD COLUMN period_kind TEXT");
}

/** 4: the totals imports set (import-log.ts). */
function createImportLog(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS imports (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      total INTEGER NOT NULL,
      total_before INTEGER NOT NULL,
      imported_at TEXT NOT NULL
    );`);
}

/** 5: the floating pool (floating-pool.ts). */
function createFloatingLeases(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS leases (
      hardware_id TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL,
      borrowed_until INTEGER
    );`);
}

/** 6: audit rows too large for any queue message, kept whole out of the outbox's way (outbox.ts). */
function createSetAsideAuditRows(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE set_aside_audit_rows (
      seq INTEGER PRIMARY KEY,
      event_id TEXT NOT NULL UNIQUE,
      license_id INTEGER NOT NULL,
      license_feature_id INTEGER,
      feature_code TEXT,
      hardware_id TEXT,
      consumptions INTEGER NOT NULL,
      total_after INTEGER NOT NULL,
      event TEXT NOT NULL,
      api_key_id INTEGER,
      created_at TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      reported INTEGER NOT NULL DEFAULT 0
    );`);
}

/**
 * 7: usage beyond the audit rows (docs/usage-and-webhooks.md): each row's overage units (outbox.ts;
 * NULL on rows written before), refusals counted per hour (refusal-counts.ts), and the events
 * webhooks are made from, waiting for the audit queue like the rows (event-outbox.ts).
 */
function addUsageSignals(sql: SqlStorage): void {
  sql.exec(`
    ALTER TABLE outbox ADD COLUMN overage INTEGER;
    ALTER TABLE set_aside_audit_rows ADD COLUMN overage INTEGER;
    CREATE TABLE refusal_counts (
      hour TEXT PRIMARY KEY,
      license_id INTEGER NOT NULL,
      license_feature_id INTEGER,
      over_limit INTEGER NOT NULL DEFAULT 0,
      negative INTEGER NOT NULL DEFAULT 0,
      sent_over_limit INTEGER NOT NULL DEFAULT 0,
      sent_negative INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE event_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      event_id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      data TEXT NOT NULL
    );`);
}

/** 8: the snapshot the object decides with, kept across evictions, and its coherence marks (snapshot-store.ts). */
function createSnapshot(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE snapshot (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      shape TEXT,
      rows TEXT,
      write_version INTEGER NOT NULL,
      read_at INTEGER NOT NULL,
      stale INTEGER NOT NULL,
      stale_below INTEGER NOT NULL
    );`);
}

export const COUNTER_SCHEMA_STEPS: readonly SchemaStep[] = [
  createCounterAndOutbox,
  createRequestLog,
  addCounterPeriodKind,
  createImportLog,
  createFloatingLeases,
  createSetAsideAuditRows,
  addUsageSignals,
  createSnapshot,
];

/** The version a new object reaches: the number of steps. */
export const COUNTER_SCHEMA_VERSION = COUNTER_SCHEMA_STEPS.length;

/**
 * Brings the storage to COUNTER_SCHEMA_VERSION, running each missing step in order, all in one
 * transaction. Answers the version the storage was at. Cheap when there is nothing to do: one read.
 */
export function migrateCounterSchema(storage: DurableObjectStorage): number {
  return storage.transactionSync(() => {
    const { sql } = storage;
    const from = storedVersion(sql);
    if (from === COUNTER_SCHEMA_VERSION) return from;
    if (from > COUNTER_SCHEMA_VERSION) {
      // Storage written by newer code (a rollback): refusing is safer than guessing at its tables.
      throw new Error(`counter schema version ${from} is newer than this code's ${COUNTER_SCHEMA_VERSION}`);
    }
    for (const step of COUNTER_SCHEMA_STEPS.slice(from)) step(sql);
    sql.exec(
      "INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
      COUNTER_SCHEMA_VERSION,
    );
    return from;
  });
}

function storedVersion(sql: SqlStorage): number {
  const versioned = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").toArray().length > 0;
  if (versioned) return sql.exec<{ version: number }>("SELECT version FROM schema_version WHERE id = 1").toArray()[0]?.version ?? 0;
  sql.exec("CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
  return versionBeforeVersioning(sql);
}

/**
 * Where an object from before the schema had a version row stands. Such objects created their
 * tables with `CREATE TABLE IF NOT EXISTS` at every start (steps 1, 2, 4 and 5, which repeat that
 * form, are safe to run again on them), and added `counter.period_kind` at some point: that column
 * is the one thing to look at. No `counter` table: a new object.
 */
function versionBeforeVersioning(sql: SqlStorage): number {
  const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('counter')").toArray();
  if (columns.length === 0) return 0;
  return columns.some((column) => column.name === "period_kind") ? 3 : 1;
}
