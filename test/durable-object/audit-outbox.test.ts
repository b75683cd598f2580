// Audit durability: the queue or D1 failing must not lose, block or duplicate audit rows. Rows go
// from the counter object's outbox to the real local audit queue, whose consumer writes D1.
// - A D1 failure is real: the audit table is renamed away, so every insert really fails and the
//   consumer's messages come back (retry with backoff) until it returns.
// - A queue failure is injected where it would surface: the object's queue binding refuses sends.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter } from "../../src/counter/counter-stubs";
import { auditRows, eventually, flushAudit, queueDown } from "../support/audit";
import { consume, signedBody } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";

async function breakD1Audit() {
  await env.DB.exec("ALTER TABLE consumption_audit RENAME TO consumption_audit_offline");
}
async function repairD1Audit() {
  await env.DB.exec("ALTER TABLE consumption_audit_offline RENAME TO consumption_audit");
}

describe("audit delivery", () => {
  it("D1 failing: consumptions keep being accepted and counted; every row reaches D1 exactly once after recovery", async () => {
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
      // The queue took the rows (the object's outbox is empty), but D1 cannot write them.
      await counter.flushAudit();
      expect(await counter.pendingAuditRows()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit_offline").first<number>("n")).toBe(0);
    } finally {
      await repairD1Audit();
    }

    // The consumer's retries deliver everything once D1 is back.
    await eventually(async () => (await auditRows(fixture.licenseFeatureId)).length === 30, "30 rows after recovery");
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(30);
    expect(rows.reduce((sum, row) => sum + row.consumptions, 0)).toBe(60);
    expect(
      rows
        .map((row) => row.total_after)
        .sort((a, b) => a - b)
        .at(-1),
    ).toBe(60);
    const mirror = await env.DB.prepare("SELECT total_consumptions FROM license_features WHERE id = ?")
      .bind(fixture.licenseFeatureId)
      .first<number>("total_consumptions");
    expect(mirror).toBe(60);
  });

  it("queue failing: rows stay in the object's outbox, the alarm retries, and every row arrives exactly once", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const counter = featureCounter(env, fixture.licenseFeatureId);
    await signedBody(await consume(fixture, credentials)); // the object exists
    await flushAudit(fixture.licenseFeatureId);

    await queueDown(counter, true);
    try {
      const responses = await Promise.all(Array.from({ length: 20 }, () => consume(fixture, credentials, { consumptions: 2 })));
      for (const response of responses) await signedBody(response);
      const sendError = await counter.flushAudit().then(
        () => null,
        (error: unknown) => error,
      );
      expect(String(sendError)).toMatch(/queue unavailable/);
      expect(await counter.pendingAuditRows()).toBe(20);
      // A retry is scheduled: the alarm runs, fails again, and keeps the rows.
      expect(await runInDurableObject(counter, (_instance: ConsumptionCounter, state) => state.storage.getAlarm())).not.toBeNull();
      expect(await runDurableObjectAlarm(counter)).toBe(true);
      expect(await counter.pendingAuditRows()).toBe(20);
    } finally {
      await queueDown(counter, false);
    }

    // The next alarm sends everything; the consumer writes it.
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await counter.pendingAuditRows()).toBe(0);
    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(21);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(21);
    expect(rows.reduce((sum, row) => sum + row.consumptions, 0)).toBe(41);
  });

  it("a row sent again after the queue already took it is written once", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const counter = featureCounter(env, fixture.licenseFeatureId);
    await signedBody(await consume(fixture, credentials, { consumptions: 5 }));
    await flushAudit(fixture.licenseFeatureId);
    const [row] = await auditRows(fixture.licenseFeatureId);

    // "The queue took the rows but the object died before deleting them": put the row back.
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
    await abortAllDurableObjects(); // ... and died: the next instance knows only what its storage holds
    const revived = featureCounter(env, fixture.licenseFeatureId);
    expect(await revived.pendingAuditRows()).toBe(1);
    await revived.flushAudit();
    expect(await revived.pendingAuditRows()).toBe(0);
    // Give the consumer time to (not) write it a second time.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await auditRows(fixture.licenseFeatureId)).toHaveLength(1);
  });

  it("the in-memory copies follow a rolled-back transaction: a row that never committed is never sent, a total never counted", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const counter = featureCounter(env, fixture.licenseFeatureId);
    await signedBody(await consume(fixture, credentials)); // the object has sent its first row: its outbox copy is known
    await flushAudit(fixture.licenseFeatureId);
    // The last write of a consumption's transaction (remembering its request key) fails for real,
    // after the new total and its audit row were written: the whole transaction rolls back.
    await runInDurableObject(counter, (_instance: ConsumptionCounter, state) => {
      state.storage.sql.exec("CREATE TRIGGER refuse_requests BEFORE INSERT ON requests BEGIN SELECT RAISE(ABORT, 'refused'); END");
    });
    expect((await consume(fixture, credentials)).status).toBe(500);
    expect(await counter.pendingAuditRows()).toBe(0);
    await runInDurableObject(counter, (_instance: ConsumptionCounter, state) => {
      state.storage.sql.exec("DROP TRIGGER refuse_requests");
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM outbox").one().n).toBe(0);
    });
    expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(2);
    await flushAudit(fixture.licenseFeatureId);
    expect((await auditRows(fixture.licenseFeatureId)).map((row) => row.total_after)).toEqual([1, 2]);
  });

  it("refused consumptions write no audit row", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1 } });
    await signedBody(await consume(fixture, credentials));
    expect((await consume(fixture, credentials)).status).toBe(400);
    expect((await consume(fixture, credentials, { consumptions: -1 })).status).toBe(400);
    await flushAudit(fixture.licenseFeatureId);
    expect(await auditRows(fixture.licenseFeatureId)).toHaveLength(1);
    expect(await featureCounter(env, fixture.licenseFeatureId).auditRowsWritten()).toBe(1);
  });
});
