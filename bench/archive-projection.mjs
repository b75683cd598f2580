#!/usr/bin/env node
// `npm run bench:archive`: the audit log's bound, measured (docs/audit-archive.md "Proof of the bound").
//
//   1. D1's bytes per raw audit row: one simulated day of realistic rows (1,000 features over 500
//      licenses, 20 devices each with 64-character hardware ids, UUID event ids) written into
//      SQLite, the engine D1 runs, with schema.sql and all its indexes; and the bytes of a
//      catalogue row. D1 at steady state is (retention + 1) days × daily rows × bytes per row.
//   2. The archive format: Parquet (the service's own encoder) next to gzip'd NDJSON, for the same
//      rows: bytes per row, CPU to encode and to read back, heap for one part.
//   3. Archive throughput in workerd: one day of ARCHIVE_ROWS rows (default 300,000) in the real
//      Worker's D1, archived by its real cron handler run after run; rows/s, R2 operations per
//      million rows and their price.
//   4. Two simulated years at YEAR_ROWS_PER_DAY rows a day (default 2,000): the cron runs once per
//      simulated day; after every run D1 holds only the retention window, and at the end every
//      row is in D1 or in exactly one archived part (every part file read back).
//
// Talks to nothing but the workerd it starts; stops by itself; writes
// bench/reports/YYYY-MM-DD-<commit>-archive.md. Environment: ARCHIVE_ROWS, YEAR_ROWS_PER_DAY,
// YEAR_DAYS (730), DAY_ROWS (rows of step 1, 1,000,000), STEPS (e.g. "1,2").
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { gzipSync, gunzipSync } from "node:zlib";
import { build } from "esbuild";
import { parquetReadObjects } from "hyparquet";
import { createTestHarness, unstable_splitSqlQuery } from "wrangler";
import { ROOT } from "../scripts/local-setup.mjs";

const DAY_MS = 86_400_000;
const RETENTION_DAYS = 90;
const PART_ROWS = 20_000;
const DAY_ROWS = Number(process.env.DAY_ROWS ?? 1_000_000);
const ARCHIVE_ROWS = Number(process.env.ARCHIVE_ROWS ?? 300_000);
const YEAR_DAYS = Number(process.env.YEAR_DAYS ?? 730);
const YEAR_ROWS_PER_DAY = Number(process.env.YEAR_ROWS_PER_DAY ?? 2_000);
const STEPS = new Set((process.env.STEPS ?? "1,2,3,4").split(",").map(Number));
// R2's published prices (https://developers.cloudflare.com/r2/pricing/, Standard storage).
const PRICE = { classA: 4.5 / 1e6, classB: 0.36 / 1e6, gbMonth: 0.015 };

/** @type {string[]} */
const report = [];
const say = (/** @type {string} */ line = "") => {
  console.log(line);
  report.push(line);
};
const fmt = (/** @type {number} */ n, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ------------------------------------------------------------------------------ realistic rows

const devicePool = Array.from({ length: 10_000 }, () => randomBytes(32).toString("hex"));

/**
 * `count` audit rows of one day, as the counter objects write them: consumptions spread over
 * 1,000 features (two per license), each feature's running total in total_after.
 * @param {number} count @param {string} day @param {number} firstId
 */
function auditDay(count, day, firstId = 1) {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  const totals = new Float64Array(1000);
  const rows = [];
  for (let i = 0; i < count; i++) {
    const feature = (i * 7919) % 1000;
    const license = feature >> 1;
    const consumptions = 1 + (i % 5);
    totals[feature] += consumptions;
    rows.push({
      id: firstId + i,
      event_id: randomUUID(),
      created_at: new Date(start + Math.floor((i * DAY_MS) / count)).toISOString(),
      event: i % 33 === 0 ? "offline_floating_consumptions_sync" : "consumption_add",
      license_id: 100_000 + license,
      license_feature_id: 200_000 + feature,
      feature_code: `feature-${feature % 40}`,
      hardware_id: devicePool[license * 20 + (i % 20)],
      consumptions,
      total_after: totals[feature],
      api_key_id: 1 + (license % 3),
    });
  }
  return rows;
}

// ------------------------------------------------------------------------------ 1. bytes per row

function bytesPerRow() {
  say(`## 1. D1 bytes per raw audit row (SQLite, schema.sql with every index)`);
  say();
  const dir = mkdtempSync(join(tmpdir(), "archive-bytes-"));
  try {
    const measure = (/** @type {string} */ name, /** @type {string} */ schema) => {
      const file = join(dir, `${name}.sqlite`);
      const db = new DatabaseSync(file);
      db.exec(schema);
      const pages = () => /** @type {{ n: number }} */ (db.prepare("SELECT page_count AS n FROM pragma_page_count()").get()).n;
      const before = pages();
      const insert = db.prepare(
        "INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      );
      const rows = auditDay(DAY_ROWS, "2026-01-15");
      db.exec("BEGIN");
      for (const [i, r] of rows.entries()) {
        insert.run(
          r.event_id,
          r.license_id,
          r.license_feature_id,
          r.feature_code,
          r.hardware_id,
          r.consumptions,
          r.total_after,
          r.event,
          r.api_key_id,
          r.created_at,
        );
        if (i % 50_000 === 49_999) db.exec("COMMIT; BEGIN");
      }
      db.exec("COMMIT");
      const pageSize = /** @type {{ n: number }} */ (db.prepare("SELECT page_size AS n FROM pragma_page_size()").get()).n;
      const bytes = ((pages() - before) * pageSize) / DAY_ROWS;
      db.close();
      return bytes;
    };
    const schema = readFileSync(join(ROOT, "schema.sql"), "utf8");
    const withIndexes = measure("full", schema);
    const withoutTimeIndex = measure("no-time-index", schema.replace(/CREATE INDEX consumption_audit_by_time[^;]*;/, ""));
    const window = (RETENTION_DAYS + 1) * 1_000_000 * withIndexes;

    // The catalogue: one row per part, kept for good (50 parts a day at 1M rows a day, two years).
    const catalogue = new DatabaseSync(join(dir, "catalogue.sqlite"));
    catalogue.exec(schema);
    const pagesOf = () => /** @type {{ n: number }} */ (catalogue.prepare("SELECT page_count AS n FROM pragma_page_count()").get()).n;
    const before = pagesOf();
    const insertPart = catalogue.prepare(
      "INSERT INTO audit_archive_parts (day, part, object_key, rows, consumptions, first_id, last_id, first_event_id, last_event_id, first_created_at, last_created_at, bytes, digest, archived_at, in_manifest) VALUES (?, ?, ?, 20000, 60000, ?, ?, ?, ?, ?, ?, 800000, ?, ?, 1)",
    );
    const parts = 730 * 50;
    catalogue.exec("BEGIN");
    for (let i = 0; i < parts; i++) {
      const day = new Date(Date.parse("2026-01-01") + Math.floor(i / 50) * DAY_MS).toISOString().slice(0, 10);
      insertPart.run(
        day,
        (i % 50) + 1,
        `audit-log/day=${day}/part-${String((i % 50) + 1).padStart(5, "0")}-1.parquet`,
        i * 20000 + 1,
        i * 20000 + 20000,
        randomUUID(),
        randomUUID(),
        `${day}T00:00:00.000Z`,
        `${day}T23:59:59.999Z`,
        randomBytes(32).toString("hex"),
        new Date().toISOString(),
      );
    }
    catalogue.exec("COMMIT");
    const catalogueBytes = ((pagesOf() - before) * 4096) / parts;
    catalogue.close();

    say(`| measured | value |`);
    say(`| --- | --- |`);
    say(`| rows written (one day: 1,000 features, 64-character hardware ids, UUID event ids) | ${fmt(DAY_ROWS)} |`);
    say(`| bytes per raw row, schema.sql (table + event_id unique + 3 indexes) | **${fmt(withIndexes, 1)}** |`);
    say(`| of which the archiver's index on created_at (migration 0015) | ${fmt(withIndexes - withoutTimeIndex, 1)} |`);
    say(`| D1 at steady state: (${RETENTION_DAYS} + 1) days × 1,000,000 rows/day | **${fmt(window / 1e9, 2)} GB** (of D1's 10 GB) |`);
    say(
      `| days of 1M rows that fit in 10 GB (the largest retention window at that rate, today included) | ${fmt(Math.floor(10e9 / (1_000_000 * withIndexes)))} |`,
    );
    say(
      `| D1 at steady state with AUDIT_RETENTION_DAYS = 21 at 1,000,000 rows/day: 22 days | **${fmt((22 * 1_000_000 * withIndexes) / 1e9, 2)} GB** |`,
    );
    say(`| rows per day the default 90-day window holds under 10 GB | ${fmt(10e9 / ((RETENTION_DAYS + 1) * withIndexes))} |`);
    say(`| bytes per catalogue row (one per archived part) | ${fmt(catalogueBytes, 1)} |`);
    say(`| catalogue after two years (50 parts/day × 730 days) | ${fmt((parts * catalogueBytes) / 1e6, 1)} MB |`);
    say(`| rollup rows (issue 19 item 1, not built yet) | stay in D1: add their measured bytes here |`);
    say();
    return withIndexes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------ 2. format

async function format() {
  say(`## 2. Archive format: Parquet (hyparquet-writer) and gzip'd NDJSON, same rows`);
  say();
  const { encodeAuditPart, decodeAuditPart } = await import(join(ROOT, "src/archive/audit-parquet.ts"));
  // Heap of one part as a run holds it (the rows from D1, the file, the rows read back), measured
  // first, before anything else of this step is alive.
  /** @type {() => void} */
  const gc = /** @type {any} */ (globalThis).gc ?? (() => {});
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const partRows = auditDay(PART_ROWS, "2026-01-16");
  const partFile = encodeAuditPart(partRows);
  const back = await decodeAuditPart(partFile.slice().buffer);
  const heapPeak = process.memoryUsage().heapUsed - heapBefore;
  gc();
  const heapPart = process.memoryUsage().heapUsed - heapBefore;
  if (back.length !== PART_ROWS || partRows.length !== PART_ROWS) throw new Error("part did not read back");

  const rows = auditDay(100_000, "2026-01-15");
  /** @param {() => unknown} work */
  const cpu = (work) => {
    work();
    const start = process.cpuUsage();
    const result = work();
    const used = process.cpuUsage(start);
    return { ms: (used.user + used.system) / 1000, result };
  };
  const parquet = cpu(() => encodeAuditPart(rows));
  const file = /** @type {Uint8Array} */ (parquet.result);
  const ndjson = cpu(() => gzipSync(rows.map((row) => JSON.stringify(row)).join("\n") + "\n"));
  const gz = /** @type {Buffer} */ (ndjson.result);
  const readParquet = { ms: 0 };
  {
    await decodeAuditPart(file.slice().buffer);
    const start = process.cpuUsage();
    await decodeAuditPart(file.slice().buffer);
    const used = process.cpuUsage(start);
    readParquet.ms = (used.user + used.system) / 1000;
  }
  const readNdjson = cpu(() =>
    gunzipSync(gz)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line)),
  );

  const bundled = await build({
    entryPoints: [join(ROOT, "src/archive/audit-parquet.ts")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "silent",
  });
  const bundle = bundled.outputFiles[0].contents;
  say(`| 100,000 rows | Parquet (snappy) | NDJSON + gzip |`);
  say(`| --- | --- | --- |`);
  say(`| bytes per row | **${fmt(file.byteLength / 1e5, 1)}** | ${fmt(gz.byteLength / 1e5, 1)} |`);
  say(`| CPU to encode (ms) | ${fmt(parquet.ms)} | ${fmt(ndjson.ms)} |`);
  say(`| CPU to read back (ms) | ${fmt(readParquet.ms)} | ${fmt(readNdjson.ms)} |`);
  say();
  say(
    `Heap for one part of ${fmt(PART_ROWS)} rows: ${fmt(heapPart / 1e6, 1)} MB held (the rows, the file, the rows read back), ${fmt(heapPeak / 1e6, 1)} MB before garbage collection (a Worker has 128 MB).`,
  );
  say(
    `Encoder + reader bundled and minified (esbuild): ${fmt(bundle.byteLength / 1024)} KiB, ${fmt(gzipSync(bundle).byteLength / 1024)} KiB gzip'd.`,
  );
  say();
}

// ------------------------------------------------------------------------------ workerd

/** The real Worker in workerd (wrangler's test harness), D1 migrated. */
async function startWorker() {
  const server = createTestHarness({
    root: ROOT,
    workers: [
      {
        configPath: "./wrangler.toml",
        secrets: { LICENSE_SIGNING_KEY: "unused", MANAGEMENT_KEY: randomBytes(24).toString("hex") },
        vars: { AUDIT_RETENTION_DAYS: String(RETENTION_DAYS) },
      },
    ],
  });
  await server.listen();
  const worker = server.getWorker();
  const env = /** @type {{ DB: D1Database, AUDIT_ARCHIVE: R2Bucket }} */ (await worker.getEnv());
  for (const file of readdirSync(join(ROOT, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    const statements = unstable_splitSqlQuery(readFileSync(join(ROOT, "migrations", file), "utf8"));
    await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));
  }
  return { server, worker, env };
}

/**
 * Generates rows inside D1 (workerd's SQLite): `perDay` rows a day for `days` days from `firstDay`,
 * over 1,000 features, 20 devices per license with 64-character hardware ids, random event ids.
 * @param {D1Database} db @param {string} firstDay @param {number} days @param {number} perDay
 */
async function seed(db, firstDay, days, perDay) {
  const batch = 50_000;
  for (let day = 0; day < days; day++) {
    for (let from = 0; from < perDay; from += batch) {
      await db
        .prepare(
          `WITH RECURSIVE n(i) AS (SELECT CAST(?3 AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < CAST(?4 AS INTEGER))
           INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
           SELECT lower(hex(randomblob(16))), 100000 + ((i * 7919) % 1000) / 2, 200000 + (i * 7919) % 1000, 'feature-' || ((i * 7919) % 40),
                  printf('%08x%08x%08x%08x%08x%08x%08x%08x', d * 2654435761 % 4294967296, d * 2246822519 % 4294967296, d * 3266489917 % 4294967296,
                         d * 668265263 % 4294967296, d * 374761393 % 4294967296, d * 2654435769 % 4294967296, d * 40503 % 4294967296, d * 97 % 4294967296),
                  1 + i % 5, i, CASE WHEN i % 33 = 0 THEN 'offline_floating_consumptions_sync' ELSE 'consumption_add' END, 1 + i % 3,
                  strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '+' || ?2 || ' days', '+' || (i * 86399.999 / ?5) || ' seconds')
           FROM (SELECT i, (((i * 7919) % 1000) / 2) * 20 + i % 20 AS d FROM n)`,
        )
        .bind(`${firstDay}T00:00:00.000Z`, day, from, Math.min(perDay, from + batch) - 1, perDay)
        .run();
    }
  }
}

/** Counts the work of each run from its log line (the cron handler logs each run that archived). @param {any[]} logs */
function archiveRuns(logs) {
  return logs
    .map((log) => String(log.message ?? log.text ?? log.args?.join?.(" ") ?? JSON.stringify(log)))
    .filter((text) => text.includes("audit archive: "))
    .map(
      (text) =>
        /** @type {{ status: string, parts: number, rows: number, days: string[] }} */ (
          JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1))
        ),
    );
}

// ------------------------------------------------------------------------------ 3. throughput

async function throughput() {
  say(`## 3. Archive throughput in workerd (one day of ${fmt(ARCHIVE_ROWS)} rows, the real cron handler)`);
  say();
  const { server, worker, env } = await startWorker();
  try {
    const day = "2026-01-15";
    const seedStart = performance.now();
    await seed(env.DB, day, 1, ARCHIVE_ROWS);
    await seed(env.DB, "2026-06-01", 1, 1); // today's traffic: the newest row is never archived
    const seedSeconds = (performance.now() - seedStart) / 1000;
    server.clearLogs();
    const now = new Date("2026-06-01T12:00:00Z");
    const start = performance.now();
    for (let run = 0; run < 1000; run++) {
      const result = await worker.scheduled({ cron: "*/10 * * * *", scheduledTime: now });
      if (result.outcome !== "ok")
        throw new Error(`cron run failed: ${JSON.stringify(result)} ${JSON.stringify(server.getLogs().slice(-5))}`);
      const runs = archiveRuns(server.getLogs());
      if (runs.at(-1)?.status !== "more") break;
    }
    const seconds = (performance.now() - start) / 1000;
    const runs = archiveRuns(server.getLogs());
    const rows = runs.reduce((sum, run) => sum + run.rows, 0);
    const parts = runs.reduce((sum, run) => sum + run.parts, 0);
    const manifestWrites = runs.reduce((sum, run) => sum + run.days.length, 0);
    const left = /** @type {number} */ (
      await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit WHERE created_at < '2026-06-01'").first("n")
    );
    if (rows !== ARCHIVE_ROWS || left !== 0) throw new Error(`archived ${rows} of ${ARCHIVE_ROWS} rows; ${left} left in D1`);
    const bytes = /** @type {number} */ (await env.DB.prepare("SELECT SUM(bytes) AS n FROM audit_archive_parts").first("n"));

    // Per part: one PUT and one GET (the read-back); per run and day touched: the manifest's GET and PUT.
    const classA = ((parts + manifestWrites) / rows) * 1e6;
    const classB = ((parts + manifestWrites) / rows) * 1e6;
    const perMillion = classA * PRICE.classA + classB * PRICE.classB;
    say(`| measured | value |`);
    say(`| --- | --- |`);
    say(`| rows archived (seeded in ${fmt(seedSeconds, 1)} s) | ${fmt(rows)} in ${runs.length} cron runs, ${parts} parts |`);
    say(`| wall time, all runs | ${fmt(seconds, 1)} s |`);
    say(`| **throughput** (read, encode, write, read back, verify, commit + delete, manifest) | **${fmt(rows / seconds)} rows/s** |`);
    say(`| archive bytes per row (Parquet) | ${fmt(bytes / rows, 1)} |`);
    say(`| R2 Class A per million rows (part PUTs + manifest PUTs) | ${fmt(classA, 1)} → $${fmt(classA * PRICE.classA, 5)} |`);
    say(`| R2 Class B per million rows (read-backs + manifest GETs) | ${fmt(classB, 1)} → $${fmt(classB * PRICE.classB, 5)} |`);
    say(`| **R2 operations per million rows** | **$${fmt(perMillion, 5)}** |`);
    say(
      `| R2 storage per million rows per month | ${fmt(bytes / rows, 1)} MB → $${fmt(((bytes / rows) * 1e6 * PRICE.gbMonth) / 1e9, 5)} |`,
    );
    say();
    say(
      `Prices: R2 Standard storage, https://developers.cloudflare.com/r2/pricing/ (Class A $4.50/million, Class B $0.36/million, $0.015/GB-month).`,
    );
    say();
  } finally {
    await server.close();
  }
}

// ------------------------------------------------------------------------------ 4. two years

async function twoYears() {
  const total = YEAR_DAYS * YEAR_ROWS_PER_DAY;
  say(`## 4. ${YEAR_DAYS} simulated days at ${fmt(YEAR_ROWS_PER_DAY)} rows/day (${fmt(total)} rows), one cron run per day`);
  say();
  const { server, worker, env } = await startWorker();
  try {
    const first = "2025-01-01";
    await seed(env.DB, first, YEAR_DAYS, YEAR_ROWS_PER_DAY);
    const start = performance.now();
    let maxInD1 = 0;
    for (let day = 1; day <= YEAR_DAYS; day++) {
      const now = new Date(Date.parse(`${first}T00:00:00.000Z`) + day * DAY_MS + 3_600_000);
      await worker.scheduled({ cron: "*/10 * * * *", scheduledTime: now });
      const today = now.toISOString().slice(0, 10);
      const inD1 = /** @type {number} */ (
        await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit WHERE created_at < ?1").bind(today).first("n")
      );
      // Past days still in D1: at most the retention window's.
      const expected = Math.min(day, RETENTION_DAYS) * YEAR_ROWS_PER_DAY;
      if (inD1 > expected + 1) throw new Error(`day ${day}: ${inD1} rows in D1, the window holds ${expected}`);
      maxInD1 = Math.max(maxInD1, inD1);
    }
    const seconds = (performance.now() - start) / 1000;

    // Every part, read back: each id once across the archive and D1, and all of them.
    const { results: parts } = await env.DB.prepare("SELECT object_key, rows FROM audit_archive_parts ORDER BY first_id").all();
    const seen = new Uint8Array(total + 2);
    let archived = 0;
    for (const part of /** @type {{ object_key: string, rows: number }[]} */ (parts)) {
      const object = await env.AUDIT_ARCHIVE.get(part.object_key);
      if (!object) throw new Error(`${part.object_key} missing`);
      for (const row of await parquetReadObjects({ file: await object.arrayBuffer(), columns: ["id"] })) {
        const id = Number(row.id);
        if (seen[id]++) throw new Error(`id ${id} archived twice`);
        archived += 1;
      }
    }
    const { results: kept } = await env.DB.prepare("SELECT id FROM consumption_audit").all();
    for (const { id } of /** @type {{ id: number }[]} */ (kept)) if (seen[id]++) throw new Error(`id ${id} both in D1 and in the archive`);
    const missing = seen.slice(1, total + 1).filter((count) => count !== 1).length;
    const manifests = await env.AUDIT_ARCHIVE.list({ prefix: "audit-log/", limit: 1000 });
    say(`| measured | value |`);
    say(`| --- | --- |`);
    say(`| cron runs (one per simulated day) | ${fmt(YEAR_DAYS)} in ${fmt(seconds, 1)} s |`);
    say(`| most rows of past days in D1 after a run | ${fmt(maxInD1)} (the window: ${RETENTION_DAYS} days × ${fmt(YEAR_ROWS_PER_DAY)}) |`);
    say(`| rows archived, read back from every part | ${fmt(archived)} in ${parts.length} parts |`);
    say(`| rows left in D1 (the last ${RETENTION_DAYS} days and today) | ${fmt(kept.length)} |`);
    say(`| ids missing or present twice across D1 and the archive | **${missing}** |`);
    say(`| objects under audit-log/ (first listing page) | ${manifests.objects.length}${manifests.truncated ? "+" : ""} |`);
    say();
    if (missing !== 0 || archived + kept.length !== total) throw new Error("the archive does not hold every row exactly once");
  } finally {
    await server.close();
  }
}

// ------------------------------------------------------------------------------ main

const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
const date = new Date().toISOString().slice(0, 10);
say(`# Audit archive: the bound, measured (${date}, ${commit})`);
say();
say(
  `Machine: ${execFileSync("nproc", { encoding: "utf8" }).trim()} cores, load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} at start. Retention ${RETENTION_DAYS} days, parts of ${fmt(PART_ROWS)} rows.`,
);
say();
if (STEPS.has(1)) bytesPerRow();
if (STEPS.has(2)) await format();
if (STEPS.has(3)) await throughput();
if (STEPS.has(4)) await twoYears();
const out = join(ROOT, "bench", "reports", `${date}-${commit}-archive.md`);
writeFileSync(out, report.join("\n") + "\n");
console.log(`\nwritten: ${out} (${fmt(statSync(out).size)} bytes)`);
