// Audit delivery within the queue's limits (docs/architecture.md "Queue sizing"): every send is
// bounded by bytes as well as rows, so no hardware id the API accepts can make a send fail, and a
// row that could never travel is set aside instead of blocking the rows behind it. Everything runs
// on the real local queue, whose limits (128 KB a message, 288 KB a sendBatch) refuse what they
// refuse deployed.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter, invalidateLicenseCounters } from "../../src/counter/counter-stubs";
import { listDeadLetters } from "../../src/db/consumption-audit";
import { auditRows, eventually, flushAudit } from "../support/audit";
import { consume, errorCode, postSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";

/** The largest hardware id the API accepts, by encoded size: 256 characters of 3 UTF-8 bytes each. */
const LARGEST_HARDWARE_ID = "€".repeat(256);
/** The id: 256 control characters, 6 bytes each once JSON-escaped (1,796 bytes a row). */
const CONTROL_HARDWARE_ID = "\u0001".repeat(256);

const device = (fixture: Fixture, hardwareId: string): Fixture => ({
  ...fixture,
  identity: { ...fixture.identity, hardware_id: hardwareId },
});

/** A device already in D1 (activated before any input limit existed, or imported), as the counters see it. */
async function storedDevice(fixture: Fixture, hardwareId: string): Promise<void> {
  await env.DB.prepare("INSERT INTO devices (license_id, hardware_id, active) VALUES (?, ?, 1)").bind(fixture.licenseId, hardwareId).run();
  await invalidateLicenseCounters(env, fixture.licenseId);
}

/** Puts audit rows in a counter's outbox as an object holding them unsent would, then restarts the object. */
async function pendingRows(fixture: Fixture, rows: Array<{ hardwareId: string; consumptions: number; totalAfter: number }>): Promise<void> {
  await runInDurableObject(featureCounter(env, fixture.licenseFeatureId), (_instance: ConsumptionCounter, state) => {
    for (const row of rows) {
      state.storage.sql.exec(
        `INSERT INTO outbox (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'consumption_add', NULL, ?)`,
        crypto.randomUUID(),
        fixture.licenseId,
        fixture.licenseFeatureId,
        fixture.featureCode,
        row.hardwareId,
        row.consumptions,
        row.totalAfter,
        new Date().toISOString(),
      );
    }
  });
  await abortAllDurableObjects(); // the next instance knows only what its storage holds
}

async function accepted(responses: Response[]): Promise<number> {
  let count = 0;
  for (const response of responses) {
    if (response.status === 200) {
      await signedBody(response);
      count += 1;
    } else await response.body?.cancel();
  }
  return count;
}

describe("audit delivery within the queue's limits", () => {
  it("the issue's reproduction: 200 concurrent consumptions from the largest hardware id all reach D1; the control-character id is refused; later rows follow", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 10_000 }, license: { maxActivations: 5 } });

    const largest = device(fixture, LARGEST_HARDWARE_ID);
    await signedBody(await postSigned("/api/v4/activate_license", largest.identity, credentials));
    const responses = await Promise.all(Array.from({ length: 200 }, () => consume(largest, credentials)));
    expect(await accepted(responses)).toBe(200);

    // The id is refused at the input edge, at activation and at consumption alike.
    const control = device(fixture, CONTROL_HARDWARE_ID);
    expect(await errorCode(await postSigned("/api/v4/activate_license", control.identity, credentials))).toBe("validation_error");
    expect(await errorCode(await consume(control, credentials))).toBe("validation_error");

    // A later row from an ordinary device arrives too.
    await signedBody(await consume(fixture, credentials));
    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(201);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(201);
    expect(rows.filter((row) => row.hardware_id === LARGEST_HARDWARE_ID)).toHaveLength(200);
    expect(rows.at(-1)!.hardware_id).toBe(fixture.hardwareId);
    expect(rows.at(-1)!.total_after).toBe(201);
    expect(await featureCounter(env, fixture.licenseFeatureId).pendingAuditRows()).toBe(0);
  });

  it("rows an object holds from a control-character device (1,796 bytes each) are all delivered, and the rows behind them", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 10_000 } });
    await signedBody(await consume(fixture, credentials)); // the object exists, its first row is in D1
    await flushAudit(fixture.licenseFeatureId);
    // What the issue left objects holding: hundreds of rows no 100-row message could carry.
    await pendingRows(
      fixture,
      Array.from({ length: 300 }, (_, i) => ({ hardwareId: CONTROL_HARDWARE_ID, consumptions: 1, totalAfter: i + 2 })),
    );
    await signedBody(await consume(fixture, credentials, { consumptions: 1 }));
    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(302);
    expect(rows.filter((row) => row.hardware_id === CONTROL_HARDWARE_ID)).toHaveLength(300);
    expect(rows.at(-1)!.hardware_id).toBe(fixture.hardwareId);
    expect(await featureCounter(env, fixture.licenseFeatureId).pendingAuditRows()).toBe(0);
  });
});

describe("every accepted consumption reaches D1 exactly once, whatever the hardware id and event the API accepts", () => {
  // Hardware ids as the API accepts them: 1 to 256 characters, well-formed, no control characters.
  const hardwareId = fc
    .oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 256 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 256 }),
      fc.constantFrom(LARGEST_HARDWARE_ID, '"'.repeat(256), "\\".repeat(256), "😀".repeat(128), "\u2028".repeat(256), " "),
    )
    .map((text) => text.replace(/\p{Cc}/gu, "x"))
    .filter((text) => text.length >= 1 && text.length <= 256 && text.isWellFormed());
  const event = fc.constantFrom("consumption_add", "offline_floating_consumptions_sync");

  it("property: random devices and events, concurrent consumptions", { timeout: 120_000 }, async () => {
    const credentials: Credentials = await createApiKey();
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(hardwareId, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), event, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 40 }),
        async (hardwareIds, consumptions) => {
          const fixture = await createFixture({ feature: { maxConsumption: 1_000_000 } });
          for (const id of hardwareIds) await storedDevice(fixture, id);
          const sent = consumptions.map(([which, name, amount]) => ({
            hardwareId: hardwareIds[which % hardwareIds.length]!,
            name,
            amount,
          }));
          const responses = await Promise.all(
            sent.map((one) => consume(device(fixture, one.hardwareId), credentials, { event: [one.name], consumptions: one.amount })),
          );
          const bodies = await Promise.all(responses.map((response) => signedBody<{ total_consumptions: number }>(response)));
          await flushAudit(fixture.licenseFeatureId);
          const rows = await auditRows(fixture.licenseFeatureId);
          expect(rows).toHaveLength(sent.length);
          expect(new Set(rows.map((row) => row.event_id)).size).toBe(sent.length);
          // Each accepted consumption is the row whose total it answered: same device, event and amount.
          const byTotal = new Map(rows.map((row) => [row.total_after, row]));
          sent.forEach((one, i) => {
            const row = byTotal.get(bodies[i]!.total_consumptions);
            expect(row).toMatchObject({ hardware_id: one.hardwareId, event: one.name, consumptions: one.amount });
          });
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("a row that could never travel", () => {
  it("is set aside and recorded as a dead letter; the rows behind it go on; no alarm ever resends it", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 10_000 } });
    await signedBody(await consume(fixture, credentials));
    await flushAudit(fixture.licenseFeatureId);
    // A row no message can carry (whatever a row holds: the API could never make this one).
    await pendingRows(fixture, [
      { hardwareId: fixture.hardwareId, consumptions: 1, totalAfter: 2 },
      { hardwareId: "h".repeat(200_000), consumptions: 1, totalAfter: 3 },
      { hardwareId: fixture.hardwareId, consumptions: 1, totalAfter: 4 },
    ]);
    await signedBody(await consume(fixture, credentials));
    await eventually(async () => (await auditRows(fixture.licenseFeatureId)).length === 4, "the 4 rows that can travel in D1");
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows.map((row) => row.hardware_id)).toEqual(Array.from({ length: 4 }, () => fixture.hardwareId));
    const counter = featureCounter(env, fixture.licenseFeatureId);
    expect(await counter.pendingAuditRows()).toBe(0);

    // Kept whole in the object, out of the outbox; recorded in D1 where the vendor sees it.
    const setAside = await runInDurableObject(counter, (_instance: ConsumptionCounter, state) =>
      state.storage.sql
        .exec<{ event_id: string; hardware_id: string; reported: number }>(
          "SELECT event_id, hardware_id, reported FROM set_aside_audit_rows",
        )
        .toArray(),
    );
    expect(setAside).toHaveLength(1);
    expect(setAside[0]!.hardware_id).toHaveLength(200_000);
    await eventually(
      async () => (await listDeadLetters(env.DB)).some((letter) => letter.deadLetterId === setAside[0]!.event_id),
      "the dead letter in D1",
    );
    const letter = (await listDeadLetters(env.DB)).find((one) => one.deadLetterId === setAside[0]!.event_id)!;
    expect(letter.reason).toBe("row_too_large");
    expect(letter.bodyBytes).toBeGreaterThan(200_000);
    expect(JSON.parse(letter.body)).toMatchObject({
      event_id: setAside[0]!.event_id,
      license_feature_id: fixture.licenseFeatureId,
      total_after: 3,
    });

    // The alarm finds nothing to send and nothing to report: it sends nothing at all.
    let sends = 0;
    await runInDurableObject(counter, (instance: ConsumptionCounter) => {
      const holder = instance as unknown as { env: Env };
      const queue = holder.env.AUDIT_QUEUE;
      holder.env = {
        ...holder.env,
        AUDIT_QUEUE: {
          send: () => Promise.reject(new Error("unexpected")),
          sendBatch: (...args: Parameters<Queue["sendBatch"]>) => ((sends += 1), queue.sendBatch(...args)),
        } as unknown as Queue,
      };
    });
    await runDurableObjectAlarm(counter);
    expect(sends).toBe(0);
    await signedBody(await consume(fixture, credentials)); // a new row is sent as usual
    await counter.flushAudit();
    expect(sends).toBe(1);
  });
});
