/**
 * Usage reports read from the rollups and period totals (src/db/usage-rollups.ts), never from the
 * raw audit rows: their work is bounded by the range asked for, however long the history, and they
 * keep working for days whose raw rows have been archived out of D1 (docs/usage-and-webhooks.md
 * "Reports").
 */
import { periodStart } from "../counter/consumption-period";
import type { ConsumptionPeriod } from "../counter/consumption-rules";
import { FEATURE_RULE_COLUMNS, licenseRuleColumns } from "./rule-columns";

/** Every consumption counter on a license (not of a feature removed from it) with its effective rules and mirrored total. */
const COUNTERS = `
counters AS (
  SELECT lf.license_id, lf.id AS license_feature_id, pf.code AS feature_code, ${FEATURE_RULE_COLUMNS},
         lf.total_consumptions AS total, lf.total_at, lf.total_version
  FROM license_features AS lf JOIN product_features AS pf ON pf.id = lf.product_feature_id
  WHERE pf.feature_type = 'consumption' AND lf.removed_at IS NULL
  UNION ALL
  SELECT l.id, 0, NULL, ${licenseRuleColumns("l")}, l.total_consumptions, l.total_at, l.total_version
  FROM licenses AS l WHERE l.license_type = 'consumption'
)`;

/** The counters' current totals: a periodic counter whose mirrored total predates its current period holds 0 now. */
const CURRENT = `
current AS (
  SELECT c.*, CASE WHEN c.reset_consumption = 1 AND c.total_at IS NOT NULL
                        AND c.total_at < CASE c.consumption_period WHEN 'daily' THEN ?1 WHEN 'weekly' THEN ?2 WHEN 'monthly' THEN ?3 WHEN 'annually' THEN ?4 END
                   THEN 0 ELSE c.total END AS current_total
  FROM counters AS c
)`;

/** The current period's start of each kind at `nowMs`, in the order CURRENT binds them. */
const periodStarts = (nowMs: number) =>
  (["daily", "weekly", "monthly", "annually"] as const).map((period) => new Date(periodStart(period, nowMs)).toISOString());

export interface NearCapRow {
  license_id: number;
  license_feature_id: number;
  license_key: string | null;
  product_id: number;
  product: string;
  feature_code: string | null;
  customer_email: string | null;
  customer_company: string | null;
  total_consumptions: number;
  max_consumption: number;
  allow_overages: number;
  max_overages: number;
  total_at: string | null;
}

/**
 * Counters whose current total is at least `percent` % of their max_consumption (over it included;
 * unlimited ones never), in (license, license feature) order after `after`, up to `limit` + 1.
 * license_feature_id 0 is a license's own counter.
 */
export async function countersNearCap(
  db: D1Database,
  nowMs: number,
  percent: number,
  filters: { productId?: number | undefined },
  after: readonly [number, number],
  limit: number,
): Promise<NearCapRow[]> {
  const { results } = await db
    .prepare(
      `WITH ${COUNTERS}, ${CURRENT}
       SELECT c.license_id, c.license_feature_id, l.license_key, p.id AS product_id, p.short_code AS product, c.feature_code,
              lc.email AS customer_email, lc.company_name AS customer_company, c.current_total AS total_consumptions,
              COALESCE(c.max_consumption, 0) AS max_consumption, COALESCE(c.allow_overages, 0) AS allow_overages,
              COALESCE(c.max_overages, 0) AS max_overages, c.total_at
       FROM current AS c JOIN licenses AS l ON l.id = c.license_id JOIN products AS p ON p.id = l.product_id
       LEFT JOIN customers AS lc ON lc.id = l.customer_id
       WHERE COALESCE(c.allow_unlimited_consumptions, 0) = 0 AND c.current_total > 0
         AND c.current_total * 100 >= ?5 * COALESCE(c.max_consumption, 0)
         AND (?6 IS NULL OR p.id = ?6)
         AND (c.license_id, c.license_feature_id) > (?7, ?8)
       ORDER BY c.license_id, c.license_feature_id
       LIMIT ?9`,
    )
    .bind(...periodStarts(nowMs), percent, filters.productId ?? null, after[0], after[1], limit + 1)
    .all<NearCapRow>();
  return results;
}

/** One bucket of one counter's rollup, with the feature's code. */
export interface UsageBucketRow {
  license_feature_id: number;
  feature_code: string | null;
  bucket_start: string;
  consumed: number;
  consumptions: number;
  overage: number;
  adjusted: number;
  adjustments: number;
  refused_over_limit: number;
  refused_negative: number;
  total_after: number | null;
}

/** A license's rollups (every counter of it) in [from, to), by counter then time. */
export async function licenseUsage(
  db: D1Database,
  licenseId: number,
  bucket: "hourly" | "daily",
  from: string,
  to: string,
): Promise<UsageBucketRow[]> {
  const { results } = await db
    .prepare(
      `SELECT u.license_feature_id, pf.code AS feature_code, u.bucket_start, u.consumed, u.consumptions, u.overage, u.adjusted, u.adjustments,
              u.refused_over_limit, u.refused_negative, u.total_after
       FROM usage_${bucket} AS u
       LEFT JOIN license_features AS lf ON lf.id = u.license_feature_id LEFT JOIN product_features AS pf ON pf.id = lf.product_feature_id
       WHERE u.license_id = ?1 AND u.bucket_start >= ?2 AND u.bucket_start < ?3
       ORDER BY u.license_feature_id, u.bucket_start`,
    )
    .bind(licenseId, from, to)
    .all<UsageBucketRow>();
  return results;
}

export interface PeriodTotalRow {
  license_feature_id: number;
  feature_code: string | null;
  period: ConsumptionPeriod;
  period_start: string;
  period_end: string;
  total_consumptions: number;
  max_consumption: number;
  overage: number;
}

/** A license's ended periods that ended in [from, to). */
export async function licensePeriodTotals(db: D1Database, licenseId: number, from: string, to: string): Promise<PeriodTotalRow[]> {
  const { results } = await db
    .prepare(
      `SELECT u.license_feature_id, pf.code AS feature_code, u.period, u.period_start, u.period_end, u.total_consumptions, u.max_consumption, u.overage
       FROM usage_periods AS u
       LEFT JOIN license_features AS lf ON lf.id = u.license_feature_id LEFT JOIN product_features AS pf ON pf.id = lf.product_feature_id
       WHERE u.license_id = ?1 AND u.period_end > ?2 AND u.period_end <= ?3
       ORDER BY u.license_feature_id, u.period_start`,
    )
    .bind(licenseId, from, to)
    .all<PeriodTotalRow>();
  return results;
}

/** Sums of a group of counters' daily rollups over a range. */
export interface UsageSums {
  licenses: number;
  consumed: number;
  consumptions: number;
  overage: number;
  adjusted: number;
  refused: number;
}

const SUMS = `COUNT(DISTINCT u.license_id) AS licenses, SUM(u.consumed) AS consumed, SUM(u.consumptions) AS consumptions,
  SUM(u.overage) AS overage, SUM(u.adjusted) AS adjusted, SUM(u.refused_over_limit + u.refused_negative) AS refused`;

const ROLLUP_JOINS = `
  FROM usage_daily AS u JOIN licenses AS l ON l.id = u.license_id JOIN products AS p ON p.id = l.product_id
  LEFT JOIN license_features AS lf ON lf.id = u.license_feature_id LEFT JOIN product_features AS pf ON pf.id = lf.product_feature_id
  LEFT JOIN customers AS lc ON lc.id = l.customer_id`;

export interface CustomerUsageRow extends UsageSums {
  customer_email: string;
  customer_company: string;
  product: string;
  feature_code: string;
}

/**
 * Usage per customer (by email; licenses without a customer share the email ""), product and
 * feature ("" for a license's own counter), over the days [from, to), in that order after `after`.
 */
export async function usageByCustomer(
  db: D1Database,
  range: { from: string; to: string },
  filters: { productId?: number | undefined; email?: string | undefined },
  after: readonly [string, string, string] | null,
  limit: number,
): Promise<CustomerUsageRow[]> {
  const { results } = await db
    .prepare(
      `SELECT COALESCE(lc.email, '') AS customer_email, COALESCE(MAX(lc.company_name), '') AS customer_company, p.short_code AS product,
              COALESCE(pf.code, '') AS feature_code, ${SUMS}
       ${ROLLUP_JOINS}
       WHERE u.bucket_start >= ?1 AND u.bucket_start < ?2 AND (?3 IS NULL OR p.id = ?3) AND (?4 IS NULL OR lc.email = ?4)
       GROUP BY COALESCE(lc.email, ''), p.short_code, COALESCE(pf.code, '')
       HAVING ?5 IS NULL OR (COALESCE(lc.email, ''), p.short_code, COALESCE(pf.code, '')) > (?5, ?6, ?7)
       ORDER BY 1, 3, 4
       LIMIT ?8`,
    )
    .bind(
      range.from,
      range.to,
      filters.productId ?? null,
      filters.email ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      after?.[2] ?? null,
      limit + 1,
    )
    .all<CustomerUsageRow>();
  return results;
}

export interface ProductUsageRow extends UsageSums {
  product_id: number;
  product: string;
  feature_code: string;
  customers: number;
}

/** Usage per product and feature over the days [from, to). */
export async function usageByProduct(
  db: D1Database,
  range: { from: string; to: string },
  productId: number | undefined,
): Promise<ProductUsageRow[]> {
  const { results } = await db
    .prepare(
      `SELECT p.id AS product_id, p.short_code AS product, COALESCE(pf.code, '') AS feature_code, ${SUMS},
              COUNT(DISTINCT COALESCE(lc.email, '')) AS customers
       ${ROLLUP_JOINS}
       WHERE u.bucket_start >= ?1 AND u.bucket_start < ?2 AND (?3 IS NULL OR p.id = ?3)
       GROUP BY p.id, COALESCE(pf.code, '')
       ORDER BY p.short_code, 3`,
    )
    .bind(range.from, range.to, productId ?? null)
    .all<ProductUsageRow>();
  return results;
}

export interface BillingRow {
  license_id: number;
  license_feature_id: number;
  license_key: string | null;
  product: string;
  feature_code: string;
  customer_email: string;
  customer_company: string;
  units: number;
  overage: number;
  consumptions: number;
  max_consumption: number | null;
}

/** A month's usage per counter (counters with rollups in the month), in counter order after `after`, up to `limit`. */
export async function billingRows(
  db: D1Database,
  month: { from: string; to: string },
  productId: number | undefined,
  after: readonly [number, number],
  limit: number,
): Promise<BillingRow[]> {
  const { results } = await db
    .prepare(
      `SELECT u.license_id, u.license_feature_id, l.license_key, p.short_code AS product, COALESCE(pf.code, '') AS feature_code,
              COALESCE(lc.email, '') AS customer_email, COALESCE(lc.company_name, '') AS customer_company,
              SUM(u.consumed) AS units, SUM(u.overage) AS overage, SUM(u.consumptions) AS consumptions,
              CASE WHEN u.license_feature_id = 0 THEN l.max_consumptions ELSE COALESCE(lf.max_consumption, pf.max_consumption) END AS max_consumption
       ${ROLLUP_JOINS}
       WHERE u.bucket_start >= ?1 AND u.bucket_start < ?2 AND (?3 IS NULL OR p.id = ?3) AND (u.license_id, u.license_feature_id) > (?4, ?5)
       GROUP BY u.license_id, u.license_feature_id
       ORDER BY u.license_id, u.license_feature_id
       LIMIT ?6`,
    )
    .bind(month.from, month.to, productId ?? null, after[0], after[1], limit)
    .all<BillingRow>();
  return results;
}

/** Consumption counters in (license, license feature) order after `after`, up to `limit` + 1; license_feature_id 0: a license's own. */
export async function countersAfter(
  db: D1Database,
  licenseId: number | undefined,
  after: readonly [number, number],
  limit: number,
): Promise<CounterListed[]> {
  const { results } = await db
    .prepare(
      `WITH ${COUNTERS}
       SELECT license_id, license_feature_id, feature_code, total_version FROM counters
       WHERE (?1 IS NULL OR license_id = ?1) AND (license_id, license_feature_id) > (?2, ?3)
       ORDER BY license_id, license_feature_id LIMIT ?4`,
    )
    .bind(licenseId ?? null, after[0], after[1], limit + 1)
    .all<CounterListed>();
  return results;
}

export interface CounterListed {
  license_id: number;
  license_feature_id: number;
  feature_code: string | null;
  /** The sequence number of the newest audit row D1 has of it: 0, D1 never had one. */
  total_version: number;
}

/** One day of one counter: its rows (consumptions and adjustments) and their sum. */
export interface DaySums {
  day: string;
  rows: number;
  sum: number;
}

/** What D1 holds of one counter: its daily rollups, its newest rollup total, and its raw rows per day. */
export interface CounterInD1 {
  rollupDays: DaySums[];
  /** The total after the counter's newest row (highest sequence number), and that number; null: no rollup. */
  lastTotal: number | null;
  lastSeq: number;
  rawDays: DaySums[];
}

/** The rollups and raw audit rows D1 holds for each counter, in one batch (reading each counter's rows by its index). */
export async function countersInD1(
  db: D1Database,
  counters: ReadonlyArray<{ license_id: number; license_feature_id: number }>,
): Promise<CounterInD1[]> {
  if (counters.length === 0) return [];
  const statements = counters.flatMap(({ license_id, license_feature_id }) => [
    db
      .prepare(
        `SELECT bucket_start AS day, consumptions + adjustments AS rows, consumed + adjusted AS sum, total_after, last_seq
         FROM usage_daily WHERE license_id = ? AND license_feature_id = ? ORDER BY bucket_start`,
      )
      .bind(license_id, license_feature_id),
    license_feature_id === 0
      ? db
          .prepare(
            `SELECT substr(created_at, 1, 10) || 'T00:00:00.000Z' AS day, COUNT(*) AS rows, SUM(consumptions) AS sum
             FROM consumption_audit WHERE license_id = ? AND license_feature_id IS NULL GROUP BY 1 ORDER BY 1`,
          )
          .bind(license_id)
      : db
          .prepare(
            `SELECT substr(created_at, 1, 10) || 'T00:00:00.000Z' AS day, COUNT(*) AS rows, SUM(consumptions) AS sum
             FROM consumption_audit WHERE license_feature_id = ? GROUP BY 1 ORDER BY 1`,
          )
          .bind(license_feature_id),
  ]);
  const results = await db.batch<DaySums & { total_after: number | null; last_seq: number }>(statements);
  return counters.map((_, i) => {
    const rollupDays = results[2 * i]!.results;
    const newest = rollupDays.reduce<(typeof rollupDays)[number] | null>(
      (best, day) => (best && best.last_seq >= day.last_seq ? best : day),
      null,
    );
    return {
      rollupDays: rollupDays.map(({ day, rows, sum }) => ({ day, rows, sum })),
      lastTotal: newest && newest.last_seq > 0 ? newest.total_after : null,
      lastSeq: newest?.last_seq ?? 0,
      rawDays: results[2 * i + 1]!.results.map(({ day, rows, sum }) => ({ day, rows, sum })),
    };
  });
}

export async function licenseExists(db: D1Database, licenseId: number): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS found FROM licenses WHERE id = ?").bind(licenseId).first("found")) !== null;
}
