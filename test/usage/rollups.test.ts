// Usage rollups (docs/usage-and-webhooks.md "Rollups"): the audit consumer sums each counter's rows
// per hour and per day, with the refusals its object counted, in the same D1 transaction as the
// rows, so the rollups hold exactly what the audit log holds: a message delivered twice, in one
// batch or later, on the audit queue or its dead-letter queue, counts once.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AuditMessage } from "../../src/audit/audit-message";
import type { SequencedAuditRow } from "../../src/db/consumption-audit";
import { auditRows, eventually, flushAudit } from "../support/audit";
import { consume } from "../support/client";
import { createApiKey, createFixture, type Fixture } from "../support/fixtures";

interface Rollup {
  bucket_start: string;
  consumed: number;
  consumptions: number;
  overage: number;
  adjusted: number;
  adjustments: number;
  refused_over_limit: number;
  refused_negative: number;
  total_after: number | null;
  last_seq: number;
}

async function rollups(bucket: "hourly" | "daily", licenseFeatureId: number): Promise<Rollup[]> {
  const { results } = await env.DB.prepare(
    `SELECT bucket_start, consumed, consumptions, overage, adjusted, adjustments, refused_over_limit, refused_negative, total_after, last_seq
     FROM usage_${bucket} WHERE license_feature_id = ? ORDER BY bucket_start`,
  )
    .bind(licenseFeatureId)
    .all<Rollup>();
  return results;
}

function row(fixture: Fixture, seq: number, consumptions: number, totalAfter: number, createdAt: string): SequencedAuditRow {
  return {
    seq,
    event_id: crypto.randomUUID(),
    license_id: fixture.licenseId,
    license_feature_id: fixture.licenseFeatureId,
    feature_code: fixture.featureCode,
    hardware_id: fixture.hardwareId,
    consumptions,
    total_after: totalAfter,
    event: "consumption_add",
    api_key_id: null,
    created_at: createdAt,
    overage: 0,
  };
}

describe("usage rollups", () => {
  it("sum the accepted rows and count the refusals, per hour and per day, as the object decided them", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({
      feature: { maxConsumption: 10, allowOverages: true, maxOverages: 2, allowNegativeConsumptions: true },
    });
    const steps = [3, 4, 6, -2, -20, 6, 1, 3];
    // 3, 7, 13 refused (over 12), 5, -15 refused (below 0), 11 (1 of it overage), 12 (overage), 15 refused.
    const statuses = [];
    for (const consumptions of steps) {
      const response = await consume(fixture, credentials, { consumptions });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 400, 200, 400, 200, 200, 400]);
    await flushAudit(fixture.licenseFeatureId);

    const raw = await auditRows(fixture.licenseFeatureId);
    expect(raw.map((one) => one.consumptions)).toEqual([3, 4, -2, 6, 1]);
    await eventually(async () => (await rollups("daily", fixture.licenseFeatureId))[0]?.refused_over_limit === 2, "refusals rolled up");
    const hour = new Date().toISOString().slice(0, 13);
    const expected = {
      consumed: 12,
      consumptions: 5,
      overage: 2,
      adjusted: 0,
      adjustments: 0,
      refused_over_limit: 2,
      refused_negative: 1,
      total_after: 12,
      last_seq: 5,
    };
    expect(await rollups("hourly", fixture.licenseFeatureId)).toEqual([{ bucket_start: `${hour}:00:00.000Z`, ...expected }]);
    expect(await rollups("daily", fixture.licenseFeatureId)).toEqual([{ bucket_start: `${hour.slice(0, 10)}T00:00:00.000Z`, ...expected }]);
  });

  it("a message delivered twice in one batch, again later, and again from the dead-letter queue counts once", async () => {
    const fixture = await createFixture();
    const rows = [
      row(fixture, 1, 5, 5, "2026-03-01T10:15:00.000Z"),
      row(fixture, 2, 2, 7, "2026-03-01T10:45:00.000Z"),
      row(fixture, 3, 1, 8, "2026-03-01T11:05:00.000Z"),
    ];
    const refusal = { license_id: fixture.licenseId, license_feature_id: fixture.licenseFeatureId, hour: "2026-03-01T10:00:00.000Z" };
    const message: AuditMessage = { rows, refusals: [{ ...refusal, over_limit: 3, negative: 1 }] };
    const sentinel = (n: number): AuditMessage => ({ rows: [row(fixture, 100 + n, 0, 8, "2026-03-02T00:00:00.000Z")] });
    const rowsInD1 = async () => (await auditRows(fixture.licenseFeatureId)).length;

    await env.AUDIT_QUEUE.sendBatch([message, message, sentinel(1)].map((body) => ({ body, contentType: "json" })));
    await eventually(async () => (await rowsInD1()) === 4, "the first delivery and its sentinel");
    // Later: the same message again, an older count for the hour arriving late, then a newer one.
    await env.AUDIT_QUEUE.sendBatch(
      [message, { rows: [], refusals: [{ ...refusal, over_limit: 1, negative: 0 }] }, sentinel(2)].map((body) => ({
        body,
        contentType: "json",
      })),
    );
    await eventually(async () => (await rowsInD1()) === 5, "the second sentinel");
    await env.AUDIT_DEAD_LETTER_QUEUE.sendBatch([message, sentinel(3)].map((body) => ({ body, contentType: "json" })));
    await eventually(async () => (await rowsInD1()) === 6, "the dead-letter queue's sentinel");
    await env.AUDIT_QUEUE.send({ rows: [], refusals: [{ ...refusal, over_limit: 4, negative: 1 }] }, { contentType: "json" });
    await eventually(async () => (await rollups("daily", fixture.licenseFeatureId))[0]?.refused_over_limit === 4, "the newer count");

    const hourly = await rollups("hourly", fixture.licenseFeatureId);
    expect(
      hourly.map(({ bucket_start, consumed, consumptions, refused_over_limit, refused_negative, total_after }) => ({
        bucket_start,
        consumed,
        consumptions,
        refused_over_limit,
        refused_negative,
        total_after,
      })),
    ).toEqual([
      {
        bucket_start: "2026-03-01T10:00:00.000Z",
        consumed: 7,
        consumptions: 2,
        refused_over_limit: 4,
        refused_negative: 1,
        total_after: 7,
      },
      {
        bucket_start: "2026-03-01T11:00:00.000Z",
        consumed: 1,
        consumptions: 1,
        refused_over_limit: 0,
        refused_negative: 0,
        total_after: 8,
      },
      {
        bucket_start: "2026-03-02T00:00:00.000Z",
        consumed: 0,
        consumptions: 3,
        refused_over_limit: 0,
        refused_negative: 0,
        total_after: 8,
      },
    ]);
    const daily = await rollups("daily", fixture.licenseFeatureId);
    expect(
      daily.map(({ bucket_start, consumed, consumptions, refused_over_limit, refused_negative }) => [
        bucket_start,
        consumed,
        consumptions,
        refused_over_limit,
        refused_negative,
      ]),
    ).toEqual([
      ["2026-03-01T00:00:00.000Z", 8, 3, 4, 1],
      ["2026-03-02T00:00:00.000Z", 0, 3, 0, 0],
    ]);
  });
});
