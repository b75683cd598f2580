// The counter object's SQLite schema evolves by numbered steps (src/counter/schema-migrations.ts).
// Objects already deployed hold schemas that had no version row; each is rebuilt here exactly as
// that code created it, with data in every table, and the object is started on it: it must arrive
// at the schema a new object has, with its total, its period, its pending audit rows (delivered to
// D1 afterwards), its remembered requests, its floating leases and its import log intact.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter, featureTarget } from "../../src/counter/counter-stubs";
import { COUNTER_SCHEMA_VERSION, migrateCounterSchema } from "../../src/counter/schema-migrations";
import { auditRows, flushAudit } from "../support/audit";
import { consume, signedBody } from "../support/client";
import { createApiKey, createFixture, type Fixture } from "../support/fixtures";

const NOW = "2026-05-13T12:00:00.000Z";
const MONTH_START = "2026-05-01T00:00:00.000Z";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(NOW));
});
afterEach(() => {
  vi.useRealTimers();
});

// The tables as the code of each shipped schema created them, word for word.
const COUNTER_WITHOUT_KIND = `
  CREATE TABLE IF NOT EXISTS counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    license_id INTEGER NOT NULL,
    license_feature_id INTEGER,
    total INTEGER NOT NULL,
    period_start TEXT
  );`;
const OUTBOX = `
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
  );`;
const REQUESTS = `
  CREATE TABLE IF NOT EXISTS requests (
    request_key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    outcome TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS requests_by_expiry ON requests (expires_at);`;
const PERIOD_KIND = "ALTER TABLE counter ADD COLUMN period_kind TEXT";
const IMPORTS = `
  CREATE TABLE IF NOT EXISTS imports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    total INTEGER NOT NULL,
    total_before INTEGER NOT NULL,
    imported_at TEXT NOT NULL
  );`;
const LEASES = `
  CREATE TABLE IF NOT EXISTS leases (
    hardware_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    borrowed_until INTEGER
  );`;

interface ShippedSchema {
  name: string;
  ddl: string[];
  periodKind: boolean;
  requests: boolean;
  leases: boolean;
  imports: boolean;
}

const SHIPPED: ShippedSchema[] = [
  {
    name: "the first: the counter without its period kind, and the outbox",
    ddl: [COUNTER_WITHOUT_KIND, OUTBOX],
    periodKind: false,
    requests: false,
    leases: false,
    imports: false,
  },
  {
    name: "with the request log",
    ddl: [COUNTER_WITHOUT_KIND, OUTBOX, REQUESTS],
    periodKind: false,
    requests: true,
    leases: false,
    imports: false,
  },
  {
    name: "with the period kind",
    ddl: [COUNTER_WITHOUT_KIND, PERIOD_KIND, OUTBOX, REQUESTS],
    periodKind: true,
    requests: true,
    leases: false,
    imports: false,
  },
  {
    name: "with the import log",
    ddl: [COUNTER_WITHOUT_KIND, PERIOD_KIND, OUTBOX, REQUESTS, IMPORTS],
    periodKind: true,
    requests: true,
    leases: false,
    imports: true,
  },
  {
    name: "the last without a version: with the floating pool, no import yet",
    ddl: [COUNTER_WITHOUT_KIND, PERIOD_KIND, REQUESTS, OUTBOX, LEASES],
    periodKind: true,
    requests: true,
    leases: true,
    imports: false,
  },
  {
    name: "the last without a version: every table",
    ddl: [COUNTER_WITHOUT_KIND, PERIOD_KIND, REQUESTS, OUTBOX, LEASES, IMPORTS],
    periodKind: true,
    requests: true,
    leases: true,
    imports: true,
  },
];

type Storage = DurableObjectStorage;

/** Every table (and its columns, indexes and the sql that made it, whitespace aside) and the version row. */
function structure(storage: Storage) {
  const tables = storage.sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
    )
    .toArray()
    .map(({ name }) => name);
  return {
    tables: tables.map((name) => ({
      name,
      columns: storage.sql.exec(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${name}')`).toArray(),
      indexes: storage.sql.exec(`SELECT name, "unique" FROM pragma_index_list('${name}') ORDER BY name`).toArray(),
    })),
    version: storage.sql.exec("SELECT version FROM schema_version").toArray(),
  };
}

/** Replaces the object's storage by a shipped schema holding data in each of its tables. */
function plantShipped(storage: Storage, schema: ShippedSchema, fixture: Fixture): void {
  const { sql } = storage;
  const tables = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
    .toArray();
  for (const { name } of tables) sql.exec(`DROP TABLE ${name}`);
  for (const ddl of schema.ddl) sql.exec(ddl);
  if (schema.periodKind) {
    sql.exec(
      "INSERT INTO counter (id, license_id, license_feature_id, total, period_start, period_kind) VALUES (1, ?, ?, 7, ?, 'monthly')",
      fixture.licenseId,
      fixture.licenseFeatureId,
      MONTH_START,
    );
  } else {
    sql.exec(
      "INSERT INTO counter (id, license_id, license_feature_id, total, period_start) VALUES (1, ?, ?, 7, ?)",
      fixture.licenseId,
      fixture.licenseFeatureId,
      MONTH_START,
    );
  }
  // Three audit rows not yet sent: the 5, 1 and 1 that make the total 7.
  [5, 6, 7].forEach((totalAfter, i) =>
    sql.exec(
      `INSERT INTO outbox (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'consumption_add', 1, ?)`,
      `shipped-${fixture.licenseFeatureId}-${i}`,
      fixture.licenseId,
      fixture.licenseFeatureId,
      fixture.featureCode,
      fixture.hardwareId,
      i === 0 ? 5 : 1,
      totalAfter,
      NOW,
    ),
  );
  if (schema.requests) {
    sql.exec(
      "INSERT INTO requests (request_key, fingerprint, outcome, expires_at) VALUES ('client:1:k', 'f', '{\"kind\":\"key_reused\"}', ?)",
      Date.parse(NOW) + 86_400_000,
    );
  }
  if (schema.leases)
    sql.exec(
      "INSERT INTO leases (hardware_id, expires_at, borrowed_until) VALUES (?, ?, NULL)",
      fixture.hardwareId,
      Date.parse(NOW) + 3_600_000,
    );
  if (schema.imports) sql.exec("INSERT INTO imports (total, total_before, imported_at) VALUES (7, 0, ?)", NOW);
}

describe("the counter object's schema migrations", () => {
  it.each(SHIPPED)("an object on the schema $name upgrades with its data intact", async (schema) => {
    const credentials = await createApiKey();
    const fixture = await createFixture({
      feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "monthly", floatingUsers: 3 },
    });
    const target = featureTarget(fixture.licenseId, fixture.licenseFeatureId);

    // What a new object holds: the schema to arrive at.
    const fresh = await createFixture({ feature: { maxConsumption: 100 } });
    const expected = await runInDurableObject(featureCounter(env, fresh.licenseFeatureId), (_instance: ConsumptionCounter, state) =>
      structure(state.storage),
    );
    expect(expected.version).toEqual([{ version: COUNTER_SCHEMA_VERSION }]);

    const requestsBefore = await runInDurableObject(
      featureCounter(env, fixture.licenseFeatureId),
      (_instance: ConsumptionCounter, state) => {
        plantShipped(state.storage, schema, fixture);
        return schema.requests ? state.storage.sql.exec("SELECT * FROM requests").toArray() : [];
      },
    );
    await abortAllDurableObjects(); // the next instance starts on what storage holds
    const counter = featureCounter(env, fixture.licenseFeatureId);

    // The total and its period, as they were: no reset within the month.
    expect(await counter.state(target)).toEqual({ total: 7, periodStart: MONTH_START });
    const upgraded = await runInDurableObject(counter, (_instance: ConsumptionCounter, state) => ({
      structure: structure(state.storage),
      requests: state.storage.sql.exec("SELECT * FROM requests").toArray(),
      imports: state.storage.sql.exec<{ total: number }>("SELECT total FROM imports").toArray(),
    }));
    expect(upgraded.structure).toEqual(expected);
    expect(upgraded.requests).toEqual(requestsBefore);
    expect(upgraded.imports).toEqual(schema.imports ? [{ total: 7 }] : []);

    // The pending rows reach D1, then the next consumption's row, in order.
    expect(await counter.pendingAuditRows()).toBe(3);
    expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(8);
    await flushAudit(fixture.licenseFeatureId);
    expect(
      (await auditRows(fixture.licenseFeatureId)).map((row) => [row.event_id.startsWith("shipped-"), row.consumptions, row.total_after]),
    ).toEqual([
      [true, 5, 5],
      [true, 1, 6],
      [true, 1, 7],
      [false, 1, 8],
    ]);
    const mirror = await env.DB.prepare("SELECT total_consumptions FROM license_features WHERE id = ?")
      .bind(fixture.licenseFeatureId)
      .first<number>("total_consumptions");
    expect(mirror).toBe(8);

    // The floating lease still holds its slot; an import of the total the import log holds changes nothing.
    expect((await counter.poolLeases(target)).leases.map((lease) => lease.hardwareId)).toEqual(schema.leases ? [fixture.hardwareId] : []);
    expect((await counter.importTotal(target, 7)).total).toBe(schema.imports ? 8 : 7);
  });

  it("runs nothing on an object that is up to date, and refuses storage from a newer version", async () => {
    const fixture = await createFixture();
    await runInDurableObject(featureCounter(env, fixture.licenseFeatureId), (_instance: ConsumptionCounter, state) => {
      expect(migrateCounterSchema(state.storage)).toBe(COUNTER_SCHEMA_VERSION);
      state.storage.sql.exec("UPDATE schema_version SET version = ?", COUNTER_SCHEMA_VERSION + 1);
      expect(() => migrateCounterSchema(state.storage)).toThrow(/newer than this code's/);
      state.storage.sql.exec("UPDATE schema_version SET version = ?", COUNTER_SCHEMA_VERSION);
    });
  });
});
