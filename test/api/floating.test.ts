// Floating cloud licenses and floating features through HTTP (docs/sdk-compatibility.md "Floating"):
// a check takes a slot, release frees it, borrow keeps it, leases end exactly at their time, and
// every documented error. The clock is vitest's fake Date (the Worker and its Durable Objects run in
// this isolate, so they read it too), set in the future so that no alarm fires by itself: tests run
// the alarm with runDurableObjectAlarm.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter, licenseCounter } from "../../src/counter/counter-stubs";
import { consume, errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { addDevices, createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { manageOk } from "../support/management-client";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const T0 = Date.parse("2031-03-10T12:00:00.000Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => vi.setSystemTime(ms);

interface LicenseAnswer {
  is_floating: boolean;
  is_floating_cloud: boolean;
  floating_users: number;
  floating_timeout: number;
  floating_in_use_devices: number;
  floating_in_use?: boolean;
  is_borrowed: boolean;
  borrowed_until: string | null;
  can_borrow: boolean;
  max_borrow_time: number;
  product_features: Array<Record<string, unknown>>;
}

const as = (fixture: Fixture, hardwareId: string) => ({ ...fixture.identity, hardware_id: hardwareId });
const check = (fixture: Fixture, hardwareId = fixture.hardwareId) =>
  getSigned("/api/v4/check_license", as(fixture, hardwareId), credentials);
const checkFeature = (fixture: Fixture, hardwareId = fixture.hardwareId) =>
  getSigned("/api/v4/check_license_feature", { ...as(fixture, hardwareId), feature: fixture.featureCode }, credentials);
const borrow = (fixture: Fixture, hardwareId: string, borrowedUntil: string | null, extra: Record<string, unknown> = {}) =>
  postSigned("/api/v4/floating/borrow", { ...as(fixture, hardwareId), borrowed_until: borrowedUntil, ...extra }, credentials);
const release = (fixture: Fixture, hardwareId = fixture.hardwareId) =>
  postSigned("/api/v4/floating/release", as(fixture, hardwareId), credentials);
const featureBorrow = (fixture: Fixture, hardwareId: string, borrowedUntil: string | null) =>
  postSigned(
    "/api/v4/floating/feature_borrow",
    { ...as(fixture, hardwareId), feature: fixture.featureCode, borrowed_until: borrowedUntil },
    credentials,
  );
const featureRelease = (fixture: Fixture, hardwareId = fixture.hardwareId, feature = fixture.featureCode) =>
  postSigned("/api/v4/floating/feature_release", { ...as(fixture, hardwareId), feature }, credentials);

/** The status of each response: 200, or the error code. */
async function outcomes(responses: Response[]): Promise<string[]> {
  return Promise.all(responses.map(async (response) => (response.status === 200 ? (await response.text(), "200") : errorCode(response))));
}

/** The hardware ids holding a slot in a counter object's pool, as the vendor sees them. */
async function holders(counter: DurableObjectStub<ConsumptionCounter>, licenseId: number, licenseFeatureId: number | null) {
  const { leases } = await counter.poolLeases({ licenseId, licenseFeatureId });
  return leases.map((lease) => lease.hardwareId).sort();
}

describe("floating cloud license: check_license takes a slot", () => {
  it("answers the license's floating settings and the pool as the device sees it", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 3, floatingTimeout: 30, maxBorrowTime: 48 } });
    const body = await signedBody<LicenseAnswer>(await check(fixture));
    expect(body).toMatchObject({
      is_floating: false,
      is_floating_cloud: true,
      floating_users: 3,
      floating_timeout: 30,
      floating_in_use_devices: 1,
      is_borrowed: false,
      borrowed_until: null,
      can_borrow: true,
      max_borrow_time: 48,
    });
  });

  it("N devices racing for M slots: exactly M get one, the others floating_not_available", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 5, maxActivations: 20 } });
    const devices = await addDevices(fixture, 11);
    const all = [fixture.hardwareId, ...devices];
    const results = await outcomes(await Promise.all(all.map((hardwareId) => check(fixture, hardwareId))));
    expect(results.filter((result) => result === "200")).toHaveLength(5);
    expect(results.filter((result) => result === "floating_not_available")).toHaveLength(7);
    const winners = all.filter((_, i) => results[i] === "200").sort();
    expect(await holders(licenseCounter(env, fixture.licenseId), fixture.licenseId, null)).toEqual(winners);
    // A device holding a slot checks again while the pool is full: it keeps its slot.
    const again = await signedBody<LicenseAnswer>(await check(fixture, winners[0]));
    expect(again.floating_in_use_devices).toBe(5);
    const loser = all.find((_, i) => results[i] !== "200")!;
    const refused = await check(fixture, loser);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      status: 400,
      code: "floating_not_available",
      message: expect.stringContaining("No available slots"),
    });
  });

  it("a lease ends exactly at its timeout, and the next device takes the slot", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, floatingTimeout: 10 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await check(fixture));
    at(T0 + 10 * MINUTE - 1);
    expect(await errorCode(await check(fixture, second!))).toBe("floating_not_available");
    at(T0 + 10 * MINUTE);
    expect((await signedBody<LicenseAnswer>(await check(fixture, second!))).floating_in_use_devices).toBe(1);
    expect(await errorCode(await check(fixture))).toBe("floating_not_available");
  });

  it("a check refreshes the lease: the timeout counts from the last check", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, floatingTimeout: 10 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await check(fixture));
    at(T0 + 9 * MINUTE);
    await signedBody(await check(fixture));
    at(T0 + 18 * MINUTE);
    expect(await errorCode(await check(fixture, second!))).toBe("floating_not_available");
    at(T0 + 19 * MINUTE);
    await signedBody(await check(fixture, second!));
  });

  it("the object's alarm clears ended leases at the earliest end, and is set again for the next one", async () => {
    // Three slots, so that no check fills the pool (a full pool's event would ask for the alarm sooner).
    const fixture = await createFixture({ license: { floatingUsers: 3, floatingTimeout: 10 } });
    const [second] = await addDevices(fixture, 1);
    const counter = licenseCounter(env, fixture.licenseId);
    await signedBody(await check(fixture));
    at(T0 + 4 * MINUTE);
    await signedBody(await check(fixture, second!));
    const alarm = () => runInDurableObject(counter, (_instance: ConsumptionCounter, state) => state.storage.getAlarm());
    const stored = () =>
      runInDurableObject(counter, (_instance: ConsumptionCounter, state) =>
        state.storage.sql
          .exec<{ hardware_id: string }>("SELECT hardware_id FROM leases ORDER BY hardware_id")
          .toArray()
          .map((row) => row.hardware_id),
      );
    expect(await alarm()).toBe(T0 + 10 * MINUTE);

    at(T0 + 10 * MINUTE);
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await stored()).toEqual([second]);
    expect(await alarm()).toBe(T0 + 14 * MINUTE);

    at(T0 + 14 * MINUTE);
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await stored()).toEqual([]);
    expect(await alarm()).toBeNull();
  });

  it("an alarm that runs early removes nothing that still holds", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, floatingTimeout: 10 } });
    const [second] = await addDevices(fixture, 1);
    const counter = licenseCounter(env, fixture.licenseId);
    await signedBody(await check(fixture));
    at(T0 + 5 * MINUTE);
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await holders(counter, fixture.licenseId, null)).toEqual([fixture.hardwareId]);
    expect(await errorCode(await check(fixture, second!))).toBe("floating_not_available");
  });

  it("release frees the slot at once; releasing again (or a slot never held) answers the same", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await check(fixture));
    expect(await errorCode(await check(fixture, second!))).toBe("floating_not_available");
    expect(await signedBody<string>(await release(fixture))).toBe("");
    await signedBody(await check(fixture, second!));
    expect(await signedBody<string>(await release(fixture))).toBe("");
  });

  it("deactivating a device frees its slot", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await check(fixture));
    expect(await signedBody<string>(await postSigned("/api/v4/deactivate_license", fixture.identity, credentials))).toBe(
      "license_deactivated",
    );
    await signedBody(await check(fixture, second!));
  });

  it("activation takes no slot; it says whether the device holds one", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 2, maxActivations: 3 }, noDevice: true });
    const activate = async () => signedBody<LicenseAnswer>(await postSigned("/api/v4/activate_license", fixture.identity, credentials));
    expect(await activate()).toMatchObject({ floating_in_use: false, floating_in_use_devices: 0 });
    await signedBody(await check(fixture));
    expect(await activate()).toMatchObject({ floating_in_use: true, floating_in_use_devices: 1 });
  });

  it("a node-locked license is not touched: no pool, nothing to release", async () => {
    const fixture = await createFixture();
    expect(await signedBody<LicenseAnswer>(await check(fixture))).toMatchObject({
      is_floating_cloud: false,
      floating_in_use_devices: 0,
      is_borrowed: false,
    });
    expect(await signedBody<string>(await release(fixture))).toBe("");
    expect(await errorCode(await borrow(fixture, fixture.hardwareId, null))).toBe("license_borrow_not_allowed");
  });
});

describe("floating/borrow", () => {
  it("keeps the slot past the timeout until borrowed_until, and check_license says so", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, floatingTimeout: 10, maxBorrowTime: 24 } });
    const [second] = await addDevices(fixture, 1);
    const until = new Date(T0 + 5 * HOUR).toISOString();
    const borrowed = await signedBody<Record<string, unknown>>(await borrow(fixture, fixture.hardwareId, until));
    expect(borrowed).toEqual({
      borrowed_until: until,
      max_borrow_time: 24,
      device_id: expect.any(Number),
      license_id: fixture.licenseId,
      company: { id: 7 },
    });
    at(T0 + 4 * HOUR);
    expect(await errorCode(await check(fixture, second!))).toBe("floating_not_available");
    expect(await signedBody<LicenseAnswer>(await check(fixture))).toMatchObject({ is_borrowed: true, borrowed_until: until });
    at(T0 + 5 * HOUR);
    await signedBody(await check(fixture, second!));
  });

  it("borrowed_until null: as long as max_borrow_time allows", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, maxBorrowTime: 12 } });
    const borrowed = await signedBody<{ borrowed_until: string }>(await borrow(fixture, fixture.hardwareId, null));
    expect(borrowed.borrowed_until).toBe(new Date(T0 + 12 * HOUR).toISOString());
  });

  it.each([
    ["2031-03-10T15:30:00Z", "2031-03-10T15:30:00.000Z"],
    ["2031-03-10T15:30:00.250Z", "2031-03-10T15:30:00.250Z"],
    ["2031-03-10 15:30:00.25", "2031-03-10T15:30:00.250Z"],
    ["2031-03-10 15:30:00", "2031-03-10T15:30:00.000Z"],
    ["2031-03-10 15:30", "2031-03-10T15:30:00.000Z"],
    ["2031-03-11", "2031-03-11T00:00:00.000Z"],
    ["2031-03-10T17:30:00+02:00", "2031-03-10T15:30:00.000Z"],
  ])("accepts borrowed_until %s (UTC unless an offset is given)", async (sent, expected) => {
    const fixture = await createFixture({ license: { floatingUsers: 1, maxBorrowTime: 24 } });
    expect((await signedBody<{ borrowed_until: string }>(await borrow(fixture, fixture.hardwareId, sent))).borrowed_until).toBe(expected);
  });

  it.each([
    ["not a date", "tomorrow"],
    ["not a calendar date", "2031-02-30T10:00:00Z"],
    ["in the past", "2031-03-10T11:59:59Z"],
    ["now", "2031-03-10T12:00:00Z"],
    ["beyond max_borrow_time", "2031-03-11T12:00:00.001Z"],
    // Each of these would name a future instant within max_borrow_time if its out-of-range part were carried over.
    ["offset minutes past 59", "2031-03-10T15:30:00-00:75"],
    ["offset hours past 23", "2031-03-11T13:00:00+24:00"],
    ["offset of 99:99", "2031-03-14T18:39:00+99:99"],
    ["hour 24", "2031-03-10T24:00:00Z"],
    ["minute 60", "2031-03-10T15:60:00Z"],
    ["second 60", "2031-03-10T15:30:60Z"],
    ["month 13", "2031-13-01T00:00:00Z"],
    ["29 February of a common year", "2031-02-29"],
  ])("borrow_until_not_valid: %s", async (_case, sent) => {
    const fixture = await createFixture({ license: { floatingUsers: 1, maxBorrowTime: 24 } });
    expect(await errorCode(await borrow(fixture, fixture.hardwareId, sent))).toBe("borrow_until_not_valid");
    // Nothing was taken.
    expect(await holders(licenseCounter(env, fixture.licenseId), fixture.licenseId, null)).toEqual([]);
  });

  it("license_borrow_not_allowed when the license does not allow borrowing", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1 } });
    expect(await errorCode(await borrow(fixture, fixture.hardwareId, null))).toBe("license_borrow_not_allowed");
  });

  it("floating_not_available when every slot is taken", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, maxBorrowTime: 24 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await check(fixture));
    expect(await errorCode(await borrow(fixture, second!, null))).toBe("floating_not_available");
  });

  it("release ends a borrow at once", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, maxBorrowTime: 24 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await borrow(fixture, fixture.hardwareId, null));
    await signedBody(await release(fixture));
    await signedBody(await check(fixture, second!));
  });

  it("missing borrowed_until is missing_parameters", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, maxBorrowTime: 24 } });
    expect(await errorCode(await postSigned("/api/v4/floating/borrow", fixture.identity, credentials))).toBe("missing_parameters");
  });

  it("user-based: the license user's password is required and checked", async () => {
    const fixture = await createFixture({
      authorizationMethod: "user",
      password: "the-password",
      license: { floatingUsers: 1, maxBorrowTime: 24 },
    });
    expect(await errorCode(await borrow(fixture, fixture.hardwareId, null))).toBe("missing_parameters");
    expect(await errorCode(await borrow(fixture, fixture.hardwareId, null, { password: "wrong-password" }))).toBe("invalid_password");
    await signedBody(await borrow(fixture, fixture.hardwareId, null, { password: "the-password" }));
  });

  it("a borrowed_until that names no instant is refused with the request's shape; the license checks come before the pool's", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1, maxBorrowTime: 24 } });
    expect(await errorCode(await borrow(fixture, "unknown-device", "garbage"))).toBe("borrow_until_not_valid");
    // In the past (the pool would refuse it), but the device is decided first.
    expect(await errorCode(await borrow(fixture, "unknown-device", "2031-03-10T11:00:00Z"))).toBe("device_not_found");
    await env.DB.prepare("UPDATE licenses SET enabled = 0 WHERE id = ?").bind(fixture.licenseId).run();
    expect(await errorCode(await borrow(fixture, fixture.hardwareId, null))).toBe("license_not_enabled");
    expect(await errorCode(await release(fixture, "unknown-device"))).toBe("license_not_enabled");
  });

  it("release of a disabled license is license_not_enabled, as LicenseSpring lists (the Worker and the object agree)", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await check(fixture));
    await manageOk("POST", `/api/v1/licenses/${fixture.licenseId}/disable`); // invalidates the object's snapshot
    expect(await errorCode(await check(fixture, second!))).toBe("license_not_enabled");
    expect(await errorCode(await release(fixture))).toBe("license_not_enabled");
    await manageOk("POST", `/api/v1/licenses/${fixture.licenseId}/enable`);
    // The slot was not freed: it is still the first device's.
    expect(await errorCode(await check(fixture, second!))).toBe("floating_not_available");
    expect(await signedBody<string>(await release(fixture))).toBe("");
    expect(await signedBody(await check(fixture, second!))).toMatchObject({ floating_in_use_devices: 1 });
  });

  it("release frees the slot of an expired license", async () => {
    const fixture = await createFixture({ validityPeriod: new Date(T0 + HOUR).toISOString(), license: { floatingUsers: 1 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await check(fixture));
    at(T0 + HOUR);
    expect(await errorCode(await check(fixture, second!))).toBe("license_expired");
    expect(await signedBody<string>(await release(fixture))).toBe("");
    at(T0 + HOUR - MINUTE); // back before the expiry (the lease, 120 minutes, would still hold)
    expect(await signedBody(await check(fixture, second!))).toMatchObject({ floating_in_use_devices: 1 });
  });
});

describe("floating features", () => {
  const floatingFeature = { floatingUsers: 2, floatingTimeout: 15 };

  it("check_license_feature takes a slot and answers the feature's floating fields", async () => {
    const fixture = await createFixture({ feature: floatingFeature });
    expect(await signedBody(await checkFeature(fixture))).toMatchObject({
      is_floating: false,
      is_floating_cloud: true,
      floating_users: 2,
      floating_timeout: 15,
      floating_in_use_devices: 1,
    });
    // check_license lists the feature with its settings (the pool is the feature's own).
    const license = await signedBody<LicenseAnswer>(await check(fixture));
    expect(license.product_features[0]).toMatchObject({ is_floating_cloud: true, floating_users: 2, floating_timeout: 15 });
    expect(license.is_floating_cloud).toBe(false);
  });

  it("N devices racing for M feature slots: exactly M", async () => {
    const fixture = await createFixture({ license: { maxActivations: 20 }, feature: { floatingUsers: 3 } });
    const all = [fixture.hardwareId, ...(await addDevices(fixture, 9))];
    const results = await outcomes(await Promise.all(all.map((hardwareId) => checkFeature(fixture, hardwareId))));
    expect(results.filter((result) => result === "200")).toHaveLength(3);
    expect(results.filter((result) => result === "floating_not_available")).toHaveLength(7);
    expect(await holders(featureCounter(env, fixture.licenseFeatureId), fixture.licenseId, fixture.licenseFeatureId)).toEqual(
      all.filter((_, i) => results[i] === "200").sort(),
    );
  });

  it("a feature lease ends at its timeout; feature_release frees at once", async () => {
    const fixture = await createFixture({ feature: { floatingUsers: 1, floatingTimeout: 15 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await checkFeature(fixture));
    at(T0 + 15 * MINUTE - 1);
    expect(await errorCode(await checkFeature(fixture, second!))).toBe("floating_not_available");
    at(T0 + 15 * MINUTE);
    await signedBody(await checkFeature(fixture, second!));
    expect(await signedBody<string>(await featureRelease(fixture, second!))).toBe("");
    await signedBody(await checkFeature(fixture));
  });

  it("feature_release of a disabled license's feature is license_not_enabled", async () => {
    const fixture = await createFixture({ feature: { floatingUsers: 1, floatingTimeout: 15 } });
    const [second] = await addDevices(fixture, 1);
    await signedBody(await checkFeature(fixture));
    await manageOk("POST", `/api/v1/licenses/${fixture.licenseId}/disable`);
    expect(await errorCode(await checkFeature(fixture, second!))).toBe("license_not_enabled");
    expect(await errorCode(await featureRelease(fixture))).toBe("license_not_enabled");
    await manageOk("POST", `/api/v1/licenses/${fixture.licenseId}/enable`);
    expect(await signedBody<string>(await featureRelease(fixture))).toBe("");
    expect(await signedBody(await checkFeature(fixture, second!))).toMatchObject({ floating_in_use_devices: 1 });
  });

  it("feature_borrow keeps the slot past the timeout (the license's borrowing rules apply)", async () => {
    const fixture = await createFixture({ license: { maxBorrowTime: 8 }, feature: { floatingUsers: 1, floatingTimeout: 15 } });
    const [second] = await addDevices(fixture, 1);
    const borrowed = await signedBody<Record<string, unknown>>(await featureBorrow(fixture, fixture.hardwareId, null));
    expect(borrowed).toMatchObject({ borrowed_until: new Date(T0 + 8 * HOUR).toISOString(), max_borrow_time: 8 });
    at(T0 + 7 * HOUR);
    expect(await errorCode(await checkFeature(fixture, second!))).toBe("floating_not_available");
    at(T0 + 8 * HOUR);
    await signedBody(await checkFeature(fixture, second!));
  });

  it("feature errors: invalid_license_feature_code, feature_not_floating, floating_feature_device_not_in_use, license_borrow_not_allowed", async () => {
    const floating = await createFixture({ feature: { floatingUsers: 1 } });
    expect(await errorCode(await featureRelease(floating, floating.hardwareId, "no-such-feature"))).toBe("invalid_license_feature_code");
    expect(await errorCode(await featureRelease(floating))).toBe("floating_feature_device_not_in_use");
    expect(await errorCode(await featureBorrow(floating, floating.hardwareId, null))).toBe("license_borrow_not_allowed");
    const notOnLicense = await createFixture({ featureNotOnLicense: true });
    expect(await errorCode(await featureRelease(notOnLicense))).toBe("invalid_license_feature_code");
    const plain = await createFixture({ license: { maxBorrowTime: 8 } });
    expect(await errorCode(await featureRelease(plain))).toBe("feature_not_floating");
    expect(await errorCode(await featureBorrow(plain, plain.hardwareId, null))).toBe("feature_not_floating");
  });

  it("feature_borrow: a borrowed_until offset out of range is borrow_until_not_valid, nothing taken", async () => {
    const fixture = await createFixture({ license: { maxBorrowTime: 8 }, feature: { floatingUsers: 1 } });
    for (const sent of ["2031-03-10T15:30:00-00:75", "2031-03-11T13:00:00+23:60", "2031-03-10T11:00:00-00:90"]) {
      expect(await errorCode(await featureBorrow(fixture, fixture.hardwareId, sent)), sent).toBe("borrow_until_not_valid");
    }
    expect(await holders(featureCounter(env, fixture.licenseFeatureId), fixture.licenseId, fixture.licenseFeatureId)).toEqual([]);
    // In range, the same borrow is taken.
    await signedBody(await featureBorrow(fixture, fixture.hardwareId, "2031-03-10T15:30:00-01:15"));
  });

  it("an expired floating feature takes no slot and cannot be borrowed", async () => {
    const fixture = await createFixture({
      license: { maxBorrowTime: 8 },
      feature: { floatingUsers: 1, expiryDate: new Date(T0 - HOUR).toISOString() },
    });
    expect(await signedBody(await checkFeature(fixture))).toMatchObject({ is_expired: true, floating_in_use_devices: 0 });
    expect(await errorCode(await featureBorrow(fixture, fixture.hardwareId, null))).toBe("feature_expired");
  });

  it("add_feature_consumption reports a floating feature's settings", async () => {
    const fixture = await createFixture({ feature: { floatingUsers: 4, floatingTimeout: 30, maxConsumption: 10 } });
    expect(await signedBody(await consume(fixture, credentials))).toMatchObject({
      is_floating: false,
      is_floating_cloud: true,
      floating_users: 4,
      floating_timeout: 30,
      total_consumptions: 1,
    });
    const plain = await createFixture();
    const body = await signedBody<Record<string, unknown>>(await consume(plain, credentials));
    expect(body.is_floating_cloud).toBe(false);
    expect(body).not.toHaveProperty("floating_users");
  });
});
