// add_consumption: license-level consumption, with its own counter object per license.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { licenseCounter } from "../../src/counter/counter-stubs";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { errorCode, postSigned, signedBody } from "../support/client";
import { flushLicenseAudit, licenseAuditRows } from "../support/audit";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});

const addConsumption = (fixture: Fixture, extra: Record<string, unknown> = {}) =>
  postSigned("/api/v4/add_consumption", { ...fixture.identity, ...extra }, credentials);

describe("add_consumption", () => {
  it("counts license consumptions and answers the SDK's fields", async () => {
    const fixture = await createFixture({ license: { licenseType: "consumption", maxConsumptions: 10 } });
    await signedBody(await addConsumption(fixture, { consumptions: 3 }));
    const body = await signedBody<Record<string, unknown>>(await addConsumption(fixture));
    expect(body).toMatchObject({
      id: fixture.licenseId,
      max_consumptions: 10,
      total_consumptions: 4,
      allow_overages: false,
      company: { id: 7 },
    });
    await flushLicenseAudit(fixture.licenseId);
    expect((await licenseAuditRows(fixture.licenseId)).map((row) => [row.consumptions, row.total_after, row.event])).toEqual([
      [3, 3, "consumption_add"],
      [1, 4, "consumption_add"],
    ]);
  });

  it("license_not_consumption (the documented code) for licenses that are not consumption licenses", async () => {
    expect(await errorCode(await addConsumption(await createFixture()))).toBe("license_not_consumption");
  });

  it("license_not_enough_consumptions, negative_consumptions_not_allowed", async () => {
    const fixture = await createFixture({ license: { licenseType: "consumption", maxConsumptions: 2 } });
    await signedBody(await addConsumption(fixture, { consumptions: 2 }));
    expect(await errorCode(await addConsumption(fixture))).toBe("license_not_enough_consumptions");
    expect(await errorCode(await addConsumption(fixture, { consumptions: -1 }))).toBe("negative_consumptions_not_allowed");
  });

  it("request-level allow_overages / max_overages can narrow, never widen, the license's overages", async () => {
    const fixture = await createFixture({
      license: { licenseType: "consumption", maxConsumptions: 5, allowOverages: true, maxOverages: 5 },
    });
    await signedBody(await addConsumption(fixture, { consumptions: 5 }));
    expect(await errorCode(await addConsumption(fixture, { allow_overages: false }))).toBe("license_not_enough_consumptions");
    expect(await errorCode(await addConsumption(fixture, { consumptions: 3, max_overages: 2 }))).toBe("license_not_enough_consumptions");
    await signedBody(await addConsumption(fixture, { consumptions: 2, max_overages: 2 }));
    expect(await errorCode(await addConsumption(fixture, { consumptions: 4, max_overages: 100 }))).toBe("license_not_enough_consumptions");
    const last = await signedBody<{ total_consumptions: number }>(
      await addConsumption(fixture, { consumptions: 3, allow_overages: true, max_overages: 100 }),
    );
    expect(last.total_consumptions).toBe(10);

    const noOverages = await createFixture({ license: { licenseType: "consumption", maxConsumptions: 1 } });
    await signedBody(await addConsumption(noOverages));
    expect(await errorCode(await addConsumption(noOverages, { allow_overages: true, max_overages: 10 }))).toBe(
      "license_not_enough_consumptions",
    );
  });

  it("is exact under concurrency: 250 requests against 100 → exactly 100, 100 audit rows", async () => {
    const fixture = await createFixture({ license: { licenseType: "consumption", maxConsumptions: 100 } });
    const responses = await Promise.all(Array.from({ length: 250 }, () => addConsumption(fixture)));
    const accepted = responses.filter((response) => response.status === 200);
    expect(accepted).toHaveLength(100);
    expect(new Set(await Promise.all(responses.filter((r) => r.status !== 200).map(errorCode)))).toEqual(
      new Set(["license_not_enough_consumptions"]),
    );
    const totals = await Promise.all(
      accepted.map(async (response) => (await signedBody<{ total_consumptions: number }>(response)).total_consumptions),
    );
    expect(totals.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await flushLicenseAudit(fixture.licenseId);
    expect(await licenseAuditRows(fixture.licenseId)).toHaveLength(100);
  });

  it("accepts offline_floating_consumptions_sync and records it", async () => {
    const fixture = await createFixture({ license: { licenseType: "consumption", maxConsumptions: 5 } });
    await signedBody(await addConsumption(fixture, { event: ["offline_floating_consumptions_sync"] }));
    await flushLicenseAudit(fixture.licenseId);
    expect((await licenseAuditRows(fixture.licenseId)).map((row) => row.event)).toEqual(["offline_floating_consumptions_sync"]);
  });
});
