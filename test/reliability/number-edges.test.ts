// Number edges: consumptions of 0, fractions, beyond 2^53, and totals near the limits.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { featureCounter } from "../../src/counter/counter-stubs";
import { auditRows, flushAudit } from "../support/audit";
import { callWorker, consume, errorCode, signedBody } from "../support/client";
import { authHeaders } from "../support/signing";
import { createApiKey, createFixture, type Credentials } from "../support/fixtures";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});

const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1

describe("consumptions values", () => {
  it.each([
    ["0", "0"],
    ["-0", "-0"],
    ["0.5", "0.5"],
    ["1.0000001", "1.0000001"],
    ["2^53", "9007199254740992"],
    ["-(2^53)", "-9007199254740992"],
    ["1e21", "1e21"],
    ["1e400 (Infinity when parsed)", "1e400"],
  ])("%s is a validation_error and changes nothing", async (_name, literal) => {
    const fixture = await createFixture({
      feature: { maxConsumption: 10, allowUnlimitedConsumptions: true, allowNegativeConsumptions: true },
    });
    const body = `{"product":"${fixture.productCode}","license_key":"${fixture.licenseKey}","hardware_id":"${fixture.hardwareId}","feature":"${fixture.featureCode}","consumptions":${literal}}`;
    const response = await callWorker("/api/v4/add_feature_consumption", {
      method: "POST",
      headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json" },
      body,
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_error");
    await flushAudit(fixture.licenseFeatureId);
    expect(await auditRows(fixture.licenseFeatureId)).toEqual([]);
  });

  it("1.0 is the integer 1 in JSON and is accepted as 1", async () => {
    const fixture = await createFixture();
    const body = `{"product":"${fixture.productCode}","license_key":"${fixture.licenseKey}","hardware_id":"${fixture.hardwareId}","feature":"${fixture.featureCode}","consumptions":1.0}`;
    const response = await callWorker("/api/v4/add_feature_consumption", {
      method: "POST",
      headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json" },
      body,
    });
    expect((await signedBody<{ total_consumptions: number }>(response)).total_consumptions).toBe(1);
  });
});

describe("totals near the limits", () => {
  it("an allowance of 2^53 - 1 can be used to the last unit, not one more", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: MAX_SAFE } });
    expect(
      (await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: MAX_SAFE - 1 })))
        .total_consumptions,
    ).toBe(MAX_SAFE - 1);
    expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(MAX_SAFE);
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });

  it("unlimited features still never pass 2^53 - 1 (totals stay exact)", async () => {
    const fixture = await createFixture({ feature: { allowUnlimitedConsumptions: true } });
    await signedBody(await consume(fixture, credentials, { consumptions: MAX_SAFE }));
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });

  it("overage on top of a large allowance is exact", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: MAX_SAFE - 10, allowOverages: true, maxOverages: 10 } });
    await signedBody(await consume(fixture, credentials, { consumptions: MAX_SAFE - 1 }));
    expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(MAX_SAFE);
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });

  it("a negative consumption may bring the total exactly to 0, not below", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 10, allowNegativeConsumptions: true } });
    await signedBody(await consume(fixture, credentials, { consumptions: 4 }));
    expect(await errorCode(await consume(fixture, credentials, { consumptions: -5 }))).toBe("negative_consumptions_not_allowed");
    expect(
      (await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: -4 }))).total_consumptions,
    ).toBe(0);
  });

  it("max_consumption 0 allows nothing (without overages)", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 0 } });
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });
});
