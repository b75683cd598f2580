// Retries: a client that sends the same request twice (a response was lost) is charged once.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { featureCounter, licenseCounter } from "../../src/counter/counter-stubs";
import { auditRows, flushAudit, flushLicenseAudit, licenseAuditRows } from "../support/audit";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { errorCode, postSigned, signedBody } from "../support/client";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});
afterEach(() => {
  vi.useRealTimers();
});

const consumeWithKey = (fixture: Fixture, key: string, extra: Record<string, unknown> = {}, as = credentials) =>
  postSigned("/api/v4/add_feature_consumption", { ...fixture.identity, feature: fixture.featureCode, ...extra }, as, {
    "Idempotency-Key": key,
  });

async function total(fixture: Fixture): Promise<number> {
  await flushAudit(fixture.licenseFeatureId);
  return (await auditRows(fixture.licenseFeatureId)).reduce((sum, row) => sum + row.consumptions, 0);
}

describe("Idempotency-Key on add_feature_consumption", () => {
  it("the same key and body return the original bytes and signature without a second charge", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    const first = await consumeWithKey(fixture, "order-1", { consumptions: 5 });
    const firstText = await first.clone().text();
    expect((await signedBody<{ total_consumptions: number }>(first)).total_consumptions).toBe(5);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();

    // Meanwhile someone else consumes and the vendor raises the allowance: the replay is still the original.
    await postSigned(
      "/api/v4/add_feature_consumption",
      { ...fixture.identity, feature: fixture.featureCode, consumptions: 2 },
      credentials,
    );
    await env.DB.prepare("UPDATE license_features SET max_consumption = 500 WHERE id = ?").bind(fixture.licenseFeatureId).run();

    const replay = await consumeWithKey(fixture, "order-1", { consumptions: 5 });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.headers.get("LicenseSignature")).toBe(first.headers.get("LicenseSignature"));
    expect(await replay.clone().text()).toBe(firstText);
    await signedBody(replay);
    expect(await total(fixture)).toBe(7);
  });

  it("the same key with a different body is refused: idempotency_key_reused", async () => {
    const fixture = await createFixture();
    await signedBody(await consumeWithKey(fixture, "k-2", { consumptions: 1 }));
    const reused = await consumeWithKey(fixture, "k-2", { consumptions: 2 });
    expect(reused.status).toBe(400);
    expect(await errorCode(reused)).toBe("idempotency_key_reused");
    expect(await total(fixture)).toBe(1);
  });

  it("concurrent duplicates are charged exactly once and all get the same answer", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const responses = await Promise.all(Array.from({ length: 40 }, () => consumeWithKey(fixture, "burst", { consumptions: 3 })));
    const texts = await Promise.all(responses.map((response) => response.text()));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(new Set(texts).size).toBe(1);
    expect(new Set(responses.map((response) => response.headers.get("LicenseSignature"))).size).toBe(1);
    expect(responses.filter((response) => response.headers.get("Idempotent-Replayed") === "true")).toHaveLength(39);
    expect(await total(fixture)).toBe(3);
  });

  it("a refused request replays its refusal", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 1 } });
    expect(await errorCode(await consumeWithKey(fixture, "too-much", { consumptions: 2 }))).toBe("feature_not_enough_consumptions");
    expect(await errorCode(await consumeWithKey(fixture, "too-much", { consumptions: 2 }))).toBe("feature_not_enough_consumptions");
    expect(await total(fixture)).toBe(0);
  });

  it("keys are scoped to the API key", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    const other = await createApiKey();
    await signedBody(await consumeWithKey(fixture, "shared-name"));
    await signedBody(await consumeWithKey(fixture, "shared-name", {}, other));
    expect(await total(fixture)).toBe(2);
  });

  it("keys expire after 24 hours", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-06-01T10:00:00Z"));
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consumeWithKey(fixture, "daily-sync"));
    vi.setSystemTime(new Date("2026-06-02T09:59:59Z"));
    expect((await consumeWithKey(fixture, "daily-sync")).headers.get("Idempotent-Replayed")).toBe("true");
    vi.setSystemTime(new Date("2026-06-02T10:00:01Z"));
    const fresh = await consumeWithKey(fixture, "daily-sync");
    expect(fresh.headers.get("Idempotent-Replayed")).toBeNull();
    expect((await signedBody<{ total_consumptions: number }>(fresh)).total_consumptions).toBe(2);
  });

  it("a malformed key is a validation_error", async () => {
    const fixture = await createFixture();
    expect(await errorCode(await consumeWithKey(fixture, "x".repeat(256)))).toBe("validation_error");
    expect(await errorCode(await consumeWithKey(fixture, "has space"))).toBe("validation_error");
  });
});

describe("Idempotency-Key on add_consumption", () => {
  it("replays without a second charge, refuses a different body", async () => {
    const fixture = await createFixture({
      license: { licenseType: "consumption", maxConsumptions: 50, allowOverages: true, maxOverages: 5 },
    });
    const send = (body: Record<string, unknown>) =>
      postSigned("/api/v4/add_consumption", { ...fixture.identity, ...body }, credentials, { "Idempotency-Key": "lic-1" });
    const first = await send({ consumptions: 4, max_overages: 1 });
    const firstText = await first.clone().text();
    await signedBody(first);
    const replay = await send({ consumptions: 4, max_overages: 1 });
    expect(await replay.clone().text()).toBe(firstText);
    expect(replay.headers.get("LicenseSignature")).toBe(first.headers.get("LicenseSignature"));
    expect(await errorCode(await send({ consumptions: 5 }))).toBe("idempotency_key_reused");
    await flushLicenseAudit(fixture.licenseId);
    expect((await licenseAuditRows(fixture.licenseId)).map((row) => row.consumptions)).toEqual([4]);
  });
});
