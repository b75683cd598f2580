/**
 * The usage reports' queries and answers (docs/usage-and-webhooks.md "Reports"). Every report reads
 * the rollups, so its ranges are bounded: hours over at most 31 days, days over at most 3 years.
 */
import { z } from "zod";
import { decimal, instant } from "./fields";
import { pageLimit, pagination } from "./page";

const DAY_MS = 86_400_000;
export const MAX_HOURLY_DAYS = 31;
export const MAX_DAILY_DAYS = 1_100;

/** A UTC date, "2026-11-01", as the start of that day. */
const date = (name: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${name} must be a date, e.g. 2026-11-01`)
    .refine(
      (text) => !Number.isNaN(Date.parse(`${text}T00:00:00.000Z`)) && new Date(`${text}T00:00:00.000Z`).toISOString().startsWith(text),
      {
        message: `${name} must be a calendar date`,
      },
    )
    .transform((text) => `${text}T00:00:00.000Z`);

/** Keyset cursor over counters: "<license_id>.<license_feature_id>" (0: the license's own counter). */
const counterCursor = z
  .string()
  .regex(/^\d{1,16}\.\d{1,16}$/, "cursor must be a next_cursor value from a previous page")
  .transform((text) => text.split(".").map(Number) as [number, number]);

export const NearCapQuery = z
  .object({
    /** A percentage of max_consumption; counters at or over it are listed (100: at or over the cap). */
    threshold: decimal("threshold", 10_000).default(80),
    product_id: decimal("product_id").optional(),
    limit: pagination.limit,
    cursor: counterCursor.optional(),
  })
  .strict();

export const NearCapItem = z
  .object({
    license_id: z.number(),
    license_key: z.string().nullable(),
    /** null: the license's own counter (license_type consumption). */
    license_feature_id: z.number().nullable(),
    feature_code: z.string().nullable(),
    product_id: z.number(),
    product: z.string(),
    customer_email: z.string().nullable(),
    customer_company: z.string().nullable(),
    total_consumptions: z.number(),
    max_consumption: z.number(),
    allow_overages: z.boolean(),
    max_overages: z.number(),
    /** total_consumptions as a percentage of max_consumption, one decimal (null when max_consumption is 0). */
    percent_used: z.number().nullable(),
    over_cap: z.boolean(),
    /** When the total was last written to D1 (it follows the counter about a second behind). */
    total_at: z.string().nullable(),
  })
  .meta({ id: "NearCapCounter" });

export const LicenseUsageQuery = z
  .object({
    granularity: z.enum(["hour", "day"]).default("day"),
    /** Inclusive; default: 30 days (hours: 1 day) before `to`. */
    from: instant("from").optional(),
    /** Exclusive; default: now. */
    to: instant("to").optional(),
  })
  .strict();

const Bucket = z.object({
  bucket_start: z.string(),
  consumed: z.number(),
  consumptions: z.number(),
  overage: z.number(),
  adjusted: z.number(),
  adjustments: z.number(),
  refused_over_limit: z.number(),
  refused_negative: z.number(),
  total_after: z.number().nullable(),
});

const PeriodTotal = z.object({
  period: z.enum(["daily", "weekly", "monthly", "annually"]),
  period_start: z.string(),
  period_end: z.string(),
  total_consumptions: z.number(),
  max_consumption: z.number(),
  overage: z.number(),
});

export const LicenseUsageResource = z
  .object({
    license_id: z.number(),
    granularity: z.enum(["hour", "day"]),
    from: z.string(),
    to: z.string(),
    counters: z.array(
      z.object({
        license_feature_id: z.number().nullable(),
        feature_code: z.string().nullable(),
        buckets: z.array(Bucket),
        /** Periods that ended within [from, to), with their totals at the end. */
        periods: z.array(PeriodTotal),
      }),
    ),
  })
  .meta({ id: "LicenseUsage" });

/** An opaque cursor over the customer report's keys. */
const customerCursor = z
  .string()
  .max(2000)
  .transform((text, context) => {
    try {
      const key = JSON.parse(atob(text.replace(/-/g, "+").replace(/_/g, "/"))) as unknown;
      if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === "string")) return key as [string, string, string];
    } catch {
      // reported below
    }
    context.addIssue({ code: "custom", message: "cursor must be a next_cursor value from a previous page" });
    return z.NEVER;
  });

const rangeFields = {
  /** First day, inclusive (UTC). */
  from: date("from"),
  /** Last day, inclusive (UTC). */
  to: date("to"),
  product_id: decimal("product_id").optional(),
};

const checkRange = (range: { from: string; to: string }, context: z.RefinementCtx) => {
  const days = (Date.parse(range.to) - Date.parse(range.from)) / DAY_MS + 1;
  if (days < 1) context.addIssue({ code: "custom", path: ["to"], message: "to must not be before from" });
  if (days > MAX_DAILY_DAYS) context.addIssue({ code: "custom", path: ["to"], message: `a range covers at most ${MAX_DAILY_DAYS} days` });
};

export const CustomerUsageQuery = z
  .object({ ...rangeFields, email: z.string().max(320).optional(), limit: pagination.limit, cursor: customerCursor.optional() })
  .strict()
  .superRefine(checkRange);

export const ProductUsageQuery = z.object(rangeFields).strict().superRefine(checkRange);

const sums = {
  /** Licenses with usage in the range. */
  licenses: z.number(),
  /** The sum of accepted consumptions (negative ones subtract). */
  consumed: z.number(),
  /** How many consumptions were accepted. */
  consumptions: z.number(),
  /** The units of them past max_consumption. */
  overage: z.number(),
  /** Resets and imports: the sum of their changes. */
  adjusted: z.number(),
  /** Consumptions the rules refused. */
  refused: z.number(),
};

export const CustomerUsageItem = z
  .object({
    customer_email: z.string(),
    customer_company: z.string(),
    product: z.string(),
    /** "" for a license's own counter. */
    feature_code: z.string(),
    ...sums,
  })
  .meta({ id: "CustomerUsage" });

export const ProductUsageItem = z
  .object({
    product_id: z.number(),
    product: z.string(),
    feature_code: z.string(),
    customers: z.number(),
    ...sums,
  })
  .meta({ id: "ProductUsage" });

export const BillingQuery = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be a month, e.g. 2026-11"),
    format: z.enum(["csv", "ndjson"]).default("csv"),
    product_id: decimal("product_id").optional(),
  })
  .strict();

export const ReconciliationQuery = z
  .object({ license_id: decimal("license_id").optional(), limit: pageLimit(100, 50), cursor: counterCursor.optional() })
  .strict();

export const CounterReconciliationItem = z
  .object({
    license_id: z.number(),
    license_feature_id: z.number().nullable(),
    feature_code: z.string().nullable(),
    status: z.enum(["ok", "in_transit", "mismatch"]),
    problems: z.array(z.string()),
    object: z.object({ total: z.number(), audit_rows_written: z.number(), pending_audit_rows: z.number() }).nullable(),
    rollups: z.object({ rows: z.number(), consumptions_sum: z.number(), last_total: z.number().nullable() }),
    raw: z.object({ rows: z.number(), consumptions_sum: z.number(), first_day: z.string().nullable(), days_compared: z.number() }),
  })
  .meta({ id: "CounterReconciliation" });
