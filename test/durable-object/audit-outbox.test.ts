// Audit durability: D1 failing must not lose, block or duplicate audit rows.
// The fault is real: the audit table is renamed away in D1, so every insert really fails.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter } from "../../src/counter/counter-stubs";
import { auditRows } from "../support/audit";
import { consume, signedBody } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";

async function breakD1Audit() {
  await env.DB.exec("ALTER TABLE consumption_audit RENAME TO consumption_audit_offline");
}
async function repairD1Audit() {
  await env.DB.exec("ALTER TABLE consumption_audit_offline RENAME TO consumption_audit");
}

describe("audit outbox", () => {
  it("keeps accepting and counting while D1 fails; every row arrives exactly once after recovery", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const counter = featureCounter(env, fixture.licenseFeatureId);

    await breakD1Audit();
    try {
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) => consume(fixture, credentials, { consumptions: (i % 3) + 1 })),
      );
      const totals = await Promise.all(
        responses.map(async (r) => (await signedBody<{ total_consumptions: number }>(r)).total_consumptions),
      );
      expect(Math.max(...totals)).toBe(60);
      const flushError = await counter.flushAudit().then(
        () => null,
        (error: unknown) => error,
      );
      expect(String(flushError)).toMatch(/no such table: consumption_audit/);
      expect(await counter.pendingAuditRows()).toBe(30);
      // A retry is scheduled: the alarm runs, fails again, and keeps the rows.
      expect(await runInDurableObject(counter, (_instance: ConsumptionCounter, state) => state.storage.getAlarm())).not.toBeNull();
      expect(await runDurableObjectAlarm(counter)).toBe(true);
      expect(await counter.pendingAuditRows()).toBe(30);
    } finally {
      await repairD1Audit();
    }

    // The next alarm delivers everything.
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await counter.pendingAuditRows()).toBe(0);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(30);
    expect(rows.at(-1)!.total_after).toBe(60);
    expect(rows.reduce((sum, row) => sum + row.consumptions, 0)).toBe(60);
  });

  it("a flush retried after D1 already committed inserts nothing twice", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const counter = featureCounter(env, fixture.licenseFeatureId);
    await signedBody(await consume(fixture, credentials, { consumptions: 5 }));
    await counter.flushAudit();
    const [row] = await auditRows(fixture.licenseFeatureId);

    // Simulate "D1 committed but the object died before deleting its outbox row": put it back.
    await runInDurableObject(counter, (_instance: ConsumptionCounter, state) => {
      state.storage.sql.exec(
        `INSERT INTO outbox (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        row!.event_id,
        row!.license_id,
        row!.license_feature_id,
        row!.feature_code,
        row!.hardware_id,
        row!.consumptions,
        row!.total_after,
        row!.event,
        row!.api_key_id,
        row!.created_at,
      );
    });
    expect(await counter.pendingAuditRows()).toBe(1);
    await counter.flushAudit();
    expect(await counter.pendingAuditRows()).toBe(0);
    expect(await auditRows(fixture.licenseFeatureId)).toHaveLength(1);
  });

  it("refused consumptions write no audit row", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1 } });
    const counter = featureCounter(env, fixture.licenseFeatureId);
    await signedBody(await consume(fixture, credentials));
    expect((await consume(fixture, credentials)).status).toBe(400);
    expect((await consume(fixture, credentials, { consumptions: -1 })).status).toBe(400);
    await counter.flushAudit();
    expect(await auditRows(fixture.licenseFeatureId)).toHaveLength(1);
  });
});
