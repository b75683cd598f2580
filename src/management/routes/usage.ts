/**
 * /api/v1/usage and /api/v1/licenses/{license_id}/usage: usage reports from the rollups, the
 * billing export and the reconciliation check (docs/usage-and-webhooks.md). None reads raw audit
 * rows except the reconciliation, which compares them with the rollups where D1 still holds them.
 */
import { z } from "zod";
import {
  countersAfter,
  countersNearCap,
  licenseExists,
  licensePeriodTotals,
  licenseUsage,
  usageByCustomer,
  usageByProduct,
  type NearCapRow,
} from "../../db/usage-reports";
import {
  BillingQuery,
  CounterReconciliationItem,
  CustomerUsageItem,
  CustomerUsageQuery,
  LicenseUsageQuery,
  LicenseUsageResource,
  MAX_DAILY_DAYS,
  MAX_HOURLY_DAYS,
  NearCapItem,
  NearCapQuery,
  ProductUsageItem,
  ProductUsageQuery,
  ReconciliationQuery,
} from "../../models/usage";
import { billingExportResponse } from "../../usage/billing-export";
import { reconcileCounters } from "../../usage/reconciliation";
import { ApiError } from "../../errors";
import { LicensePath } from "../../models/license";
import { page } from "../../models/page";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";

const DAY_MS = 86_400_000;

const nearCapItem = (row: NearCapRow): z.input<typeof NearCapItem> => ({
  ...row,
  license_feature_id: row.license_feature_id === 0 ? null : row.license_feature_id,
  allow_overages: row.allow_overages === 1,
  percent_used: row.max_consumption > 0 ? Math.round((row.total_consumptions * 1000) / row.max_consumption) / 10 : null,
  over_cap: row.total_consumptions > row.max_consumption,
});

const counterCursor = (row: { license_id: number; license_feature_id: number }) => `${row.license_id}.${row.license_feature_id}`;
const base64Url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const nextDay = (iso: string) => new Date(Date.parse(iso) + DAY_MS).toISOString();

export const managementUsageRoutes = [
  managementRoute({
    method: "get",
    path: "/api/v1/usage/near-cap",
    operationId: "listCountersNearCap",
    tag: "Usage",
    summary: "Counters near or over their cap, across every license",
    description:
      "Every consumption counter (license features, and licenses of type consumption) whose current total is at least `threshold` % " +
      "of its max_consumption (over it included; unlimited ones never), by license. Totals are D1's mirror of the counters, about a " +
      "second behind them; a periodic counter whose period has ended since its last consumption counts 0.",
    query: NearCapQuery,
    response: page(NearCapItem),
    async handler({ query, env }) {
      const rows = await countersNearCap(
        env.DB,
        Date.now(),
        query.threshold,
        { productId: query.product_id },
        query.cursor ?? [0, -1],
        query.limit,
      );
      const items = rows.slice(0, query.limit);
      return { data: items.map(nearCapItem), next_cursor: rows.length > query.limit ? counterCursor(items.at(-1)!) : null };
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/licenses/{license_id}/usage",
    operationId: "getLicenseUsage",
    tag: "Usage",
    summary: "A license's usage per counter, per hour or per day, with the totals of the periods that ended",
    description:
      `Buckets of [from, to) from the rollups: \`granularity\` hour (at most ${MAX_HOURLY_DAYS} days) or day (at most ${MAX_DAILY_DAYS} days). ` +
      "Default: the 30 days (hours: the day) before now. Buckets without activity are left out.",
    params: LicensePath,
    query: LicenseUsageQuery,
    response: LicenseUsageResource,
    async handler({ params, query, env }) {
      orNotFound((await licenseExists(env.DB, params.license_id)) ? true : null, "License", params.license_id);
      const to = query.to ?? new Date().toISOString();
      const maxDays = query.granularity === "hour" ? MAX_HOURLY_DAYS : MAX_DAILY_DAYS;
      const from = query.from ?? new Date(Date.parse(to) - (query.granularity === "hour" ? 1 : 30) * DAY_MS).toISOString();
      if (from >= to) throw new ApiError("validation_error", "from must be before to");
      if (Date.parse(to) - Date.parse(from) > maxDays * DAY_MS) {
        throw new ApiError("validation_error", `granularity ${query.granularity} covers at most ${maxDays} days`);
      }
      const [buckets, periods] = await Promise.all([
        licenseUsage(env.DB, params.license_id, query.granularity === "hour" ? "hourly" : "daily", from, to),
        licensePeriodTotals(env.DB, params.license_id, from, to),
      ]);
      const counters = new Map<number, z.input<typeof LicenseUsageResource>["counters"][number]>();
      const counterOf = (id: number, code: string | null) => {
        let counter = counters.get(id);
        if (!counter)
          counters.set(id, (counter = { license_feature_id: id === 0 ? null : id, feature_code: code, buckets: [], periods: [] }));
        return counter;
      };
      for (const { license_feature_id, feature_code, ...bucket } of buckets)
        counterOf(license_feature_id, feature_code).buckets.push(bucket);
      for (const { license_feature_id, feature_code, ...period } of periods)
        counterOf(license_feature_id, feature_code).periods.push(period);
      return { license_id: params.license_id, granularity: query.granularity, from, to, counters: [...counters.values()] };
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/usage/customers",
    operationId: "listCustomerUsage",
    tag: "Usage",
    summary: "Usage per customer, product and feature over a date range",
    description:
      'Sums of the daily rollups for the days from … to (inclusive, UTC), per customer (by email; licenses without a customer under ""), ' +
      'product and feature ("" for a license\'s own counter). Filter by product_id or email.',
    query: CustomerUsageQuery,
    response: page(CustomerUsageItem),
    async handler({ query, env }) {
      const rows = await usageByCustomer(
        env.DB,
        { from: query.from, to: nextDay(query.to) },
        { productId: query.product_id, email: query.email },
        query.cursor ?? null,
        query.limit,
      );
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return {
        data: items,
        next_cursor:
          rows.length > query.limit && last ? base64Url(JSON.stringify([last.customer_email, last.product, last.feature_code])) : null,
      };
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/usage/products",
    operationId: "listProductUsage",
    tag: "Usage",
    summary: "Usage per product and feature over a date range",
    description:
      "Sums of the daily rollups for the days from … to (inclusive, UTC), per product and feature, with how many customers used them.",
    query: ProductUsageQuery,
    response: z.object({ data: z.array(ProductUsageItem) }),
    async handler({ query, env }) {
      return { data: await usageByProduct(env.DB, { from: query.from, to: nextDay(query.to) }, query.product_id) };
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/usage/billing",
    operationId: "exportBillingUsage",
    tag: "Usage",
    summary: "The billing export of a month (CSV or NDJSON, streamed)",
    description:
      "One line per counter with usage in the month: customer, license key, product, feature, period, units (the sum of accepted " +
      "consumptions), overage (the units of them past max_consumption, as the counter decided when it accepted them). " +
      "`format` csv (default) or ndjson.",
    query: BillingQuery,
    response: z.string(),
    csv: true,
    async handler({ query, env }) {
      return billingExportResponse(env.DB, query.month, query.format, query.product_id);
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/usage/reconciliation",
    operationId: "checkUsageReconciliation",
    tag: "Usage",
    summary: "Check that the rollups equal the raw audit rows and the counter objects' totals",
    description:
      "Per counter (all, or one license's): the rollups against the raw audit rows D1 holds, day by day, and against the counter " +
      "object (rows it wrote, its total). status ok, in_transit (the object holds rows not in D1 yet) or mismatch (problems say what). " +
      "At most 100 counters a page: each is asked of its object.",
    query: ReconciliationQuery,
    response: page(CounterReconciliationItem),
    async handler({ query, env }) {
      const counters = await countersAfter(env.DB, query.license_id, query.cursor ?? [0, -1], query.limit);
      const items = counters.slice(0, query.limit);
      return {
        data: await reconcileCounters(env, items),
        next_cursor: counters.length > query.limit ? counterCursor(items.at(-1)!) : null,
      };
    },
  }),
];
