// Management changes under concurrency (docs/management-api.md "When changes take effect"): a
// management change races License API requests. Requests that overlap the change may see the state
// before or after it, but each sees one or the other consistently, totals stay exact, and every
// request sent after the change was acknowledged sees it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { featureCounter } from "../../src/counter/counter-stubs";
import { auditRows, flushAudit } from "../support/audit";
import { errorCode, postSigned } from "../support/client";
import { consumeAs, manageOk, vendorSetup, type VendorSetup } from "../support/management-client";

interface Outcome {
  status: number;
  code: string | null;
  total: number | null;
  max: number | null;
}

async function outcome(response: Response): Promise<Outcome> {
  if (response.status !== 200) return { status: response.status, code: await errorCode(response), total: null, max: null };
  const body = (await response.json()) as { total_consumptions: number; max_consumptions: number };
  return { status: 200, code: null, total: body.total_consumptions, max: body.max_consumptions };
}

/**
 * Sends `during` requests and the change at the same moment, waits for the change to be
 * acknowledged, then sends `after` requests. Returns both groups' outcomes.
 */
async function race(send: () => Promise<Response>, change: () => Promise<unknown>, during: number, after: number) {
  const overlapping = Array.from({ length: during }, () => send().then(outcome));
  await change();
  const following = await Promise.all(Array.from({ length: after }, () => send().then(outcome)));
  return { overlapping: await Promise.all(overlapping), following };
}

/** The counter object's live total, as the management API reads it. */
async function liveTotal(setup: VendorSetup): Promise<number> {
  const license = await manageOk("GET", `/api/v1/licenses/${setup.license.id}`);
  return license.features.find((feature: { code: string }) => feature.code === setup.featureCode).total_consumptions;
}

const accepted = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 200);

describe("management changes racing License API requests", () => {
  it("lowering an allowance: no request accepted under the new limit exceeds it; every later request obeys it", async () => {
    const setup = await vendorSetup({ max_consumption: 1000 });
    const path = `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`;
    const { overlapping, following } = await race(
      () => consumeAs(setup),
      () => manageOk("PATCH", path, { max_consumption: 40 }),
      80,
      40,
    );

    for (const o of [...overlapping, ...following]) {
      if (o.status === 200) expect(o.total!).toBeLessThanOrEqual(o.max!);
      else expect(o.code).toBe("feature_not_enough_consumptions");
    }
    for (const o of following) if (o.status === 200) expect(o.max).toBe(40);
    const totalAfterOverlap = accepted(overlapping).length;
    expect(accepted(following)).toHaveLength(Math.max(0, 40 - totalAfterOverlap));
    // Exactness: every accepted consumption counted once, totals distinct.
    const all = accepted([...overlapping, ...following]);
    expect(new Set(all.map((o) => o.total)).size).toBe(all.length);
    expect(await liveTotal(setup)).toBe(all.length);
  });

  it("raising an allowance: the first request after the change may use it", async () => {
    const setup = await vendorSetup({ max_consumption: 10 });
    expect((await consumeAs(setup, 10)).status).toBe(200);
    const path = `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`;
    const { overlapping, following } = await race(
      () => consumeAs(setup),
      () => manageOk("PATCH", path, { max_consumption: 30 }),
      30,
      20,
    );
    for (const o of overlapping) expect(o.status === 200 ? o.max : o.code).toBe(o.status === 200 ? 30 : "feature_not_enough_consumptions");
    expect(accepted(overlapping).length + accepted(following).length).toBe(20);
    expect(await liveTotal(setup)).toBe(30);
  });

  it("resetting consumption: the reset is serialised with the consumptions; the audit log replays to the live total", async () => {
    const setup = await vendorSetup({ max_consumption: 1000 });
    expect((await consumeAs(setup, 100)).status).toBe(200);
    let resetTotal: number | null = null;
    const { overlapping, following } = await race(
      () => consumeAs(setup),
      async () => {
        resetTotal = (await manageOk("POST", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}/reset`))
          .total_consumptions;
      },
      60,
      20,
    );
    expect(resetTotal).toBe(0);
    expect(accepted(overlapping)).toHaveLength(60);
    // Requests sent after the reset was acknowledged count from 0 (+ whatever overlapped it after it ran).
    for (const o of following) expect(o.total!).toBeLessThanOrEqual(80);
    const live = await liveTotal(setup);
    await flushAudit(setup.licenseFeatureId);
    const rows = await auditRows(setup.licenseFeatureId);
    expect(rows.filter((row) => row.event === "manual_reset")).toHaveLength(1);
    let total = 0;
    for (const row of rows) {
      total += row.consumptions;
      expect(row.total_after).toBe(total);
    }
    expect(total).toBe(live);
    const resetIndex = rows.findIndex((row) => row.event === "manual_reset");
    expect(live).toBe(rows.length - resetIndex - 1);
    expect(rows.length).toBe(1 + 60 + 1 + 20);
  });

  it("revoking an API key: overlapping requests succeed or are refused, every later one is refused", async () => {
    const setup = await vendorSetup({ max_consumption: 1000 });
    const { overlapping, following } = await race(
      () => consumeAs(setup),
      () => manageOk("POST", `/api/v1/api-keys/${setup.credentials.id}/revoke`),
      60,
      20,
    );
    for (const o of overlapping) expect(o.code ?? "ok").toMatch(/^(ok|revoked_api_key)$/);
    expect(following.map((o) => o.code)).toEqual(Array(20).fill("revoked_api_key"));
    expect(await liveTotal(setup)).toBe(accepted(overlapping).length);
  });

  it("disabling a license: every later request fails with license_not_enabled", async () => {
    const setup = await vendorSetup({ max_consumption: 1000 });
    const { overlapping, following } = await race(
      () => consumeAs(setup),
      () => manageOk("POST", `/api/v1/licenses/${setup.license.id}/disable`),
      60,
      20,
    );
    for (const o of overlapping) expect(o.code ?? "ok").toMatch(/^(ok|license_not_enabled)$/);
    expect(following.map((o) => o.code)).toEqual(Array(20).fill("license_not_enabled"));
    expect(await liveTotal(setup)).toBe(accepted(overlapping).length);
  });

  it("blacklisting a device: every later request fails with blacklisted", async () => {
    const setup = await vendorSetup({ max_consumption: 1000 });
    const { overlapping, following } = await race(
      () => consumeAs(setup),
      () => manageOk("POST", `/api/v1/devices/${setup.deviceId}/blacklist`),
      60,
      20,
    );
    for (const o of overlapping) expect(o.code ?? "ok").toMatch(/^(ok|blacklisted)$/);
    expect(following.map((o) => o.code)).toEqual(Array(20).fill("blacklisted"));
    expect(await liveTotal(setup)).toBe(accepted(overlapping).length);
  });

  it("reads live totals from the counter object, not the D1 mirror", async () => {
    const setup = await vendorSetup({ max_consumption: 1000 });
    // Put the counter object ahead of its mirror for certain: consume while D1's audit table is away, so no flush can land.
    await env.DB.exec("ALTER TABLE consumption_audit RENAME TO consumption_audit_away");
    try {
      expect((await consumeAs(setup, 7)).status).toBe(200);
      expect(await featureCounter(env, setup.licenseFeatureId).pendingAuditRows()).toBe(1);
      const mirror = await env.DB.prepare("SELECT total_consumptions FROM license_features WHERE id = ?")
        .bind(setup.licenseFeatureId)
        .first<number>("total_consumptions");
      expect(mirror).toBe(0);
      expect(await liveTotal(setup)).toBe(7);
    } finally {
      await env.DB.exec("ALTER TABLE consumption_audit_away RENAME TO consumption_audit");
    }
    await flushAudit(setup.licenseFeatureId);
  });

  it("the counter objects' stored answers (Idempotency-Key replays) never outlive a change", async () => {
    const setup = await vendorSetup({ max_consumption: 1000 });
    const send = (key: string) =>
      postSigned("/api/v4/add_feature_consumption", { ...setup.identity, feature: setup.featureCode }, setup.credentials, {
        "Idempotency-Key": key,
      });
    for (const key of ["before-disable", "before-blacklist", "before-revoke"]) expect((await send(key)).status).toBe(200);
    expect((await send("before-disable")).headers.get("Idempotent-Replayed")).toBe("true");

    await manageOk("POST", `/api/v1/licenses/${setup.license.id}/disable`);
    expect(await errorCode(await send("before-disable"))).toBe("license_not_enabled");
    await manageOk("POST", `/api/v1/licenses/${setup.license.id}/enable`);
    await manageOk("POST", `/api/v1/devices/${setup.deviceId}/blacklist`);
    expect(await errorCode(await send("before-blacklist"))).toBe("blacklisted");
    await manageOk("POST", `/api/v1/devices/${setup.deviceId}/unblacklist`);
    await manageOk("POST", `/api/v1/api-keys/${setup.credentials.id}/revoke`);
    expect(await errorCode(await send("before-revoke"))).toBe("revoked_api_key");
    expect(await liveTotal(setup)).toBe(3);
  });
});
