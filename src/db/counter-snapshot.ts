/**
 * Loads what a counter object decides with (src/counter/snapshot.ts) in one D1 round trip: the
 * license with its product, its users, its active or blacklisted devices, and the feature.
 */
import type { CounterSnapshot, CounterTarget } from "../counter/snapshot";
import {
  FEATURE_VALUES,
  LICENSE_EXPIRY_COLUMNS,
  LICENSE_FLOATING_COLUMNS,
  NEWEST_LICENSE_FIRST,
  licenseExpiryOf,
  licenseFloatingOf,
  toLicenseFeature,
  type AuthorizationMethod,
  type LicenseExpiryColumns,
  type LicenseFeatureColumns,
  type LicenseFloatingColumns,
  type LicenseType,
} from "./license-context";
import { licenseRuleColumns, rulesFromColumns, type RuleColumns } from "./rule-columns";

interface LicenseRow extends RuleColumns<"l_">, LicenseFloatingColumns, LicenseExpiryColumns {
  product_id: number;
  short_code: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  defaults_version: number;
  license_id: number;
  license_key: string | null;
  enabled: number;
  active: number;
  validity_period: string | null;
  license_type: LicenseType;
  l_total_consumptions: number;
}

const LICENSE_SQL = `
SELECT p.id AS product_id, p.short_code, p.authorization_method, p.company_id, p.defaults_version,
       l.id AS license_id, l.license_key, l.enabled, l.active, l.validity_period, l.license_type,
       ${licenseRuleColumns("l", "l_")}, l.total_consumptions AS l_total_consumptions, ${LICENSE_FLOATING_COLUMNS}, ${LICENSE_EXPIRY_COLUMNS}
FROM licenses l JOIN products p ON p.id = l.product_id
WHERE l.id = ?1`;

// For each user of the license: is this license the one that user gets without a license_id?
// The same order as the D1 lookup uses (NEWEST_LICENSE_FIRST), over the user's licenses of the product.
const USERS_SQL = `
SELECT lu.username,
       (SELECT l.id FROM licenses l JOIN license_users other ON other.license_id = l.id
        WHERE other.username = lu.username AND l.product_id = mine.product_id
        ORDER BY ${NEWEST_LICENSE_FIRST} LIMIT 1) = ?1 AS is_default
FROM license_users lu JOIN licenses mine ON mine.id = lu.license_id
WHERE lu.license_id = ?1`;

const DEVICES_SQL = "SELECT id, hardware_id, active, blacklisted FROM devices WHERE license_id = ?1 AND (active = 1 OR blacklisted = 1)";

const FEATURE_SQL = `
SELECT lf.id, pf.code, pf.name, pf.feature_type, lf.expiry_date, ${FEATURE_VALUES}
FROM license_features lf JOIN product_features pf ON pf.id = lf.product_feature_id
WHERE lf.id = ?2 AND lf.license_id = ?1`;

/** Null when the license (or the feature, for a feature counter) does not exist. */
export async function loadCounterSnapshot(db: D1Database, target: CounterTarget): Promise<CounterSnapshot | null> {
  const [license, users, devices, feature] = await db.batch([
    db.prepare(LICENSE_SQL).bind(target.licenseId),
    db.prepare(USERS_SQL).bind(target.licenseId),
    db.prepare(DEVICES_SQL).bind(target.licenseId),
    db.prepare(FEATURE_SQL).bind(target.licenseId, target.licenseFeatureId),
  ]);
  const row = (license!.results as LicenseRow[])[0];
  const featureRow = (feature!.results as Array<LicenseFeatureColumns & { id: number }>)[0];
  if (!row || (target.licenseFeatureId !== null && !featureRow)) return null;
  return {
    product: {
      id: row.product_id,
      shortCode: row.short_code,
      authorizationMethod: row.authorization_method,
      companyId: row.company_id,
      defaultsVersion: row.defaults_version,
    },
    license: {
      id: row.license_id,
      licenseKey: row.license_key,
      enabled: row.enabled === 1,
      active: row.active === 1,
      validityPeriod: row.validity_period,
      ...licenseExpiryOf(row),
      licenseType: row.license_type,
      mirroredTotal: row.l_total_consumptions,
      rules: rulesFromColumns(row, "l_"),
      floating: licenseFloatingOf(row),
    },
    users: (users!.results as Array<{ username: string; is_default: number }>).map((user) => ({
      username: user.username,
      isDefault: user.is_default === 1,
    })),
    devices: new Map(
      (devices!.results as Array<{ id: number; hardware_id: string; active: number; blacklisted: number }>).map((device) => [
        device.hardware_id,
        { id: device.id, hardwareId: device.hardware_id, active: device.active === 1, blacklisted: device.blacklisted === 1 },
      ]),
    ),
    feature: target.licenseFeatureId !== null && featureRow ? { ...toLicenseFeature(featureRow), id: featureRow.id } : null,
  };
}
