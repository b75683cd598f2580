// D1 outage during load: consumptions keep being accepted, and once D1 is back every audit row
// reaches it exactly once (the audit queue's consumer retries). The outage is real: the audit
// table is renamed away mid-load. And with every table a request could read gone, a license
// already used is still consumed and checked: nothing on its path reads D1.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { featureCounter, licenseCounter } from "../../src/counter/counter-stubs";
import { forgetIsolateMemory } from "../../src/license-api/edge-state";
import { auditRows, flushAudit } from "../support/audit";
import { consume, getSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Fixture } from "../support/fixtures";

describe("D1 outage under load", () => {
  it("accepts and counts everything during the outage; afterwards every row arrives exactly once", async () => {
    const credentials = await createApiKey();
    const fixtures: Fixture[] = [];
    for (let i = 0; i < 4; i++) fixtures.push(await createFixture({ feature: { maxConsumption: 100_000 } }));
    const wave = (n: number) =>
      Array.from({ length: n }, (_, i) => consume(fixtures[i % fixtures.length]!, credentials, { consumptions: (i % 3) + 1 }));

    const before = await Promise.all(wave(80));
    await env.DB.exec("ALTER TABLE consumption_audit RENAME TO consumption_audit_offline");
    let during: Response[];
    try {
      during = await Promise.all(wave(160));
    } finally {
      await env.DB.exec("ALTER TABLE consumption_audit_offline RENAME TO consumption_audit");
    }
    const after = await Promise.all(wave(80));
    const all = [...before, ...during, ...after];
    for (const response of all) await signedBody(response);

    for (const fixture of fixtures) {
      // Retries are the queue consumer's job: wait until D1 has every row (bounded).
      await flushAudit(fixture.licenseFeatureId);
      expect(await featureCounter(env, fixture.licenseFeatureId).pendingAuditRows()).toBe(0);
      const rows = await auditRows(fixture.licenseFeatureId);
      expect(rows).toHaveLength(80);
      expect(new Set(rows.map((row) => row.event_id)).size).toBe(80);
      let total = 0;
      for (const row of rows) {
        total += row.consumptions;
        expect(row.total_after).toBe(total);
      }
      const mirror = await env.DB.prepare("SELECT total_consumptions FROM license_features WHERE id = ?")
        .bind(fixture.licenseFeatureId)
        .first<number>("total_consumptions");
      expect(mirror).toBe(total);
    }
  });
});

describe("D1 unreachable for reads", () => {
  it("a license already used is consumed and checked without D1, even by a fresh isolate at evicted objects", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const check = () => getSigned("/api/v4/check_license", fixture.identity, credentials);
    await signedBody(await consume(fixture, credentials));
    await signedBody(await check());
    // Every table a request could read is gone: any D1 read fails.
    const tables = ["api_keys", "products", "licenses", "license_features", "devices", "license_users"];
    for (const table of tables) await env.DB.exec(`ALTER TABLE ${table} RENAME TO ${table}_offline`);
    try {
      expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(2);
      forgetIsolateMemory();
      await evictDurableObject(featureCounter(env, fixture.licenseFeatureId));
      await evictDurableObject(licenseCounter(env, fixture.licenseId));
      expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(3);
      const checked = await signedBody<{ product_features: Array<{ total_consumptions: number }> }>(await check());
      expect(checked.product_features[0]!.total_consumptions).toBe(3);
    } finally {
      for (const table of tables) await env.DB.exec(`ALTER TABLE ${table}_offline RENAME TO ${table}`);
    }
    await flushAudit(fixture.licenseFeatureId);
    expect(await auditRows(fixture.licenseFeatureId)).toHaveLength(3);
  });
});
