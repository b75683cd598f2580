// Periodic resets, driven by a controllable clock (vitest's fake Date: the Worker and its
// Durable Objects run in this same isolate, so they read the same clock). Nothing waits and no
// scheduled job runs: the first request after a boundary sees the fresh allowance.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { periodEnd, periodStart } from "../../src/counter/consumption-period";
import type { ConsumptionPeriod } from "../../src/counter/consumption-rules";
import { featureCounter, licenseCounter } from "../../src/counter/counter-stubs";
import { auditRows, flushAudit, flushLicenseAudit, licenseAuditRows } from "../support/audit";
import { consume, errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials } from "../support/fixtures";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("calendar boundaries (UTC)", () => {
  it.each([
    ["daily", "2026-03-10T15:00:00Z", "2026-03-10T00:00:00.000Z", "2026-03-11T00:00:00.000Z"],
    ["weekly", "2026-03-12T15:00:00Z", "2026-03-09T00:00:00.000Z", "2026-03-16T00:00:00.000Z"], // Thursday → Monday
    ["weekly", "2026-03-15T23:59:59Z", "2026-03-09T00:00:00.000Z", "2026-03-16T00:00:00.000Z"], // Sunday night
    ["weekly", "2026-03-16T00:00:00Z", "2026-03-16T00:00:00.000Z", "2026-03-23T00:00:00.000Z"], // Monday 00:00
    ["monthly", "2026-02-28T23:59:59Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"],
    ["monthly", "2026-12-31T10:00:00Z", "2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
    ["annually", "2028-02-29T12:00:00Z", "2028-01-01T00:00:00.000Z", "2029-01-01T00:00:00.000Z"],
  ] as const)("%s at %s starts %s and ends %s", (period, now, start, end) => {
    expect(new Date(periodStart(period, Date.parse(now))).toISOString()).toBe(start);
    expect(new Date(periodEnd(period, Date.parse(now))).toISOString()).toBe(end);
  });
});

const BOUNDARIES: Array<[ConsumptionPeriod, string, string]> = [
  ["daily", "2026-05-05T23:59:59.000Z", "2026-05-06T00:00:00.000Z"],
  ["weekly", "2026-05-10T23:59:59.000Z", "2026-05-11T00:00:00.000Z"], // Sunday → Monday
  ["monthly", "2026-05-31T23:59:59.000Z", "2026-06-01T00:00:00.000Z"],
  ["annually", "2026-12-31T23:59:59.000Z", "2027-01-01T00:00:00.000Z"],
];

describe("feature consumption resets", () => {
  it.each(BOUNDARIES)("%s: exhausted before the boundary, full allowance right after it, reset audited", async (period, before, after) => {
    vi.setSystemTime(new Date(before));
    const fixture = await createFixture({ feature: { maxConsumption: 5, resetConsumption: true, consumptionPeriod: period } });
    expect(
      (await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: 5 }))).total_consumptions,
    ).toBe(5);
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");

    vi.setSystemTime(new Date(after));
    const first = await signedBody<{ total_consumptions: number; consumption_period_start: string; consumption_period_end: string }>(
      await consume(fixture, credentials, { consumptions: 2 }),
    );
    expect(first.total_consumptions).toBe(2);
    expect(first.consumption_period_start).toBe(new Date(after).toISOString());
    expect(first.consumption_period_end).toBe(new Date(periodEnd(period, Date.parse(after))).toISOString());

    await flushAudit(fixture.licenseFeatureId);
    expect(
      (await auditRows(fixture.licenseFeatureId)).map((row) => [row.event, row.consumptions, row.total_after, row.created_at]),
    ).toEqual([
      ["consumption_add", 5, 5, new Date(before).toISOString()],
      ["period_reset", -5, 0, new Date(after).toISOString()],
      ["consumption_add", 2, 2, new Date(after).toISOString()],
    ]);
  });

  it("a check right after the boundary already shows the reset total", async () => {
    vi.setSystemTime(new Date("2026-07-31T22:00:00Z"));
    const fixture = await createFixture({ feature: { maxConsumption: 10, resetConsumption: true, consumptionPeriod: "monthly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 7 }));
    vi.setSystemTime(new Date("2026-08-01T00:00:01Z"));
    const feature = await signedBody<{ total_consumptions: number }>(
      await getSigned("/api/v4/check_license_feature", { ...fixture.identity, feature: fixture.featureCode }, credentials),
    );
    expect(feature.total_consumptions).toBe(0);
  });

  it("features without reset_consumption never reset", async () => {
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
    const fixture = await createFixture({ feature: { maxConsumption: 3, consumptionPeriod: "daily", resetConsumption: false } });
    await signedBody(await consume(fixture, credentials, { consumptions: 3 }));
    vi.setSystemTime(new Date("2026-02-01T00:00:00Z"));
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });

  it("a reset while requests are in flight: every period stays within its allowance, one reset, the log replays exactly", async () => {
    vi.setSystemTime(new Date("2026-09-30T23:59:59Z"));
    const fixture = await createFixture({ feature: { maxConsumption: 40, resetConsumption: true, consumptionPeriod: "daily" } });
    const firstBatch = Array.from({ length: 60 }, () => consume(fixture, credentials));
    // 20 answered before the boundary; the other 40 of this batch are still in flight when it passes.
    await Promise.all(firstBatch.slice(0, 20));
    vi.setSystemTime(new Date("2026-10-01T00:00:00Z"));
    const secondBatch = Array.from({ length: 60 }, () => consume(fixture, credentials));
    const responses = await Promise.all([...firstBatch, ...secondBatch]);
    const accepted = responses.filter((response) => response.status === 200).length;
    for (const response of responses) await response.body?.cancel();

    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    const resets = rows.filter((row) => row.event === "period_reset");
    expect(resets).toHaveLength(1);
    let total = 0;
    let period = rows[0]!.created_at.slice(0, 10);
    for (const row of rows) {
      if (row.event === "period_reset") {
        expect(row.created_at).toBe("2026-10-01T00:00:00.000Z");
        period = row.created_at.slice(0, 10);
        total = 0;
      } else {
        expect(row.created_at.slice(0, 10)).toBe(period);
        total += row.consumptions;
      }
      expect(row.total_after).toBe(total);
      expect(total).toBeLessThanOrEqual(40);
    }
    expect(rows.filter((row) => row.event === "consumption_add")).toHaveLength(accepted);
    const resetAt = rows.indexOf(resets[0]!);
    const dayOne = rows.slice(0, resetAt).length;
    const dayTwo = rows.slice(resetAt + 1).length;
    expect(dayOne).toBeGreaterThanOrEqual(20);
    expect(dayOne).toBeLessThanOrEqual(40);
    // The new day had 100 - (in-flight requests served on day one) ≥ 60 requests for 40 consumptions.
    expect(dayTwo).toBe(40);
  });
});

describe("license consumption resets", () => {
  it.each(BOUNDARIES)("%s", async (period, before, after) => {
    vi.setSystemTime(new Date(before));
    const fixture = await createFixture({
      license: { licenseType: "consumption", maxConsumptions: 3, resetConsumption: true, consumptionPeriod: period },
    });
    const add = (consumptions = 1) => postSigned("/api/v4/add_consumption", { ...fixture.identity, consumptions }, credentials);
    await signedBody(await add(3));
    expect(await errorCode(await add())).toBe("license_not_enough_consumptions");
    vi.setSystemTime(new Date(after));
    expect((await signedBody<{ total_consumptions: number }>(await add(3))).total_consumptions).toBe(3);
    await flushLicenseAudit(fixture.licenseId);
    expect((await licenseAuditRows(fixture.licenseId)).map((row) => row.event)).toEqual([
      "consumption_add",
      "period_reset",
      "consumption_add",
    ]);
  });
});
