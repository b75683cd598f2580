// The archive is a format standard engines read without anything of ours: the real Worker (wrangler's
// test harness, workerd) archives old audit rows to its local R2 from its cron handler; the files
// are copied out in their R2 layout and DuckDB reads them, Hive partitions and manifests included.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { D1Database, R2Bucket } from "@cloudflare/workers-types";
import { DuckDBInstance } from "@duckdb/node-api";
import { createTestHarness, unstable_splitSqlQuery } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local-setup.mjs";

type Row = { id: number; event_id: string; created_at: string; license_id: number; consumptions: number; hardware_id: string };
type Bindings = { DB: D1Database; AUDIT_ARCHIVE: R2Bucket };

const DAYS = ["2026-01-10", "2026-01-11", "2026-01-12"];
let server: ReturnType<typeof createTestHarness>;
let copy: string;
let seeded: Row[];

beforeAll(async () => {
  server = createTestHarness({
    root: ROOT,
    workers: [{ configPath: "./wrangler.toml", secrets: { LICENSE_SIGNING_KEY: "unused", MANAGEMENT_KEY: "m".repeat(32) } }],
  });
  await server.listen();
  const env = await server.getWorker<Bindings>().getEnv();
  for (const file of readdirSync(join(ROOT, "migrations")).sort()) {
    const statements = unstable_splitSqlQuery(readFileSync(join(ROOT, "migrations", file), "utf8"));
    await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));
  }
  // Three old days of 300 rows (64-character hardware ids), then one row of "today".
  for (const [index, day] of [...DAYS, "2026-06-01"].entries()) {
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
       INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
       SELECT lower(hex(randomblob(16))), 1000 + i % 7, 2000 + i % 7, 'exports', lower(hex(randomblob(32))), ?3 + i % 4, i, 'consumption_add', NULL,
              strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '+' || (i * 280) || ' seconds')
       FROM n`,
    )
      .bind(`${day}T00:00:00.000Z`, index < DAYS.length ? 300 : 1, index + 1)
      .run();
  }
  seeded = (
    await env.DB.prepare(
      "SELECT id, event_id, created_at, license_id, consumptions, hardware_id FROM consumption_audit ORDER BY id",
    ).all<Row>()
  ).results;

  // The cron, as Cloudflare fires it (scheduledTime: the retention window is counted from it).
  const run = await server.getWorker().scheduled({ cron: "*/10 * * * *", scheduledTime: new Date("2026-06-01T12:00:00Z") });
  expect(run.outcome).toBe("ok");

  // The archive copied out with its keys as paths, as `rclone copy` or `aws s3 sync` would.
  copy = mkdtempSync(join(tmpdir(), "audit-archive-"));
  const listed = await env.AUDIT_ARCHIVE.list({ prefix: "audit-log/" });
  for (const object of listed.objects) {
    const body = await env.AUDIT_ARCHIVE.get(object.key);
    mkdirSync(dirname(join(copy, object.key)), { recursive: true });
    writeFileSync(join(copy, object.key), new Uint8Array(await body!.arrayBuffer()));
  }
  expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit").first("n")).toBe(1);
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (copy) rmSync(copy, { recursive: true, force: true });
});

async function duckdb<T>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("the audit archive, read by DuckDB", () => {
  it("holds every archived row once, per day, with the values D1 had", async () => {
    const parts = `${copy}/audit-log/day=*/*.parquet`;
    const perDay = await duckdb<{ day: string; rows: bigint; consumptions: bigint; first_id: bigint; last_id: bigint }>(
      `SELECT day::VARCHAR AS day, count(*) AS rows, sum(consumptions) AS consumptions, min(id) AS first_id, max(id) AS last_id
       FROM read_parquet('${parts}', hive_partitioning = true) GROUP BY day ORDER BY day`,
    );
    const archived = seeded.slice(0, -1);
    expect(perDay).toEqual(
      DAYS.map((day) => {
        const rows = archived.filter((row) => row.created_at.startsWith(day));
        return {
          day,
          rows: BigInt(rows.length),
          consumptions: BigInt(rows.reduce((sum, row) => sum + row.consumptions, 0)),
          first_id: BigInt(rows[0]!.id),
          last_id: BigInt(rows.at(-1)!.id),
        };
      }),
    );
    const rows = await duckdb<Row>(
      `SELECT id::INTEGER AS id, event_id, created_at, license_id::INTEGER AS license_id, consumptions::INTEGER AS consumptions, hardware_id
       FROM read_parquet('${parts}') ORDER BY id`,
    );
    expect(rows).toEqual(archived);
  });

  it("has typed columns and a manifest per day that agrees with the files", async () => {
    const columns = await duckdb<{ column_name: string; column_type: string }>(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${copy}/audit-log/day=*/*.parquet'))`,
    );
    expect(Object.fromEntries(columns.map((column) => [column.column_name, column.column_type]))).toEqual({
      day: "DATE", // from the path (Hive partitioning)
      id: "BIGINT",
      event_id: "VARCHAR",
      created_at: "VARCHAR",
      event: "VARCHAR",
      license_id: "BIGINT",
      license_feature_id: "BIGINT",
      feature_code: "VARCHAR",
      hardware_id: "VARCHAR",
      consumptions: "BIGINT",
      total_after: "BIGINT",
      api_key_id: "BIGINT",
    });
    const manifests = await duckdb<{ day: string; rows: bigint; consumptions: bigint; parts: bigint }>(
      `SELECT day::VARCHAR AS day, rows, consumptions, len(parts) AS parts FROM read_json('${copy}/audit-log/day=*/manifest.json') ORDER BY day`,
    );
    const files = await duckdb<{ day: string; rows: bigint; consumptions: bigint; parts: bigint }>(
      `SELECT day::VARCHAR AS day, count(*) AS rows, sum(consumptions) AS consumptions, count(DISTINCT filename) AS parts
       FROM read_parquet('${copy}/audit-log/day=*/*.parquet', hive_partitioning = true, filename = true) GROUP BY day ORDER BY day`,
    );
    expect(manifests).toEqual(files);
  });
});
