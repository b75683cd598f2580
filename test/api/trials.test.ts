// Trials through HTTP (docs/protocol.md "Trials"): the product's trial settings and terms set with
// the management API, trial_key issuing one trial per device (several when the product allows),
// the trial's end set at its first activation from trial_days, and trial_expired when it ends.
// The clock is vitest's fake Date, which the Worker and its objects read too.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import type { Credentials } from "../support/fixtures";
import { manage, manageOk, managementError, uniqueCode } from "../support/management-client";

const T0 = Date.parse("2031-05-01T08:00:00.000Z");
const DAY = 86_400_000;

let credentials: Credentials;
let readOnly: Credentials;
beforeAll(async () => {
  const key = await manageOk("POST", "/api/v1/api-keys", {});
  credentials = { id: key.id, apiKey: key.api_key, sharedKey: key.shared_key };
  const readOnlyKey = await manageOk("POST", "/api/v1/api-keys", { read_only: true });
  readOnly = { id: readOnlyKey.id, apiKey: readOnlyKey.api_key, sharedKey: readOnlyKey.shared_key };
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

interface TrialAnswer {
  id: number;
  is_trial: boolean;
  trial_days: number;
  license_type: string;
  license?: string;
  license_key?: string;
  license_user?: string;
  initial_password?: string;
  max_activations: number;
  max_consumptions: number;
  LicenseProductFeatures: Array<{ product_feature_id: number; max_consumption: number }>;
}

/** A product with a consumption feature (10 a month by default) and the given trial settings. */
async function trialProduct(trial: Record<string, unknown>, authorizationMethod: "license-key" | "user" = "license-key") {
  const product = await manageOk("POST", "/api/v1/products", {
    short_code: uniqueCode("trial-product"),
    name: "Trial product",
    authorization_method: authorizationMethod,
  });
  const feature = await manageOk("POST", `/api/v1/products/${product.id}/features`, {
    code: "exports",
    name: "Exports",
    max_consumption: 10,
  });
  const updated = await manageOk("PATCH", `/api/v1/products/${product.id}`, trial);
  return { product: updated as { id: number; short_code: string; trial_license: Record<string, unknown> }, feature };
}

const trialKey = (product: string, query: Record<string, string> = {}, as: Credentials = credentials) =>
  getSigned("/api/v4/trial_key", { product, hardware_id: "machine-a", ...query }, as);

describe("trial_key", () => {
  it("trial_not_allowed unless the product allows trials; unknown_product for no product", async () => {
    const { product } = await trialProduct({ trial_days: 14 });
    expect(await errorCode(await trialKey(product.short_code))).toBe("trial_not_allowed");
    expect(await errorCode(await trialKey("no-such-product"))).toBe("unknown_product");
  });

  it("issues a trial on the product's terms, features and caps included", async () => {
    const { product, feature } = await trialProduct({
      allow_trial: true,
      trial_days: 14,
      trial_license: { license_type: "time-limited", max_activations: 2, features: { exports: { max_consumption: 3 } } },
    });
    const trial = await signedBody<TrialAnswer>(await trialKey(product.short_code));
    expect(trial).toMatchObject({ is_trial: true, trial_days: 14, license_type: "time-limited", max_activations: 2 });
    expect(trial.license_key).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(trial.license).toBe(trial.license_key);
    expect(trial.LicenseProductFeatures).toEqual([expect.objectContaining({ product_feature_id: feature.id, max_consumption: 3 })]);
    const detail = await manageOk("GET", `/api/v1/licenses/${trial.id}`);
    expect(detail).toMatchObject({ is_trial: true, trial_days: 14, validity_period: null, active: false });
    expect(detail.features[0]).toMatchObject({ code: "exports", max_consumption: 3 });
  });

  it("one trial per device: the same device is told its trial, another device gets its own", async () => {
    const { product } = await trialProduct({ allow_trial: true, trial_days: 7 });
    const first = await signedBody<TrialAnswer>(await trialKey(product.short_code));
    const again = await signedBody<Record<string, unknown>>(await trialKey(product.short_code));
    expect(again).toEqual({ license_type: "perpetual", is_trial: true, license: first.license_key });
    const other = await signedBody<TrialAnswer>(await trialKey(product.short_code, { hardware_id: "machine-b" }));
    expect(other.license_key).not.toBe(first.license_key);
  });

  it("concurrent requests from one device issue one trial", async () => {
    const { product } = await trialProduct({ allow_trial: true, trial_days: 7 });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        trialKey(product.short_code, { hardware_id: "racing-machine" }).then((r) => signedBody<TrialAnswer>(r)),
      ),
    );
    const keys = new Set(answers.map((answer) => answer.license_key ?? answer.license));
    expect(keys.size).toBe(1);
    const licenses = await manageOk("GET", `/api/v1/licenses?product_id=${product.id}`);
    expect(licenses.data).toHaveLength(1);
  });

  it("allow_multiple_trials: every request is a new trial", async () => {
    const { product } = await trialProduct({ allow_trial: true, trial_days: 7, allow_multiple_trials: true });
    const first = await signedBody<TrialAnswer>(await trialKey(product.short_code));
    const second = await signedBody<TrialAnswer>(await trialKey(product.short_code));
    expect(second.license_key).not.toBe(first.license_key);
  });

  it("user-based: email_missing without an e-mail; the user gets the given or a generated password; one trial per device and e-mail", async () => {
    const { product } = await trialProduct({ allow_trial: true, trial_days: 7 }, "user");
    expect(await errorCode(await trialKey(product.short_code))).toBe("email_missing");
    const generated = await signedBody<TrialAnswer>(await trialKey(product.short_code, { email: "trial@example.com", first_name: "Ada" }));
    expect(generated).toMatchObject({ license_user: "trial@example.com", is_trial: true });
    expect(generated.initial_password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // The user signs in with it.
    const activation = await postSigned(
      "/api/v4/activate_license",
      { product: product.short_code, username: "trial@example.com", password: generated.initial_password, hardware_id: "machine-a" },
      credentials,
    );
    expect(await signedBody(activation)).toMatchObject({ is_trial: true, user: { email: "trial@example.com", first_name: "Ada" } });
    expect(await signedBody(await trialKey(product.short_code, { email: "TRIAL@example.com" }))).toEqual({
      license_type: "perpetual",
      is_trial: true,
      license_user: "trial@example.com",
    });
    const chosen = await signedBody<TrialAnswer>(
      await trialKey(product.short_code, { email: "other@example.com", password: "chosen-password" }),
    );
    expect(chosen.initial_password).toBe("chosen-password");
  });

  it("a customer is kept when an e-mail is given", async () => {
    const { product } = await trialProduct({ allow_trial: true });
    const trial = await signedBody<TrialAnswer>(
      await trialKey(product.short_code, { email: "buyer@example.com", company_name: "Acme", country: "NZ" }),
    );
    expect((await manageOk("GET", `/api/v1/licenses/${trial.id}`)).customer).toMatchObject({
      email: "buyer@example.com",
      company_name: "Acme",
      country: "NZ",
    });
  });

  it("a trial names the vendor's customer with that e-mail as it is: the client's fields change nothing", async () => {
    const { product } = await trialProduct({ allow_trial: true });
    const customer = await manageOk("POST", "/api/v1/customers", { email: "known@example.com", company_name: "Known Ltd" });
    const trial = await signedBody<TrialAnswer>(
      await trialKey(product.short_code, { hardware_id: "machine-k", email: "known@example.com", company_name: "Someone else" }),
    );
    expect(await manageOk("GET", `/api/v1/licenses/${trial.id}`)).toMatchObject({
      customer_id: customer.id,
      customer: { email: "known@example.com", company_name: "Known Ltd" },
    });
  });

  it("license_policy is not_supported; a read-only key may not issue trials", async () => {
    const { product } = await trialProduct({ allow_trial: true });
    expect(await errorCode(await trialKey(product.short_code, { license_policy: "pro" }))).toBe("not_supported");
    expect(await errorCode(await trialKey(product.short_code, {}, readOnly))).toBe("read_only_api_key");
  });
});

describe("a trial's life", () => {
  it("product_details says the product allows trials, for how long", async () => {
    const { product } = await trialProduct({ allow_trial: true, trial_days: 30 });
    expect(await signedBody(await getSigned("/api/v4/product_details", { product: product.short_code }, credentials))).toMatchObject({
      allow_trial: true,
      trial_days: 30,
    });
  });

  it("the first activation sets validity_period to now + trial_days; then trial_expired", async () => {
    const { product } = await trialProduct({ allow_trial: true, trial_days: 14, trial_license: { max_activations: 3 } });
    const trial = await signedBody<TrialAnswer>(await trialKey(product.short_code));
    const identity = { product: product.short_code, license_key: trial.license_key!, hardware_id: "machine-a" };
    const end = new Date(T0 + 14 * DAY).toISOString();
    const activated = await signedBody(await postSigned("/api/v4/activate_license", identity, credentials));
    expect(activated).toMatchObject({ is_trial: true, trial_days: 14, validity_period: end, is_expired: false });
    expect(activated.product_details).toMatchObject({ allow_trial: true, trial_days: 14 });
    // A second device, a day later, does not move the end.
    vi.setSystemTime(T0 + DAY);
    const second = await signedBody(await postSigned("/api/v4/activate_license", { ...identity, hardware_id: "machine-b" }, credentials));
    expect(second).toMatchObject({ validity_period: end });

    vi.setSystemTime(T0 + 14 * DAY);
    const check = await getSigned("/api/v4/check_license", identity, credentials);
    expect(await errorCode(check)).toBe("trial_expired");
    const consume = await postSigned("/api/v4/add_feature_consumption", { ...identity, feature: "exports" }, credentials);
    expect(await errorCode(consume)).toBe("trial_expired");
    expect(await errorCode(await postSigned("/api/v4/activate_license", { ...identity, hardware_id: "machine-c" }, credentials))).toBe(
      "trial_expired",
    );
  });

  it("a vendor upgrades a trial: is_trial false and a validity far off", async () => {
    const { product } = await trialProduct({ allow_trial: true, trial_days: 1 });
    const trial = await signedBody<TrialAnswer>(await trialKey(product.short_code));
    const identity = { product: product.short_code, license_key: trial.license_key!, hardware_id: "machine-a" };
    await signedBody(await postSigned("/api/v4/activate_license", identity, credentials));
    await manageOk("PATCH", `/api/v1/licenses/${trial.id}`, { is_trial: false });
    expect(await signedBody(await getSigned("/api/v4/check_license", identity, credentials))).toMatchObject({ is_trial: false });
  });
});

describe("the management API: trial settings", () => {
  it("defaults, and trial terms validated against the product", async () => {
    const created = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("plain"), name: "Plain" });
    expect(created).toMatchObject({ allow_trial: false, trial_days: 0, allow_multiple_trials: false });
    expect(created.trial_license).toMatchObject({ license_type: "perpetual", max_activations: 1, features: {} });
    const unknown = await manage("PATCH", `/api/v1/products/${created.id}`, {
      trial_license: { features: { nope: { max_consumption: 1 } } },
    });
    expect(await managementError(unknown)).toMatchObject({
      code: "validation_error",
      message: expect.stringContaining('no feature "nope"'),
    });
    const onCreate = await manage("POST", "/api/v1/products", {
      short_code: uniqueCode("early"),
      name: "Early",
      trial_license: { features: { exports: { max_consumption: 1 } } },
    });
    expect((await managementError(onCreate)).code).toBe("validation_error");
    const bad = await manage("PATCH", `/api/v1/products/${created.id}`, { trial_license: { validity_period: "2031-01-01T00:00:00Z" } });
    expect((await managementError(bad)).code).toBe("validation_error");
  });

  it("trial settings that can never work are refused, on the values the write leaves in place", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("unworkable"), name: "Trials" });
    await manageOk("POST", `/api/v1/products/${product.id}/features`, { code: "exports", name: "Exports", max_consumption: 10 });
    const path = `/api/v1/products/${product.id}`;
    // A time-limited trial ends trial_days after its first activation: with 0 it would never end.
    expect(
      await managementError(await manage("PATCH", path, { allow_trial: true, trial_license: { license_type: "time-limited" } })),
    ).toMatchObject({
      code: "validation_error",
      message: "trial_days: a time-limited trial needs at least 1: its validity_period is its first activation plus trial_days",
    });
    await manageOk("PATCH", path, { allow_trial: true, trial_days: 14, trial_license: { license_type: "time-limited" } });
    expect((await managementError(await manage("PATCH", path, { trial_days: 0 }))).message).toMatch(/^trial_days: a time-limited trial/);
    // A perpetual trial with trial_days 0 never ends, as documented: allowed.
    await manageOk("PATCH", path, { trial_days: 0, trial_license: { license_type: "perpetual" } });
    // The trial terms are checked as issuing checks a license, features with the product's values.
    expect((await managementError(await manage("PATCH", path, { trial_license: { allow_grace_period: true } }))).message).toBe(
      "trial_license.grace_period: allow_grace_period needs at least 1 (hours)",
    );
    expect(
      (await managementError(await manage("PATCH", path, { trial_license: { features: { exports: { max_overages: 5 } } } }))).message,
    ).toBe("trial_license.features.exports.max_overages: 5 takes effect only with allow_overages: true (send both, or neither)");
    expect(
      (
        await managementError(
          await manage("POST", "/api/v1/products", {
            short_code: uniqueCode("tl"),
            name: "T",
            trial_license: { license_type: "time-limited" },
          }),
        )
      ).code,
    ).toBe("validation_error");
  });
});
