// The reconciliation check (docs/usage-and-webhooks.md "Reconciliation"): after a race of
// consumptions the rollups equal the raw audit rows, day by day, and the counter object's rows and
// total; rows still in the object's outbox are reported in transit; a raw row missing from D1, or
// a rollup that drifted, is a mismatch naming the day.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { featureCounter } from "../../src/counter/counter-stubs";
import { flushAudit, queueDown } from "../support/audit";
import { consume } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";
import { manageOk } from "../support/management-client";

const check = async (licenseId: number) =>
  (await manageOk<{ data: Array<Record<string, any>> }>("GET", `/api/v1/usage/reconciliation?license_id=${licenseId}`)).data;

describe("reconciliation", () => {
  it("rollups = raw rows = the object's rows and total, then in transit, then each kind of mismatch", { timeout: 60_000 }, async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 150, allowNegativeConsumptions: true } });
    const amounts = Array.from({ length: 200 }, (_, i) => (i % 7 === 6 ? -2 : 1));
    const responses = await Promise.all(amounts.map((consumptions) => consume(fixture, credentials, { consumptions })));
    for (const response of responses) await response.body?.cancel();
    await flushAudit(fixture.licenseFeatureId);
    const total = (await featureCounter(env, fixture.licenseFeatureId).usageState())!.total;

    const [ok] = await check(fixture.licenseId);
    expect(ok).toMatchObject({
      license_feature_id: fixture.licenseFeatureId,
      status: "ok",
      problems: [],
      object: { total, pending_audit_rows: 0 },
      rollups: { last_total: total, consumptions_sum: total },
      raw: { consumptions_sum: total, days_compared: 1 },
    });
    expect(ok!.rollups.rows).toBe(ok!.object.audit_rows_written);
    expect(ok!.raw.rows).toBe(ok!.object.audit_rows_written);

    // Rows the queue has not taken yet: in transit, and nothing else wrong.
    const counter = featureCounter(env, fixture.licenseFeatureId);
    await queueDown(counter, true);
    const response = await consume(fixture, credentials, { consumptions: 1 });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(await check(fixture.licenseId)).toMatchObject([{ status: "in_transit", problems: [], object: { pending_audit_rows: 1 } }]);
    await queueDown(counter, false);
    await flushAudit(fixture.licenseFeatureId);
    expect(await check(fixture.licenseId)).toMatchObject([{ status: "ok" }]);

    // A raw row lost from D1, then a rollup that drifted from its rows.
    const day = new Date().toISOString().slice(0, 10);
    await env.DB.prepare("DELETE FROM consumption_audit WHERE id = (SELECT MAX(id) FROM consumption_audit WHERE license_feature_id = ?)")
      .bind(fixture.licenseFeatureId)
      .run();
    const [lost] = await check(fixture.licenseId);
    expect(lost).toMatchObject({ status: "mismatch" });
    expect(lost!.problems).toEqual([expect.stringMatching(new RegExp(`^${day}: raw rows ${ok!.raw.rows} .*rollup ${ok!.raw.rows + 1} `))]);

    await env.DB.prepare("UPDATE usage_daily SET consumptions = consumptions - 1 WHERE license_feature_id = ?")
      .bind(fixture.licenseFeatureId)
      .run();
    const [drifted] = await check(fixture.licenseId);
    expect(drifted!.problems).toEqual([
      expect.stringMatching(new RegExp(`^${day}: raw rows ${ok!.raw.rows} \\(sum \\d+\\), rollup ${ok!.raw.rows} \\(sum \\d+\\)$`)),
      `the object wrote ${ok!.raw.rows + 1} rows, the rollups hold ${ok!.raw.rows}`,
    ]);
  });
});
