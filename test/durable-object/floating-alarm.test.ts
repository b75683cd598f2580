// One alarm, two jobs: a license's counter object holds its audit outbox (add_consumption) and its
// floating pool (check_license on a floating cloud license). The storage alarm is the earliest
// either needs; each run does both jobs and sets the next alarm from what is left. The queue is
// made to refuse sends for real where it would surface (the object's binding), as in
// audit-outbox.test.ts; the clock is the fake Date, in the future, so alarms run only when the test
// runs them.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SAFETY_NET_MS } from "../../src/counter/audit-delivery";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { licenseCounter } from "../../src/counter/counter-stubs";
import { flushLicenseAudit, licenseAuditRows, queueDown } from "../support/audit";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { addDevices, createApiKey, createFixture } from "../support/fixtures";

const T0 = Date.parse("2031-06-01T08:00:00.000Z");
const MINUTE = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the counter object's one alarm", () => {
  it("serves the audit retries and the pool's lease ends, each at its time", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({
      license: { licenseType: "consumption", maxConsumptions: 100, floatingUsers: 1, floatingTimeout: 10 },
    });
    const [second] = await addDevices(fixture, 1);
    const counter = licenseCounter(env, fixture.licenseId);
    const alarm = () => runInDurableObject(counter, (_instance: ConsumptionCounter, state) => state.storage.getAlarm());

    await signedBody(await getSigned("/api/v4/check_license", fixture.identity, credentials)); // the object exists
    // The check filled the one-slot pool: its event's send has the safety net; once that has run, the alarm is the pool's.
    expect(await alarm()).toBe(T0 + SAFETY_NET_MS);
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await alarm()).toBe(T0 + 10 * MINUTE); // the pool's: the lease's end
    await queueDown(counter, true);
    try {
      await signedBody(await postSigned("/api/v4/add_consumption", { ...fixture.identity, consumptions: 3 }, credentials));
      expect(String(await counter.flushAudit().catch((error: unknown) => error))).toMatch(/queue unavailable/);
      // The audit needs the alarm sooner than the pool: it is the audit's.
      const auditAlarm = await alarm();
      expect(auditAlarm).not.toBeNull();
      expect(auditAlarm!).toBeLessThanOrEqual(T0 + SAFETY_NET_MS);

      // The alarm runs: the send fails again, the row stays, a retry is set, the lease is untouched.
      expect(await runDurableObjectAlarm(counter)).toBe(true);
      expect(await counter.pendingAuditRows()).toBe(1);
      expect(await alarm()).toBeLessThanOrEqual(T0 + 60_000);
      expect(await errorCode(await getSigned("/api/v4/check_license", { ...fixture.identity, hardware_id: second! }, credentials))).toBe(
        "floating_not_available",
      );
    } finally {
      await queueDown(counter, false);
    }

    // The queue is back: the next run sends the row, and the alarm is the pool's again.
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await counter.pendingAuditRows()).toBe(0);
    expect(await alarm()).toBe(T0 + 10 * MINUTE);

    // At the lease's end the alarm clears it; nothing is left to wake for.
    vi.setSystemTime(T0 + 10 * MINUTE);
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await alarm()).toBeNull();
    expect((await counter.poolLeases({ licenseId: fixture.licenseId, licenseFeatureId: null })).leases).toEqual([]);

    await flushLicenseAudit(fixture.licenseId);
    expect((await licenseAuditRows(fixture.licenseId)).map((row) => [row.event, row.consumptions])).toEqual([["consumption_add", 3]]);
  });

  it("a consumption's safety net does not wait for a later lease end", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({
      license: { licenseType: "consumption", maxConsumptions: 100, floatingUsers: 1, floatingTimeout: 600 },
    });
    const counter = licenseCounter(env, fixture.licenseId);
    await signedBody(await getSigned("/api/v4/check_license", fixture.identity, credentials));
    expect(await runDurableObjectAlarm(counter)).toBe(true); // the safety net of the full pool's event
    expect(await runInDurableObject(counter, (_i: ConsumptionCounter, state) => state.storage.getAlarm())).toBe(T0 + 600 * MINUTE);
    await queueDown(counter, true);
    try {
      await signedBody(await postSigned("/api/v4/add_consumption", { ...fixture.identity, consumptions: 1 }, credentials));
      const at = await runInDurableObject(counter, (_i: ConsumptionCounter, state) => state.storage.getAlarm());
      expect(at!).toBeLessThanOrEqual(T0 + SAFETY_NET_MS);
    } finally {
      await queueDown(counter, false);
    }
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await counter.pendingAuditRows()).toBe(0);
    expect(await runInDurableObject(counter, (_i: ConsumptionCounter, state) => state.storage.getAlarm())).toBe(T0 + 600 * MINUTE);
  });
});
