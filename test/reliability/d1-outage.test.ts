// D1 outage during load: consumptions keep being accepted, and once D1 is back every audit row
// reaches it exactly once (the audit queue's consumer retries). The outage is real: the audit
// table is renamed away mid-load.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { featureCounter } from "../../src/counter/counter-stubs";
import { auditRows, flushAudit } from "../support/audit";
import { consume, signedBody } from "../support/client";
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
