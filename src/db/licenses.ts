/**
 * Licenses in full (for activation, check and user_licenses responses) and device activation
 * (tables licenses, products, license_features, license_users, license_customers,
 * product_custom_fields, license_custom_fields, devices).
 */
import {
  FEATURE_VALUES,
  toLicenseFeature,
  type AuthorizationMethod,
  type LicenseFeature,
  type LicenseFeatureColumns,
} from "./license-context";

/** The customer a license was sold to, as stored (column names are the SDK's field names). */
export interface Customer {
  email: string;
  first_name: string;
  last_name: string;
  company_name: string;
  phone: string;
  reference: string;
  address: string;
  city: string;
  postcode: string;
  state: string;
  country: string;
  /** A JSON object's text. */
  metadata: string;
}

/** The columns of license_customers, in table alias `c`, that make a Customer. */
export const CUSTOMER_COLUMNS =
  "c.email, c.first_name, c.last_name, c.company_name, c.phone, c.reference, c.address, c.city, c.postcode, c.state, c.country, c.metadata";

export interface CustomFieldValue {
  name: string;
  dataType: "number" | "text" | "date/time" | null;
  value: string;
}

export interface LicenseDetails {
  product: {
    id: number;
    shortCode: string;
    name: string;
    authorizationMethod: AuthorizationMethod;
    companyId: number;
    metadataJson: string;
  };
  maxActivations: number;
  allowUnlimitedActivations: boolean;
  timesActivated: number;
  createdAt: string;
  metadataJson: string;
  orderStoreId: string | null;
  /** User-based licenses: at most this many users; 0 means no limit. */
  maxLicenseUsers: number;
  isTrial: boolean;
  trialDays: number;
  customer: Customer | null;
  /** Every custom field of the product, with the license's own value or the product default. */
  customFields: CustomFieldValue[];
  /** Every feature on the license (activation and consumption), with license values applied. */
  features: Array<LicenseFeature & { id: number }>;
}

interface DetailsRow {
  product_id: number;
  short_code: string;
  product_name: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  product_metadata: string;
  max_activations: number;
  allow_unlimited_activations: number;
  created_at: string;
  times_activated: number;
  metadata: string;
  order_store_id: string | null;
  max_license_users: number;
  is_trial: number;
  trial_days: number;
}

export async function loadLicenseDetails(db: D1Database, licenseId: number): Promise<LicenseDetails> {
  const [details, features, customer, customFields] = await db.batch([
    db
      .prepare(
        `SELECT p.id AS product_id, p.short_code, p.name AS product_name, p.authorization_method, p.company_id,
                p.metadata AS product_metadata, l.max_activations, l.allow_unlimited_activations, l.created_at,
                (SELECT COUNT(*) FROM devices d WHERE d.license_id = l.id AND d.active = 1) AS times_activated,
                l.metadata, l.order_store_id, l.max_license_users, l.is_trial, l.trial_days
         FROM licenses l JOIN products p ON p.id = l.product_id WHERE l.id = ?`,
      )
      .bind(licenseId),
    db
      .prepare(
        `SELECT lf.id, pf.code, pf.name, pf.feature_type, lf.expiry_date, ${FEATURE_VALUES}
         FROM license_features lf JOIN product_features pf ON pf.id = lf.product_feature_id
         WHERE lf.license_id = ? ORDER BY lf.id`,
      )
      .bind(licenseId),
    db.prepare(`SELECT ${CUSTOMER_COLUMNS} FROM license_customers c WHERE c.license_id = ?`).bind(licenseId),
    db
      .prepare(
        `SELECT f.name, f.data_type, COALESCE(v.value, f.default_value) AS value
         FROM licenses l JOIN product_custom_fields f ON f.product_id = l.product_id
         LEFT JOIN license_custom_fields v ON v.license_id = l.id AND v.product_custom_field_id = f.id
         WHERE l.id = ? ORDER BY f.id`,
      )
      .bind(licenseId),
  ]);
  const row = (details!.results as DetailsRow[])[0];
  if (!row) throw new Error(`license ${licenseId} vanished`);
  return {
    product: {
      id: row.product_id,
      shortCode: row.short_code,
      name: row.product_name,
      authorizationMethod: row.authorization_method,
      companyId: row.company_id,
      metadataJson: row.product_metadata,
    },
    maxActivations: row.max_activations,
    allowUnlimitedActivations: row.allow_unlimited_activations === 1,
    timesActivated: row.times_activated,
    createdAt: row.created_at,
    metadataJson: row.metadata,
    orderStoreId: row.order_store_id,
    maxLicenseUsers: row.max_license_users,
    isTrial: row.is_trial === 1,
    trialDays: row.trial_days,
    customer: (customer!.results as Customer[])[0] ?? null,
    customFields: (customFields!.results as Array<{ name: string; data_type: CustomFieldValue["dataType"]; value: string }>).map(
      (field) => ({ name: field.name, dataType: field.data_type, value: field.value }),
    ),
    features: (features!.results as Array<LicenseFeatureColumns & { id: number }>).map((feature) => ({
      ...toLicenseFeature(feature),
      id: feature.id,
    })),
  };
}

export interface LicenseUser {
  id: number;
  licenseId: number;
  username: string;
  passwordHash: string | null;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  isInitialPassword: boolean;
}

/** The columns of license_users, in table alias `lu`, that make a LicenseUser. */
export const LICENSE_USER_COLUMNS =
  "lu.id AS user_id, lu.license_id AS user_license_id, lu.username, lu.password_hash, lu.first_name, lu.last_name, lu.phone_number, lu.is_initial_password";

export interface LicenseUserRow {
  user_id: number;
  user_license_id: number;
  username: string;
  password_hash: string | null;
  first_name: string;
  last_name: string;
  phone_number: string;
  is_initial_password: number;
}

export function toLicenseUser(row: LicenseUserRow): LicenseUser {
  return {
    id: row.user_id,
    licenseId: row.user_license_id,
    username: row.username,
    passwordHash: row.password_hash,
    firstName: row.first_name,
    lastName: row.last_name,
    phoneNumber: row.phone_number,
    isInitialPassword: row.is_initial_password === 1,
  };
}

/** The license's user of this name; null matches no license (the query still runs: src/license-api/license-user-sign-in.ts). */
export async function findLicenseUser(db: D1Database, licenseId: number | null, username: string): Promise<LicenseUser | null> {
  const row = await db
    .prepare(`SELECT ${LICENSE_USER_COLUMNS} FROM license_users lu WHERE lu.license_id = ? AND lu.username = ?`)
    .bind(licenseId, username)
    .first<LicenseUserRow>();
  return row ? toLicenseUser(row) : null;
}

/**
 * Activates `hardwareId` on the license unless that would exceed max_activations. One SQL
 * statement decides and writes, so concurrent activations of different devices cannot both take
 * the last seat. Returns the device id, or null when the license is activated max times.
 * A blacklisted device is never re-activated (callers refuse it earlier; this is the backstop).
 */
export async function activateDevice(
  db: D1Database,
  licenseId: number,
  hardwareId: string,
  maxActivations: number,
  unlimited: boolean,
): Promise<number | null> {
  const [activated] = await db.batch([
    db
      .prepare(
        `INSERT INTO devices (license_id, hardware_id, active)
         SELECT ?1, ?2, 1
         WHERE EXISTS (SELECT 1 FROM devices WHERE license_id = ?1 AND hardware_id = ?2 AND active = 1)
            OR ?3 = 1
            OR (SELECT COUNT(*) FROM devices WHERE license_id = ?1 AND active = 1) < ?4
         ON CONFLICT (license_id, hardware_id) DO UPDATE SET active = 1 WHERE blacklisted = 0
         RETURNING id`,
      )
      .bind(licenseId, hardwareId, unlimited ? 1 : 0, maxActivations),
    // "Active" means "activated at least once": set on the first activation, kept afterwards.
    db
      .prepare(
        "UPDATE licenses SET active = 1 WHERE id = ?1 AND active = 0 AND EXISTS (SELECT 1 FROM devices WHERE license_id = ?1 AND active = 1)",
      )
      .bind(licenseId),
  ]);
  const row = (activated!.results as Array<{ id: number }>)[0];
  return row ? row.id : null;
}

/** Deactivates the device; false when there was no active device with that hardware id. */
export async function deactivateDevice(db: D1Database, licenseId: number, hardwareId: string): Promise<boolean> {
  const result = await db
    .prepare("UPDATE devices SET active = 0 WHERE license_id = ? AND hardware_id = ? AND active = 1")
    .bind(licenseId, hardwareId)
    .run();
  return result.meta.changes > 0;
}
