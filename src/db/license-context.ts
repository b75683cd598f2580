/**
 * Resolves what a License API request names (product → license → device → license feature) in
 * one D1 round trip, returning plain domain objects. Deciding which error applies is not done
 * here but in src/license-api/resolve-license.ts, so the precedence lives in one readable place.
 */
import type { ConsumptionRules } from "../counter/consumption-rules";
import type { LicenseType } from "../models/license";
import type { AuthorizationMethod } from "../models/product";
import { FEATURE_RULE_COLUMNS, licenseRuleColumns, rulesFromColumns, type RuleColumns } from "./rule-columns";

/** The product's and license's enumerations, as the models define them (src/models/), for the code that reads them from here. */
export type { AuthorizationMethod, LicenseType };

export interface Product {
  id: number;
  shortCode: string;
  authorizationMethod: AuthorizationMethod;
  companyId: number;
  /** Bumped with every change to the product's feature defaults (counter objects reload on a newer one). */
  defaultsVersion: number;
}

/**
 * A license's floating cloud settings (docs/architecture.md "Floating pools"). Borrowing applies to
 * the license's own slot and to its floating features' slots.
 */
export interface LicenseFloating {
  isFloatingCloud: boolean;
  /** Devices that may hold a slot at the same time. */
  users: number;
  /** Minutes a device keeps its slot after its last check. */
  timeoutMinutes: number;
  canBorrow: boolean;
  /** The longest borrow, in hours from the moment of borrowing. */
  maxBorrowHours: number;
}

/** A license feature's floating settings: its own values, or the product feature's where it has none. */
export interface FeatureFloating {
  isFloatingCloud: boolean;
  users: number;
  timeoutMinutes: number;
}

export interface License {
  id: number;
  licenseKey: string | null;
  enabled: boolean;
  active: boolean;
  validityPeriod: string | null;
  /** Trials end with trial_expired rather than license_expired. */
  isTrial: boolean;
  /** Hours the license stays valid past validity_period (0 without a grace period). */
  gracePeriodHours: number;
  licenseType: LicenseType;
  /** License-level consumption (license_type "consumption"). */
  rules: ConsumptionRules;
  /** The D1 mirror of the license-level total; the license's counter object owns the real one. */
  mirroredTotal: number;
  floating: LicenseFloating;
}

export interface Device {
  id: number;
  hardwareId: string;
  active: boolean;
  blacklisted: boolean;
}

export interface LicenseFeature {
  /** license_features.id: the id clients see as the feature's `id`. Null when the license lacks the feature. */
  id: number | null;
  code: string;
  name: string;
  featureType: "activation" | "consumption";
  expiryDate: string | null;
  rules: ConsumptionRules;
  /** The D1 mirror of the total; the counter object owns the real one. */
  mirroredTotal: number;
  /** The feature's metadata as stored (JSON object text): the license's own, else the product feature's. Parsed only to answer it. */
  metadataJson: string;
  floating: FeatureFloating;
}

export interface LicenseContext {
  product: Product | null;
  license: License | null;
  device: Device | null;
  feature: LicenseFeature | null;
}

export interface LicenseLookup {
  product: string;
  licenseKey?: string | undefined;
  username?: string | undefined;
  licenseId?: number | undefined;
  hardwareId: string;
  featureCode?: string | undefined;
}

/** A license's floating columns as LICENSE_FLOATING_COLUMNS selects them (null when no license matched). */
export interface LicenseFloatingColumns {
  l_is_floating_cloud: number | null;
  l_floating_users: number | null;
  l_floating_timeout: number | null;
  l_can_borrow: number | null;
  l_max_borrow_time: number | null;
}

/** The license columns as LICENSE_COLUMNS selects them (null when no license matched). */
export interface LicenseColumns extends RuleColumns<"l_">, LicenseFloatingColumns, LicenseExpiryColumns {
  license_id: number | null;
  license_key: string | null;
  enabled: number | null;
  active: number | null;
  validity_period: string | null;
  license_type: LicenseType | null;
  l_total_consumptions: number | null;
}

/** A license's floating settings (table alias `l`), prefixed so that they never meet a feature's columns of the same name. */
export const LICENSE_FLOATING_COLUMNS = `l.is_floating_cloud AS l_is_floating_cloud, l.floating_users AS l_floating_users,
       l.floating_timeout AS l_floating_timeout, l.can_borrow AS l_can_borrow, l.max_borrow_time AS l_max_borrow_time`;

export function licenseFloatingOf(row: LicenseFloatingColumns): LicenseFloating {
  return {
    isFloatingCloud: row.l_is_floating_cloud === 1,
    users: row.l_floating_users ?? 0,
    timeoutMinutes: row.l_floating_timeout ?? 0,
    canBorrow: row.l_can_borrow === 1,
    maxBorrowHours: row.l_max_borrow_time ?? 0,
  };
}

/** When a license ends (table alias `l`): whether it is a trial, and its grace period in hours (0 when not allowed). */
export const LICENSE_EXPIRY_COLUMNS = `l.is_trial AS l_is_trial, CASE WHEN l.allow_grace_period = 1 THEN l.grace_period ELSE 0 END AS l_grace_hours`;

/** A license's expiry columns as LICENSE_EXPIRY_COLUMNS selects them (null when no license matched). */
export interface LicenseExpiryColumns {
  l_is_trial: number | null;
  l_grace_hours: number | null;
}

export function licenseExpiryOf(row: LicenseExpiryColumns): Pick<License, "isTrial" | "gracePeriodHours"> {
  return { isTrial: row.l_is_trial === 1, gracePeriodHours: row.l_grace_hours ?? 0 };
}

/** A license's columns (table alias `l`), as toLicense reads them. */
export const LICENSE_COLUMNS = `l.id AS license_id, l.license_key, l.enabled, l.active, l.validity_period, l.license_type,
       ${licenseRuleColumns("l", "l_")}, l.total_consumptions AS l_total_consumptions, ${LICENSE_FLOATING_COLUMNS}, ${LICENSE_EXPIRY_COLUMNS}`;

export function toLicense(row: LicenseColumns & { license_id: number }): License {
  return {
    id: row.license_id,
    licenseKey: row.license_key,
    enabled: row.enabled === 1,
    active: row.active === 1,
    validityPeriod: row.validity_period,
    ...licenseExpiryOf(row),
    licenseType: row.license_type ?? "perpetual",
    mirroredTotal: row.l_total_consumptions ?? 0,
    rules: rulesFromColumns(row, "l_"),
    floating: licenseFloatingOf(row),
  };
}

interface ContextRow extends Omit<LicenseFeatureColumns, "id" | "code" | "name">, LicenseColumns {
  product_id: number;
  short_code: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  defaults_version: number;
  device_id: number | null;
  device_active: number | null;
  blacklisted: number | null;
  product_feature_id: number | null;
  license_feature_id: number | null;
  feature_code: string | null;
  feature_name: string | null;
}

/** A license feature's values: NULL in license_features (lf) inherits the product feature (pf). */
export const FEATURE_VALUES = `${FEATURE_RULE_COLUMNS}, lf.total_consumptions, COALESCE(lf.metadata, pf.metadata) AS metadata,
       COALESCE(lf.is_floating_cloud, pf.is_floating_cloud) AS is_floating_cloud, COALESCE(lf.floating_users, pf.floating_users) AS floating_users,
       COALESCE(lf.floating_timeout, pf.floating_timeout) AS floating_timeout`;

/**
 * Which of a user's licenses of one product a request without license_id means: the most
 * recently created, as LicenseSpring documents for user-based licenses (docs/sdk-compatibility.md).
 * Every license endpoint (and user_licenses' order) uses this one rule.
 */
export const NEWEST_LICENSE_FIRST = "l.created_at DESC, l.id DESC";

/**
 * Which licenses (alias `l`) a lookup names, for parameters ?2 license_key, ?3 username and
 * ?4 license_id: by key or by license user, narrowed by license_id when given. A user with several
 * licenses of one product gets the newest (NEWEST_LICENSE_FIRST). Every read by identity uses it.
 */
export const LICENSE_MATCH = `((?2 IS NOT NULL AND l.license_key = ?2)
    OR (?3 IS NOT NULL AND l.id IN (SELECT lu.license_id FROM license_users lu WHERE lu.username = ?3)))
  AND (?4 IS NULL OR l.id = ?4)`;

/** The id of the license a lookup names (parameters ?1 product, ?2..?4 as LICENSE_MATCH), as a subquery; NULL: none. */
export const LICENSE_OF_LOOKUP = `(SELECT l.id FROM products p JOIN licenses l ON l.product_id = p.id AND ${LICENSE_MATCH}
  WHERE p.short_code = ?1 ORDER BY ${NEWEST_LICENSE_FIRST} LIMIT 1)`;

// A license feature's NULL columns inherit the product feature's defaults.
const CONTEXT_SQL = `
SELECT p.id AS product_id, p.short_code, p.authorization_method, p.company_id, p.defaults_version,
       ${LICENSE_COLUMNS},
       d.id AS device_id, d.active AS device_active, d.blacklisted,
       pf.id AS product_feature_id, lf.id AS license_feature_id,
       pf.code AS feature_code, pf.name AS feature_name, pf.feature_type, lf.expiry_date,
       ${FEATURE_VALUES}
FROM products p
LEFT JOIN licenses l ON l.product_id = p.id AND ${LICENSE_MATCH}
LEFT JOIN devices d ON d.license_id = l.id AND d.hardware_id = ?5
LEFT JOIN product_features pf ON pf.product_id = p.id AND pf.code = ?6
LEFT JOIN license_features lf ON lf.license_id = l.id AND lf.product_feature_id = pf.id AND lf.removed_at IS NULL
WHERE p.short_code = ?1
ORDER BY ${NEWEST_LICENSE_FIRST}
LIMIT 1`;

/** The one query that resolves a lookup, batched with the API key read when that is not cached (src/license-api/license-api-route.ts). */
export function licenseContextStatement(db: D1Database, lookup: LicenseLookup): D1PreparedStatement {
  return db
    .prepare(CONTEXT_SQL)
    .bind(
      lookup.product,
      lookup.licenseKey ?? null,
      lookup.username ?? null,
      lookup.licenseId ?? null,
      lookup.hardwareId,
      lookup.featureCode ?? null,
    );
}

/** The context from licenseContextStatement's row (null or undefined: no such product). */
export function toLicenseContext(result: unknown, lookup: LicenseLookup): LicenseContext {
  const row = result as ContextRow | null | undefined;
  if (!row) return { product: null, license: null, device: null, feature: null };
  return {
    product: {
      id: row.product_id,
      shortCode: row.short_code,
      authorizationMethod: row.authorization_method,
      companyId: row.company_id,
      defaultsVersion: row.defaults_version,
    },
    license: row.license_id === null ? null : toLicense({ ...row, license_id: row.license_id }),
    device:
      row.device_id === null
        ? null
        : { id: row.device_id, hardwareId: lookup.hardwareId, active: row.device_active === 1, blacklisted: row.blacklisted === 1 },
    feature:
      row.product_feature_id === null
        ? null
        : toLicenseFeature({ ...row, id: row.license_feature_id, code: row.feature_code, name: row.feature_name }),
  };
}

/** The columns a license feature is made of, as both queries here and in ./licenses.ts select them. */
export interface LicenseFeatureColumns extends RuleColumns {
  id: number | null;
  code: string | null;
  name: string | null;
  feature_type: "activation" | "consumption" | null;
  expiry_date: string | null;
  total_consumptions: number | null;
  metadata: string | null;
  is_floating_cloud: number | null;
  floating_users: number | null;
  floating_timeout: number | null;
}

export function toLicenseFeature(row: LicenseFeatureColumns): LicenseFeature {
  return {
    id: row.id,
    code: row.code ?? "",
    name: row.name ?? "",
    featureType: row.feature_type ?? "consumption",
    expiryDate: row.expiry_date,
    mirroredTotal: row.total_consumptions ?? 0,
    rules: rulesFromColumns(row),
    metadataJson: row.metadata ?? "{}",
    floating: {
      isFloatingCloud: row.is_floating_cloud === 1,
      users: row.floating_users ?? 0,
      timeoutMinutes: row.floating_timeout ?? 0,
    },
  };
}
