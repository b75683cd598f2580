// Exactness under concurrency: many devices report at once; the counter object serialises them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditRows, flushAudit } from "../support/audit";
import { consume, errorCode, signedBody } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";
import { featureCounter } from "../../src/counter/counter-stubs";

describe("one counter object per license feature", () => {
  it("accepts exactly max_consumption of 250 concurrent requests, audits exactly those", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    const responses = await Promise.all(Array.from({ length: 250 }, () => consume(fixture, credentials)));

    const accepted = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status !== 200);
    expect(accepted).toHaveLength(100);
    expect(refused).toHaveLength(150);
    const refusedCodes = new Set(await Promise.all(refused.map(errorCode)));
    expect([...refusedCodes]).toEqual(["feature_not_enough_consumptions"]);

    // Every accepted response carries a distinct total from 1..100: no two saw the same "left".
    const totals = await Promise.all(
      accepted.map(async (response) => (await signedBody<{ total_consumptions: number }>(response)).total_consumptions),
    );
    expect(totals.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(100);
    expect(rows.reduce((sum, row) => sum + row.consumptions, 0)).toBe(100);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(100);
    expect(await featureCounter(env, fixture.licenseFeatureId).pendingAuditRows()).toBe(0);
  });

  it("mixed sizes and signs concurrently never exceed the limit nor go below zero", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 50, allowNegativeConsumptions: true } });
    const deltas = Array.from({ length: 200 }, (_, i) => (i % 5 === 4 ? -3 : (i % 3) + 1));
    const responses = await Promise.all(deltas.map((consumptions) => consume(fixture, credentials, { consumptions })));
    const acceptedDeltas = deltas.filter((_, i) => responses[i]!.status === 200);
    for (const response of responses) await response.body?.cancel();

    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(acceptedDeltas.length);
    // Replaying the audit log in order reproduces every total, each within [0, 50].
    let total = 0;
    for (const row of rows) {
      total += row.consumptions;
      expect(row.total_after).toBe(total);
      expect(total).toBeGreaterThanOrEqual(0);
      expect(total).toBeLessThanOrEqual(50);
    }
    expect(total).toBe(acceptedDeltas.reduce((sum, delta) => sum + delta, 0));
  });
});
