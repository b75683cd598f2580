// A vendor changing a feature's consumption_period (or switching resets on and off) mid-period:
// the counter keeps its total and starts tracking the new kind's current period; only a real
// boundary of the current kind resets (docs/protocol.md "Periodic resets"). Found by hostile
// testing: a PATCH from monthly to daily used to wipe the total with a period_reset although no
// boundary had passed.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConsumptionPeriod } from "../../src/counter/consumption-rules";
import { featureCounter } from "../../src/counter/counter-stubs";
import { auditRows, eventually, flushAudit } from "../support/audit";
import { consume, errorCode, getSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { manageOk } from "../support/management-client";

let credentials: Credentials;
let readOnly: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
  readOnly = await createApiKey({ readOnly: true });
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

const KINDS: ConsumptionPeriod[] = ["daily", "weekly", "monthly", "annually"];
const PAIRS = KINDS.flatMap((from) => KINDS.filter((to) => to !== from).map((to) => [from, to] as const));
// A Wednesday noon: no daily, weekly, monthly or annual boundary is near.
const MIDWEEK = "2026-05-13T12:00:00.000Z";

async function total(fixture: Fixture): Promise<number> {
  const feature = await signedBody<{ total_consumptions: number }>(
    await getSigned("/api/v4/check_license_feature", { ...fixture.identity, feature: fixture.featureCode }, readOnly),
  );
  return feature.total_consumptions;
}

async function events(fixture: Fixture): Promise<Array<[string, number, number]>> {
  await flushAudit(fixture.licenseFeatureId);
  return (await auditRows(fixture.licenseFeatureId)).map((row) => [row.event, row.consumptions, row.total_after]);
}

const patchPeriod = (fixture: Fixture, change: { consumption_period?: ConsumptionPeriod | null; reset_consumption?: boolean }) =>
  manageOk("PATCH", `/api/v1/licenses/${fixture.licenseId}/features/${fixture.featureCode}`, change);

describe("changing consumption_period mid-period", () => {
  it.each(PAIRS)("%s → %s keeps the total; reads and the next consumption see it; no reset is audited", async (from, to) => {
    vi.setSystemTime(new Date(MIDWEEK));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: from } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    await patchPeriod(fixture, { consumption_period: to });
    expect(await total(fixture)).toBe(40);
    expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(41);
    expect(await events(fixture)).toEqual([
      ["consumption_add", 40, 40],
      ["consumption_add", 1, 41],
    ]);
  });

  it("monthly → annually → monthly keeps the total", async () => {
    vi.setSystemTime(new Date(MIDWEEK));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "monthly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    await patchPeriod(fixture, { consumption_period: "annually" });
    expect(await total(fixture)).toBe(40);
    await patchPeriod(fixture, { consumption_period: "monthly" });
    expect(await total(fixture)).toBe(40);
    expect((await events(fixture)).map(([event]) => event)).toEqual(["consumption_add"]);
  });

  it("a product-level change inherited by the license keeps the total", async () => {
    vi.setSystemTime(new Date(MIDWEEK));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "monthly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    const product = await env.DB.prepare("SELECT id FROM products WHERE short_code = ?").bind(fixture.productCode).first<{ id: number }>();
    await manageOk("PATCH", `/api/v1/products/${product!.id}/features/${fixture.featureCode}`, { consumption_period: "daily" });
    expect(await total(fixture)).toBe(40);
    expect((await events(fixture)).map(([event]) => event)).toEqual(["consumption_add"]);
  });

  it("switching resets off and on again keeps the total", async () => {
    vi.setSystemTime(new Date(MIDWEEK));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "weekly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    await patchPeriod(fixture, { reset_consumption: false });
    expect(await total(fixture)).toBe(40);
    await patchPeriod(fixture, { reset_consumption: true });
    expect(await total(fixture)).toBe(40);
    expect((await events(fixture)).map(([event]) => event)).toEqual(["consumption_add"]);
  });

  it("a refused request after a change neither changes the total nor writes an audit row", async () => {
    vi.setSystemTime(new Date(MIDWEEK));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "monthly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    await patchPeriod(fixture, { consumption_period: "daily" });
    expect(await errorCode(await consume(fixture, credentials, { consumptions: -1 }))).toBe("negative_consumptions_not_allowed");
    expect(await total(fixture)).toBe(40);
    expect(await events(fixture)).toEqual([["consumption_add", 40, 40]]);
  });
});

describe("after a change, boundaries of the current kind", () => {
  it("a real boundary of the new kind resets exactly once", async () => {
    vi.setSystemTime(new Date(MIDWEEK));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "monthly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    await patchPeriod(fixture, { consumption_period: "daily" });
    expect(await total(fixture)).toBe(40);
    vi.setSystemTime(new Date("2026-05-14T00:00:00.000Z")); // the next day: a daily boundary
    expect(await total(fixture)).toBe(0);
    expect(
      (await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: 3 }))).total_consumptions,
    ).toBe(3);
    expect(await total(fixture)).toBe(3);
    expect(await events(fixture)).toEqual([
      ["consumption_add", 40, 40],
      ["period_reset", -40, 0],
      ["consumption_add", 3, 3],
    ]);
  });

  it("a boundary of the old kind only is not a reset", async () => {
    vi.setSystemTime(new Date(MIDWEEK));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "daily" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    await patchPeriod(fixture, { consumption_period: "monthly" });
    vi.setSystemTime(new Date("2026-05-14T00:00:00.000Z")); // a daily boundary, not a monthly one
    expect(await total(fixture)).toBe(40);
    vi.setSystemTime(new Date("2026-06-01T00:00:00.000Z")); // the monthly boundary
    expect(await total(fixture)).toBe(0);
    expect((await events(fixture)).map(([event]) => event)).toEqual(["consumption_add", "period_reset"]);
  });

  it("a refused request right after a real boundary commits only the reset that was due", async () => {
    vi.setSystemTime(new Date("2026-05-31T23:00:00.000Z"));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "monthly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    vi.setSystemTime(new Date("2026-06-01T00:00:00.000Z"));
    expect(await errorCode(await consume(fixture, credentials, { consumptions: -1 }))).toBe("negative_consumptions_not_allowed");
    expect(await total(fixture)).toBe(0);
    expect(await events(fixture)).toEqual([
      ["consumption_add", 40, 40],
      ["period_reset", -40, 0],
    ]);
  });
});

describe("a reset committed by a refused request", () => {
  it("reaches the audit log without waiting for another accepted consumption", async () => {
    vi.setSystemTime(new Date("2026-05-31T23:00:00.000Z"));
    const fixture = await createFixture({ feature: { maxConsumption: 100, resetConsumption: true, consumptionPeriod: "monthly" } });
    await signedBody(await consume(fixture, credentials, { consumptions: 40 }));
    await flushAudit(fixture.licenseFeatureId);
    vi.setSystemTime(new Date("2026-06-01T00:00:00.000Z"));
    expect(await errorCode(await consume(fixture, credentials, { consumptions: -1 }))).toBe("negative_consumptions_not_allowed");
    // No flush is asked for: the object sends the reset's row on its own.
    vi.useRealTimers();
    await eventually(
      async () => (await auditRows(fixture.licenseFeatureId)).some((row) => row.event === "period_reset"),
      "the period_reset row in D1",
      5_000,
    );
  });
});
