// The usage reports of the management API (docs/usage-and-webhooks.md "Reports"), read from the
// rollups: who is near or over their cap (one paginated call), a license's usage per hour and day
// with its periods' totals, usage per customer and per product, and a month's billing export. The
// clock is vitest's fake Date, which the Worker and its objects read too.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { flushAudit, flushLicenseAudit } from "../support/audit";
import { consume, postSigned } from "../support/client";
import { FIXTURE_COMPANY_ID, createApiKey, createFixture, type Credentials, type FeatureOptions, type Fixture } from "../support/fixtures";
import { manage, manageOk, managementError } from "../support/management-client";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});
afterEach(() => {
  vi.useRealTimers();
});

const at = (iso: string) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.parse(iso));
};

async function used(fixture: Fixture, ...amounts: number[]): Promise<void> {
  for (const consumptions of amounts) {
    const response = await consume(fixture, credentials, { consumptions });
    expect(response.status, await response.clone().text()).toBe(200);
    await response.body?.cancel();
  }
  await flushAudit(fixture.licenseFeatureId);
}

/** The fixture's license sold to the company's customer with `email` (created when there is none). */
async function withCustomer(fixture: Fixture, email: string, company: string): Promise<Fixture> {
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO customers (company_id, email, company_name) VALUES (?1, ?2, ?3) ON CONFLICT (company_id, email) WHERE email != '' DO NOTHING",
    ).bind(FIXTURE_COMPANY_ID, email, company),
    env.DB.prepare("UPDATE licenses SET customer_id = (SELECT id FROM customers WHERE company_id = ?1 AND email = ?2) WHERE id = ?3").bind(
      FIXTURE_COMPANY_ID,
      email,
      fixture.licenseId,
    ),
  ]);
  return fixture;
}

const feature = (options: FeatureOptions) => createFixture({ feature: options });

describe("near or over cap", () => {
  it("lists every counter at or over the threshold across licenses, page by page; periodic counters count from their period", async () => {
    at("2031-04-20T12:00:00.000Z");
    const lastMonth = await feature({ maxConsumption: 10, resetConsumption: true, consumptionPeriod: "monthly" });
    await used(lastMonth, 9);
    at("2031-05-03T12:00:00.000Z");
    const near = await withCustomer(await feature({ maxConsumption: 100 }), "ops@acme.example", "ACME");
    await used(near, 85);
    const over = await feature({ maxConsumption: 10, allowOverages: true, maxOverages: 5 });
    await used(over, 12);
    const low = await feature({ maxConsumption: 100 });
    await used(low, 10);
    const unlimited = await feature({ maxConsumption: 1, allowUnlimitedConsumptions: true });
    await used(unlimited, 1000);
    const license = await createFixture({ license: { licenseType: "consumption", maxConsumptions: 20 } });
    const response = await postSigned("/api/v4/add_consumption", { ...license.identity, consumptions: 19 }, credentials);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    await flushLicenseAudit(license.licenseId);

    const mine = new Set([lastMonth, near, over, low, unlimited, license].map((fixture) => fixture.licenseId));
    const all = async (threshold: number) => {
      const items: Array<Record<string, unknown>> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { data: Array<Record<string, unknown>>; next_cursor: string | null } = await manageOk(
          "GET",
          `/api/v1/usage/near-cap?threshold=${threshold}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        );
        items.push(...page.data);
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor !== null);
      expect(pages).toBeGreaterThanOrEqual(items.length);
      return items.filter((item) => mine.has(item.license_id as number));
    };
    expect(await all(80)).toEqual([
      expect.objectContaining({
        license_id: near.licenseId,
        license_feature_id: near.licenseFeatureId,
        feature_code: near.featureCode,
        product: near.productCode,
        customer_email: "ops@acme.example",
        customer_company: "ACME",
        total_consumptions: 85,
        max_consumption: 100,
        percent_used: 85,
        over_cap: false,
      }),
      expect.objectContaining({
        license_id: over.licenseId,
        total_consumptions: 12,
        percent_used: 120,
        over_cap: true,
        allow_overages: true,
        max_overages: 5,
      }),
      expect.objectContaining({
        license_id: license.licenseId,
        license_feature_id: null,
        feature_code: null,
        total_consumptions: 19,
        percent_used: 95,
      }),
    ]);
    expect((await all(100)).map((item) => item.license_id)).toEqual([over.licenseId]);
  });

  it("refuses a threshold that is not a positive integer, and a cursor it did not give", async () => {
    for (const query of ["threshold=0", "threshold=abc", "threshold=80.5", "cursor=12", "limit=500"]) {
      expect((await managementError(await manage("GET", `/api/v1/usage/near-cap?${query}`))).code, query).toBe("validation_error");
    }
  });
});

describe("usage over time", () => {
  it("a license's usage per hour and per day, per customer, per product, and the month's billing export", async () => {
    at("2031-03-10T10:15:00.000Z");
    const acme = await withCustomer(
      await feature({ maxConsumption: 10, allowOverages: true, maxOverages: 100, resetConsumption: true, consumptionPeriod: "monthly" }),
      "billing@acme.example",
      "ACME, Inc.",
    );
    await used(acme, 4);
    at("2031-03-10T11:30:00.000Z");
    await used(acme, 5);
    at("2031-03-11T08:00:00.000Z");
    await used(acme, 3); // 12: 2 past the cap of 10
    at("2031-04-02T09:00:00.000Z");
    await used(acme, 1); // April: March's period ends at 12

    const hourly = await manageOk(
      "GET",
      `/api/v1/licenses/${acme.licenseId}/usage?granularity=hour&from=2031-03-10T00:00:00Z&to=2031-03-11T00:00:00Z`,
    );
    expect(hourly.counters).toHaveLength(1);
    expect(
      hourly.counters[0].buckets.map((bucket: Record<string, unknown>) => [bucket.bucket_start, bucket.consumed, bucket.total_after]),
    ).toEqual([
      ["2031-03-10T10:00:00.000Z", 4, 4],
      ["2031-03-10T11:00:00.000Z", 5, 9],
    ]);
    const daily = await manageOk("GET", `/api/v1/licenses/${acme.licenseId}/usage?from=2031-03-01T00:00:00Z&to=2031-05-01T00:00:00Z`);
    const [counter] = daily.counters;
    expect(counter.feature_code).toBe(acme.featureCode);
    expect(
      counter.buckets.map((bucket: Record<string, unknown>) => [
        String(bucket.bucket_start).slice(0, 10),
        bucket.consumed,
        bucket.overage,
        bucket.adjusted,
      ]),
    ).toEqual([
      ["2031-03-10", 9, 0, 0],
      ["2031-03-11", 3, 2, 0],
      ["2031-04-02", 1, 0, -12],
    ]);
    expect(counter.periods).toEqual([
      {
        period: "monthly",
        period_start: "2031-03-01T00:00:00.000Z",
        period_end: "2031-04-01T00:00:00.000Z",
        total_consumptions: 12,
        max_consumption: 10,
        overage: 2,
      },
    ]);

    const customers = await manageOk("GET", "/api/v1/usage/customers?from=2031-03-01&to=2031-03-31&email=billing@acme.example");
    expect(customers).toEqual({
      data: [
        {
          customer_email: "billing@acme.example",
          customer_company: "ACME, Inc.",
          product: acme.productCode,
          feature_code: acme.featureCode,
          licenses: 1,
          consumed: 12,
          consumptions: 3,
          overage: 2,
          adjusted: 0,
          refused: 0,
        },
      ],
      next_cursor: null,
    });
    const product = await manageOk("GET", `/api/v1/usage/products?from=2031-03-01&to=2031-04-30`);
    expect(product.data.find((row: Record<string, unknown>) => row.product === acme.productCode)).toMatchObject({
      feature_code: acme.featureCode,
      customers: 1,
      licenses: 1,
      consumed: 13,
      consumptions: 4,
      overage: 2,
      adjusted: -12,
    });

    const csv = await manage("GET", "/api/v1/usage/billing?month=2031-03");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "customer_email,customer_company,license_id,license_key,product,feature_code,license_feature_id,period,period_start,period_end,units,overage,consumptions,max_consumption",
    );
    expect(lines.filter((line) => line.includes(acme.featureCode))).toEqual([
      `billing@acme.example,"ACME, Inc.",${acme.licenseId},${acme.licenseKey},${acme.productCode},${acme.featureCode},${acme.licenseFeatureId},2031-03,2031-03-01T00:00:00.000Z,2031-04-01T00:00:00.000Z,12,2,3,10`,
    ]);
    const ndjson = await manage("GET", "/api/v1/usage/billing?month=2031-04&format=ndjson");
    expect(ndjson.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const records = (await ndjson.text())
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.filter((record) => record.feature_code === acme.featureCode)).toEqual([
      expect.objectContaining({ customer_email: "billing@acme.example", period: "2031-04", units: 1, overage: 0, consumptions: 1 }),
    ]);
  });

  it.each([
    ["/api/v1/usage/billing?month=2031-13", "validation_error"],
    ["/api/v1/usage/billing?month=2031-03&format=xml", "validation_error"],
    ["/api/v1/usage/customers?from=2031-03-10&to=2031-03-01", "validation_error"],
    ["/api/v1/usage/customers?from=2020-01-01&to=2031-03-01", "validation_error"],
    ["/api/v1/usage/customers?from=2031-02-30&to=2031-03-01", "validation_error"],
    ["/api/v1/usage/customers?from=2031-03-01&to=2031-03-02&cursor=nonsense", "validation_error"],
    ["/api/v1/usage/products?from=2031-03-01", "missing_parameters"],
    ["/api/v1/licenses/999999/usage", "not_found"],
  ])("%s → %s", async (path, code) => {
    expect((await managementError(await manage("GET", path))).code).toBe(code);
  });

  it("a license's hourly usage covers at most 31 days, and from must be before to", async () => {
    const fixture = await feature({ maxConsumption: 5 });
    for (const query of [
      "granularity=hour&from=2031-01-01T00:00:00Z&to=2031-03-01T00:00:00Z",
      "from=2031-03-02T00:00:00Z&to=2031-03-01T00:00:00Z",
    ]) {
      expect((await managementError(await manage("GET", `/api/v1/licenses/${fixture.licenseId}/usage?${query}`))).code).toBe(
        "validation_error",
      );
    }
  });
});
