/**
 * Trials (products' trial settings, licenses' trial_device): what trial_key reads to decide whether
 * a device gets a trial, and which trial it already has. Trial licenses are written like any other
 * license (./license-writes.ts insertLicense); licenses.trial_device is unique per product, so two
 * concurrent requests from one device write one trial.
 */
import { customerValues, type CustomerInput } from "../models/customer";
import { TrialLicenseTerms } from "../models/product";
import { customerInsertStatement, findCustomersByEmail, nextCustomerId } from "./customers";
import type { AuthorizationMethod, LicenseType } from "./license-context";

/** A product as trial_key needs it: who may see it, its trial settings, its features and custom fields. */
export interface TrialProduct {
  id: number;
  shortCode: string;
  companyId: number;
  authorizationMethod: AuthorizationMethod;
  allowTrial: boolean;
  trialDays: number;
  allowMultipleTrials: boolean;
  trialLicense: TrialLicenseTerms;
  features: Array<{ id: number; code: string }>;
  customFields: Array<{ id: number; name: string }>;
}

interface TrialProductRow {
  id: number;
  short_code: string;
  company_id: number;
  authorization_method: AuthorizationMethod;
  allow_trial: number;
  trial_days: number;
  allow_multiple_trials: number;
  trial_license: string;
}

/** The product with this short code, or null. */
export async function findTrialProduct(db: D1Database, shortCode: string): Promise<TrialProduct | null> {
  const [product, features, fields] = await db.batch([
    db
      .prepare(
        `SELECT id, short_code, company_id, authorization_method, allow_trial, trial_days, allow_multiple_trials, trial_license
         FROM products WHERE short_code = ?`,
      )
      .bind(shortCode),
    db
      .prepare(
        "SELECT pf.id, pf.code FROM product_features pf JOIN products p ON p.id = pf.product_id WHERE p.short_code = ? ORDER BY pf.id",
      )
      .bind(shortCode),
    db
      .prepare(
        "SELECT f.id, f.name FROM product_custom_fields f JOIN products p ON p.id = f.product_id WHERE p.short_code = ? ORDER BY f.id",
      )
      .bind(shortCode),
  ]);
  const row = (product!.results as TrialProductRow[])[0];
  if (!row) return null;
  return {
    id: row.id,
    shortCode: row.short_code,
    companyId: row.company_id,
    authorizationMethod: row.authorization_method,
    allowTrial: row.allow_trial === 1,
    trialDays: row.trial_days,
    allowMultipleTrials: row.allow_multiple_trials === 1,
    // Stored as validated by the management API; parsed again for its type (and the defaults of fields added since).
    trialLicense: TrialLicenseTerms.parse(JSON.parse(row.trial_license)),
    features: features!.results as Array<{ id: number; code: string }>,
    customFields: fields!.results as Array<{ id: number; name: string }>,
  };
}

/** The key of a one-per-device trial: the device, and on user-based products the user's e-mail (case-insensitive). */
export function trialDeviceKey(hardwareId: string, email: string | null): string {
  return JSON.stringify([hardwareId, email === null ? null : email.toLowerCase()]);
}

/** A trial a device already has. */
export interface ExistingTrial {
  licenseType: LicenseType;
  isTrial: boolean;
  licenseKey: string | null;
  username: string | null;
}

/** The one-per-device trial with this key, or null. */
export async function findTrial(db: D1Database, productId: number, trialDevice: string): Promise<ExistingTrial | null> {
  const row = await db
    .prepare(
      `SELECT l.license_type, l.is_trial, l.license_key,
              (SELECT username FROM license_users WHERE license_id = l.id ORDER BY id LIMIT 1) AS username
       FROM licenses l WHERE l.product_id = ? AND l.trial_device = ?`,
    )
    .bind(productId, trialDevice)
    .first<{ license_type: LicenseType; is_trial: number; license_key: string | null; username: string | null }>();
  return row && { licenseType: row.license_type, isTrial: row.is_trial === 1, licenseKey: row.license_key, username: row.username };
}

/**
 * The customer a trial names (LicenseSpring: only with an e-mail): the company's customer with that
 * e-mail as it is (a client application does not change the vendor's records), or a new one from
 * the request's fields. `writes` go before the license in its batch; a customer written meanwhile
 * under the new id or e-mail fails that batch as a customer conflict (withCustomerRetry reads again).
 */
export async function trialCustomer(
  db: D1Database,
  companyId: number,
  input: CustomerInput | null,
): Promise<{ customerId: number | null; writes: D1PreparedStatement[] }> {
  if (!input?.email) return { customerId: null, writes: [] };
  const [found] = await findCustomersByEmail(db, companyId, [input.email]);
  if (found) return { customerId: found.id, writes: [] };
  const id = await nextCustomerId(db);
  return { customerId: id, writes: [customerInsertStatement(db, id, companyId, customerValues(input))] };
}
