#!/usr/bin/env node
// `npm run bench:rollups`: how small the usage rollups are, measured (docs/usage-and-webhooks.md
// "How small").
//
// SQLite, the engine D1 runs, with schema.sql (every table and index), receives the rollups of
// DAYS simulated days at 1 million consumptions a day over 1,000 features (500 licenses, two
// consumption features each, every feature used every hour): per hour and feature one hourly row,
// per day and feature one daily row, per month and feature one period total. Rows are written in
// the order the audit consumer writes them (time first, every counter within an hour), so the
// B-trees are as full as D1's would be, not as a bulk load in key order leaves them. The bytes of
// each table and index are read from SQLite's dbstat, then divided by their rows; the projection
// multiplies by the rows of two years.
//
// Local only; stops by itself; prints a Markdown table. Environment: DAYS (default 60).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const ROOT = join(import.meta.dirname, "..");
const DAYS = Number(process.env.DAYS ?? 60);
const LICENSES = 500;
const FEATURES_PER_LICENSE = 2;
const FEATURES = LICENSES * FEATURES_PER_LICENSE;
const CONSUMPTIONS_PER_DAY = 1_000_000;
const HOURLY_ROLLUP_DAYS = 90;
const YEARS_DAYS = 730;
const DAY_MS = 86_400_000;
const START = Date.parse("2031-01-01T00:00:00.000Z");
// Ids as a service some years in would hold them (several bytes each, not 1).
const FIRST_LICENSE_ID = 1_200_000;
const FIRST_FEATURE_ID = 3_400_000;

const db = new DatabaseSync(":memory:");
db.exec(readFileSync(join(ROOT, "schema.sql"), "utf8"));

const hourly = db.prepare(
  `INSERT INTO usage_hourly (license_id, license_feature_id, bucket_start, consumed, consumptions, overage, adjusted, adjustments,
     refused_over_limit, refused_negative, total_after, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const daily = db.prepare(
  `INSERT INTO usage_daily (license_id, license_feature_id, bucket_start, consumed, consumptions, overage, adjusted, adjustments,
     refused_over_limit, refused_negative, total_after, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (license_id, license_feature_id, bucket_start) DO UPDATE SET consumed = consumed + excluded.consumed,
     consumptions = consumptions + excluded.consumptions, overage = overage + excluded.overage, total_after = excluded.total_after,
     last_seq = excluded.last_seq`,
);
const period = db.prepare(
  `INSERT INTO usage_periods (license_id, license_feature_id, period_start, period, period_end, total_consumptions, max_consumption, overage)
   VALUES (?, ?, ?, 'monthly', ?, ?, ?, ?)`,
);

// Each feature's state: its month's total (monthly resets, cap 40,000), its sequence number.
const totals = new Float64Array(FEATURES);
const seqs = new Float64Array(FEATURES);
const perFeatureHour = CONSUMPTIONS_PER_DAY / FEATURES / 24;
let rng = 42;
const random = () => (rng = (rng * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

db.exec("BEGIN");
for (let day = 0; day < DAYS; day++) {
  const dayStart = START + day * DAY_MS;
  const date = new Date(dayStart);
  const monthStarts = date.getUTCDate() === 1 && day > 0;
  for (let hour = 0; hour < 24; hour++) {
    const bucket = new Date(dayStart + hour * 3_600_000).toISOString();
    for (let f = 0; f < FEATURES; f++) {
      const licenseId = FIRST_LICENSE_ID + Math.floor(f / FEATURES_PER_LICENSE);
      const featureId = FIRST_FEATURE_ID + f;
      let adjusted = 0;
      let adjustments = 0;
      if (monthStarts && hour === 0) {
        const end = new Date(dayStart).toISOString();
        const startOfMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1)).toISOString();
        period.run(licenseId, featureId, startOfMonth, end, totals[f], 40_000, Math.max(0, totals[f] - 40_000));
        adjusted = -totals[f];
        adjustments = 1;
        seqs[f] += 1;
        totals[f] = 0;
      }
      const consumptions = Math.max(1, Math.round(perFeatureHour * (0.5 + random())));
      const consumed = consumptions + Math.round(random() * 3);
      const before = totals[f];
      totals[f] += consumed;
      seqs[f] += consumptions;
      const overage = Math.max(0, totals[f] - 40_000) - Math.max(0, before - 40_000);
      const refused = random() < 0.05 ? 1 + Math.floor(random() * 3) : 0;
      const row = [licenseId, featureId, bucket, consumed, consumptions, overage, adjusted, adjustments, refused, 0, totals[f], seqs[f]];
      hourly.run(...row);
      daily.run(licenseId, featureId, new Date(dayStart).toISOString(), ...row.slice(3));
    }
  }
}
db.exec("COMMIT");

/** @param {string} name */
const bytesOf = (name) =>
  /** @type {{ bytes: number }} */ (db.prepare("SELECT COALESCE(SUM(pgsize), 0) AS bytes FROM dbstat WHERE name = ?").get(name)).bytes;
/** @param {string} table */
const rowsOf = (table) => /** @type {{ n: number }} */ (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).n;

const tables = [
  { table: "usage_hourly", parts: ["usage_hourly"], perYearDay: FEATURES * 24 },
  { table: "usage_daily", parts: ["usage_daily", "usage_daily_by_day"], perYearDay: FEATURES },
  { table: "usage_periods", parts: ["usage_periods"], perYearDay: FEATURES / 30.44 },
];
const fmt = (/** @type {number} */ n, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (/** @type {number} */ bytes) => `${fmt(bytes / 1e6, 1)} MB`;

console.log(`Usage rollups: ${DAYS} simulated days, ${fmt(CONSUMPTIONS_PER_DAY)} consumptions a day over ${fmt(FEATURES)} features\n`);
console.log("| table (with its indexes) | rows measured | bytes per row | rows after two years | size after two years |");
console.log("| --- | --- | --- | --- | --- |");
let total = 0;
let totalPruned = 0;
for (const { table, parts, perYearDay } of tables) {
  const rows = rowsOf(table);
  const bytes = parts.reduce((sum, part) => sum + bytesOf(part), 0);
  const perRow = bytes / rows;
  const twoYears = perYearDay * YEARS_DAYS;
  const kept = table === "usage_hourly" ? perYearDay * (HOURLY_ROLLUP_DAYS + 1) : twoYears;
  total += twoYears * perRow;
  totalPruned += kept * perRow;
  console.log(`| ${table} | ${fmt(rows)} | ${fmt(perRow, 1)} | ${fmt(twoYears)} | ${mb(twoYears * perRow)} |`);
}
console.log(
  `\nAfter two years: ${mb(totalPruned)} with hourly rollups kept ${HOURLY_ROLLUP_DAYS} days (as the service does); ${mb(total)} if every hour were kept.`,
);
