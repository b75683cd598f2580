// The benchmark's data: one API key, one key-based product, a hot license feature (unlimited),
// 1,000 licenses each with one metered feature and its activated device (the spread case), and
// one more metered license for the sequential runs (plain client and official SDK).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { unstable_splitSqlQuery } from "wrangler";
import { migrationFiles } from "./targets.mjs";

export const PRODUCT = "bench";
export const HOT = { licenseKey: "BENCH-HOT", hardwareId: "bench-device-hot", feature: "hot", licenseFeatureId: 1 };
export const SEQUENTIAL = { licenseKey: "BENCH-SEQ", hardwareId: "bench-device-seq", feature: "metered", licenseFeatureId: 2 };
export const SPREAD_COUNT = 1000;
/** Large enough never to run out, small enough to stay an exact integer. */
const METERED_MAX = 1_000_000_000;

const pad = (i) => String(i).padStart(4, "0");
/** Spread license i (1..1000): its key, device and license feature id. */
export const spreadTarget = (i) => ({
  licenseKey: `BENCH-SPREAD-${pad(i)}`,
  hardwareId: `bench-device-${pad(i)}`,
  feature: "metered",
  licenseFeatureId: 1000 + i,
});
export const spreadTargets = () => Array.from({ length: SPREAD_COUNT }, (_, k) => spreadTarget(k + 1));

/** The add_feature_consumption body a client sends for one license feature. */
export function consumptionBody(target) {
  return JSON.stringify({
    product: PRODUCT,
    license_key: target.licenseKey,
    hardware_id: target.hardwareId,
    feature: target.feature,
    consumptions: 1,
  });
}

/** The check_license query a client sends for one license (its path and query string). */
export function checkLicensePath(target) {
  const query = new URLSearchParams({ product: PRODUCT, license_key: target.licenseKey, hardware_id: target.hardwareId });
  return `/api/v4/check_license?${query}`;
}

/**
 * Applies migrations/ (split as wrangler splits them) and seeds, through Miniflare's D1 binding.
 * `other`: a second API key of the same company (the far mode's cold runs warm an isolate with it).
 */
export async function migrateAndSeed(db, { apiKey, sharedKey }, other) {
  for (const file of migrationFiles()) {
    const statements = unstable_splitSqlQuery(readFileSync(file, "utf8"));
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
  const series = (n) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})`;
  await db.batch([
    db.prepare("INSERT INTO api_keys (id, api_key, shared_key) VALUES (1, ?, ?)").bind(apiKey, sharedKey),
    ...(other ? [db.prepare("INSERT INTO api_keys (id, api_key, shared_key) VALUES (2, ?, ?)").bind(other.apiKey, other.sharedKey)] : []),
    db.prepare("INSERT INTO products (id, short_code, name, authorization_method) VALUES (1, ?, 'Benchmark', 'license-key')").bind(PRODUCT),
    db.prepare(
      `INSERT INTO product_features (id, product_id, code, name, feature_type, max_consumption, allow_unlimited_consumptions) VALUES
         (1, 1, 'hot', 'Hot (unlimited)', 'consumption', 0, 1),
         (2, 1, 'metered', 'Metered', 'consumption', ${METERED_MAX}, 0)`,
    ),
    db
      .prepare(
        `INSERT INTO licenses (id, product_id, license_key, enabled, active, max_activations) VALUES
         (1, 1, ?, 1, 1, 1), (2, 1, ?, 1, 1, 1)`,
      )
      .bind(HOT.licenseKey, SEQUENTIAL.licenseKey),
    db.prepare(`INSERT INTO license_features (id, license_id, product_feature_id) VALUES (1, 1, 1), (2, 2, 2)`),
    db.prepare(`INSERT INTO devices (license_id, hardware_id) VALUES (1, ?), (2, ?)`).bind(HOT.hardwareId, SEQUENTIAL.hardwareId),
    db.prepare(`${series(SPREAD_COUNT)} INSERT INTO licenses (id, product_id, license_key, enabled, active, max_activations)
      SELECT 1000 + i, 1, printf('BENCH-SPREAD-%04d', i), 1, 1, 1 FROM n`),
    db.prepare(
      `${series(SPREAD_COUNT)} INSERT INTO license_features (id, license_id, product_feature_id) SELECT 1000 + i, 1000 + i, 2 FROM n`,
    ),
    db.prepare(
      `${series(SPREAD_COUNT)} INSERT INTO devices (license_id, hardware_id) SELECT 1000 + i, printf('bench-device-%04d', i) FROM n`,
    ),
  ]);
  const counts = await db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM licenses) AS licenses, (SELECT COUNT(*) FROM license_features) AS features,
              (SELECT COUNT(*) FROM devices) AS devices, (SELECT COUNT(*) FROM consumption_audit) AS audit`,
    )
    .first();
  const expected = SPREAD_COUNT + 2;
  if (counts.licenses !== expected || counts.features !== expected || counts.devices !== expected || counts.audit !== 0) {
    throw new Error(`seeding went wrong: ${JSON.stringify(counts)}`);
  }
  return counts;
}

/**
 * Request signing as the official SDK does it: Date + HMAC over "licenseSpring\ndate: <Date>".
 * Cached per second: a load generator signs at most once per second (the server accepts a Date
 * up to 15 minutes old, and the signature only covers the Date), so signing costs the load
 * generator almost nothing and every request still carries a fresh, valid signature.
 */
export function signer({ apiKey, sharedKey }) {
  let second = -1;
  /** @type {{ Date: string, Authorization: string }} */
  let headers = { Date: "", Authorization: "" };
  return () => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      second = now;
      const date = new Date(now * 1000).toUTCString();
      const signature = createHmac("sha256", sharedKey).update(`licenseSpring\ndate: ${date}`).digest("base64");
      headers = {
        Date: date,
        Authorization: `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${apiKey}"`,
      };
    }
    return headers;
  };
}
