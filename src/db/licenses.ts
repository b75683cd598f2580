/**
 * Licenses in full (for activation and check responses) and device activation (tables licenses,
 * products, license_features, license_users, devices).
 */
import {
  FEATURE_VALUES,
  toLicenseFeature,
  type AuthorizationMethod,
  type LicenseFeature,
  type LicenseFeatureColumns,
} from "./license-context";

export interface LicenseDetails {
  product: { id: number; shortCode: string; name: string; authorizationMethod: AuthorizationMethod; companyId: number };
  maxActivations: number;
  allowUnlimitedActivations: boolean;
  timesActivated: number;
  createdAt: string;
  /** Every feature on the license (activation and consumption), with license values applied. */
  features: Array<LicenseFeature & { id: number }>;
}

interface DetailsRow {
  product_id: number;
  short_code: string;
  product_name: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  max_activations: number;
  allow_unlimited_activations: number;
  created_at: string;
  times_activated: number;
}

export async function loadLicenseDetails(db: D1Database, licenseId: number): Promise<LicenseDetails> {
  const [details, features] = await db.batch([
    db
      .prepare(
        `SELECT p.id AS product_id, p.short_code, p.name AS product_name, p.authorization_method, p.company_id,
                l.max_activations, l.allow_unlimited_activations, l.created_at,
                (SELECT COUNT(*) FROM devices d WHERE d.license_id = l.id AND d.active = 1) AS times_activated
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
    },
    maxActivations: row.max_activations,
    allowUnlimitedActivations: row.allow_unlimited_activations === 1,
    timesActivated: row.times_activated,
    createdAt: row.created_at,
    features: (features!.results as Array<LicenseFeatureColumns & { id: number }>).map((feature) => ({
      ...toLicenseFeature(feature),
      id: feature.id,
    })),
  };
}

export interface LicenseUser {
  id: number;
  username: string;
  passwordHash: string | null;
}

export async function findLicenseUser(db: D1Database, licenseId: number, username: string): Promise<LicenseUser | null> {
  const row = await db
    .prepare("SELECT id, username, password_hash FROM license_users WHERE license_id = ? AND username = ?")
    .bind(licenseId, username)
    .first<{ id: number; username: string; password_hash: string | null }>();
  return row ? { id: row.id, username: row.username, passwordHash: row.password_hash } : null;
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
