// Real rows in the real (local) D1: API keys and license fixtures with unique names.
import { env } from "cloudflare:workers";
import { hashPassword } from "../../src/auth/password";
import type { ConsumptionPeriod } from "../../src/counter/consumption-rules";
import { invalidateLicenseCounters } from "../../src/counter/counter-stubs";

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}-${crypto.randomUUID().slice(0, 8)}`;

export interface Credentials {
  id: number;
  apiKey: string;
  sharedKey: string;
}

/**
 * The company of createFixture's products, and so of createApiKey's keys (API keys reach only their
 * company's products). Not 1, so that tests see `company.id` come from the product.
 */
export const FIXTURE_COMPANY_ID = 7;

export async function createApiKey(options: { revoked?: boolean; readOnly?: boolean; companyId?: number } = {}): Promise<Credentials> {
  const apiKey = unique("api");
  const sharedKey = unique("shared");
  const result = await env.DB.prepare(
    "INSERT INTO api_keys (api_key, shared_key, revoked, read_only, company_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
  )
    .bind(apiKey, sharedKey, options.revoked ? 1 : 0, options.readOnly ? 1 : 0, options.companyId ?? FIXTURE_COMPANY_ID)
    .first<{ id: number }>();
  return { id: result!.id, apiKey, sharedKey };
}

export interface FeatureOptions {
  featureType?: "consumption" | "activation";
  maxConsumption?: number;
  allowUnlimitedConsumptions?: boolean;
  allowOverages?: boolean;
  maxOverages?: number;
  allowNegativeConsumptions?: boolean;
  resetConsumption?: boolean;
  consumptionPeriod?: ConsumptionPeriod | null;
  expiryDate?: string | null;
  /** A floating cloud feature (product feature defaults) with this many slots. */
  floatingUsers?: number;
  floatingTimeout?: number;
}

export interface LicenseOptions {
  licenseType?: "perpetual" | "time-limited" | "consumption" | "subscription";
  maxConsumptions?: number;
  allowUnlimitedConsumptions?: boolean;
  allowOverages?: boolean;
  maxOverages?: number;
  allowNegativeConsumptions?: boolean;
  resetConsumption?: boolean;
  consumptionPeriod?: ConsumptionPeriod | null;
  maxActivations?: number;
  allowUnlimitedActivations?: boolean;
  /** A floating cloud license with this many slots. */
  floatingUsers?: number;
  /** Minutes (default 120). */
  floatingTimeout?: number;
  /** Hours a device may borrow its slot for (sets can_borrow). */
  maxBorrowTime?: number;
}

export interface FixtureOptions {
  authorizationMethod?: "license-key" | "user";
  /** The license user's password (user-based products). */
  password?: string;
  /** No device at all: clients must activate one. */
  noDevice?: boolean;
  license?: LicenseOptions;
  licenseEnabled?: boolean;
  licenseActive?: boolean;
  validityPeriod?: string | null;
  deviceActive?: boolean;
  deviceBlacklisted?: boolean;
  /** Put the feature on the product but not on the license. */
  featureNotOnLicense?: boolean;
  feature?: FeatureOptions;
}

export interface Fixture {
  productCode: string;
  licenseId: number;
  licenseKey: string | null;
  username: string | null;
  hardwareId: string;
  featureCode: string;
  licenseFeatureId: number;
  /** The identity fields every request body needs. */
  identity: Record<string, string>;
}

const flag = (value: boolean | undefined) => (value ? 1 : 0);

/** A product with one feature, one license carrying it, and one device: each with unique names. */
export async function createFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const method = options.authorizationMethod ?? "license-key";
  const productCode = unique("product");
  const featureCode = unique("feature");
  const hardwareId = unique("hw");
  const feature = options.feature ?? {};
  const product = await env.DB.prepare(
    "INSERT INTO products (short_code, name, authorization_method, company_id) VALUES (?, ?, ?, ?) RETURNING id",
  )
    .bind(productCode, productCode, method, FIXTURE_COMPANY_ID)
    .first<{ id: number }>();
  const productFeature = await env.DB.prepare(
    `INSERT INTO product_features (product_id, code, name, feature_type, max_consumption, allow_unlimited_consumptions, allow_overages,
       max_overages, allow_negative_consumptions, reset_consumption, consumption_period, is_floating_cloud, floating_users, floating_timeout)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      product!.id,
      featureCode,
      featureCode,
      feature.featureType ?? "consumption",
      feature.maxConsumption ?? 10,
      flag(feature.allowUnlimitedConsumptions),
      flag(feature.allowOverages),
      feature.maxOverages ?? 0,
      flag(feature.allowNegativeConsumptions),
      flag(feature.resetConsumption),
      feature.consumptionPeriod ?? null,
      flag(feature.floatingUsers !== undefined),
      feature.floatingUsers ?? 0,
      feature.floatingTimeout ?? 120,
    )
    .first<{ id: number }>();
  const licenseKey = method === "license-key" ? unique("KEY") : null;
  const l = options.license ?? {};
  const license = await env.DB.prepare(
    `INSERT INTO licenses (product_id, license_key, enabled, active, validity_period, license_type, max_consumptions, allow_unlimited_consumptions,
       allow_overages, max_overages, allow_negative_consumptions, reset_consumption, consumption_period, max_activations, allow_unlimited_activations,
       is_floating_cloud, floating_users, floating_timeout, can_borrow, max_borrow_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      product!.id,
      licenseKey,
      flag(options.licenseEnabled ?? true),
      flag(options.licenseActive ?? true),
      options.validityPeriod ?? null,
      l.licenseType ?? "perpetual",
      l.maxConsumptions ?? 0,
      flag(l.allowUnlimitedConsumptions),
      flag(l.allowOverages),
      l.maxOverages ?? 0,
      flag(l.allowNegativeConsumptions),
      flag(l.resetConsumption),
      l.consumptionPeriod ?? null,
      l.maxActivations ?? 1,
      flag(l.allowUnlimitedActivations),
      flag(l.floatingUsers !== undefined),
      l.floatingUsers ?? 0,
      l.floatingTimeout ?? 120,
      flag(l.maxBorrowTime !== undefined),
      l.maxBorrowTime ?? 0,
    )
    .first<{ id: number }>();
  const username = method === "user" ? `${unique("user")}@example.com` : null;
  if (username) {
    const passwordHash = options.password === undefined ? null : await hashPassword(options.password, 1000);
    await env.DB.prepare("INSERT INTO license_users (license_id, username, password_hash) VALUES (?, ?, ?)")
      .bind(license!.id, username, passwordHash)
      .run();
  }
  let licenseFeatureId = -1;
  if (!options.featureNotOnLicense) {
    const row = await env.DB.prepare(
      "INSERT INTO license_features (license_id, product_feature_id, expiry_date) VALUES (?, ?, ?) RETURNING id",
    )
      .bind(license!.id, productFeature!.id, feature.expiryDate ?? null)
      .first<{ id: number }>();
    licenseFeatureId = row!.id;
  }
  if (!options.noDevice) {
    await env.DB.prepare("INSERT INTO devices (license_id, hardware_id, active, blacklisted) VALUES (?, ?, ?, ?)")
      .bind(license!.id, hardwareId, flag(options.deviceActive ?? true), flag(options.deviceBlacklisted))
      .run();
  }
  const identity: Record<string, string> = { product: productCode, hardware_id: hardwareId };
  if (licenseKey) identity.license_key = licenseKey;
  if (username) identity.username = username;
  return { productCode, licenseId: license!.id, licenseKey, username, hardwareId, featureCode, licenseFeatureId, identity };
}

/** Activates `count` more devices on the fixture's license (in D1, then the counter objects are told, as activation does); their hardware ids. */
export async function addDevices(fixture: Fixture, count: number): Promise<string[]> {
  const hardwareIds = Array.from({ length: count }, () => unique("hw"));
  await env.DB.batch(
    hardwareIds.map((hardwareId) =>
      env.DB.prepare("INSERT INTO devices (license_id, hardware_id, active) VALUES (?, ?, 1)").bind(fixture.licenseId, hardwareId),
    ),
  );
  await invalidateLicenseCounters(env, fixture.licenseId);
  return hardwareIds;
}
