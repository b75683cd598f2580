/**
 * Issuing and importing licenses: the rows a license is written as (the license, its users,
 * features and custom field values; its customer is a customer row written before it or already
 * there) and the one set of INSERTs both write them with, in one D1 batch (one transaction: a
 * failure, such as a taken key or a duplicate user, leaves nothing behind). Also the reads an
 * import checks its rows with.
 */
import type { FeatureOverridesInput } from "../models/license-feature";
import { LicenseConsumptionInput } from "../models/license-consumption";
import { licenseTermsFields, type LicenseTerms } from "../models/license";
import type { ImportedLicenseUserInput, LicenseUserInput } from "../models/license-user";
import { customFieldValueInsertRow } from "./custom-fields";
import { NOW, insertRows, perChunk, readAll } from "./json-rows";
import { licenseFeatureInsertRow } from "./license-features";
import { licenseUserInsertRow } from "./license-users";
import { encodeRow, pick, type SqlValue } from "./row-codec";

/**
 * The largest id a license can have: every id the API answers must be exact in JSON. Migration
 * 0014's trigger refuses a license past it, so issuing a license never rounds its id onto another's.
 */
export const MAX_LICENSE_ID = Number.MAX_SAFE_INTEGER;

/** The message of that trigger's refusal. */
const IDS_EXHAUSTED = "license ids exhausted";

/** The license terms that are columns of licenses (the others are its features, consumption, customer and custom fields). */
const TERM_COLUMNS = (Object.keys(licenseTermsFields) as Array<keyof LicenseTerms>).filter(
  (field): field is Exclude<keyof LicenseTerms, "features" | "consumption" | "customer" | "custom_fields"> =>
    field !== "features" && field !== "consumption" && field !== "customer" && field !== "custom_fields",
);

/** What a license needs besides its terms: who it is, and its product's features and custom fields by id. */
export interface LicenseToWrite {
  /** The kept id (imports); null: the next id (issuing). */
  id: number | null;
  product_id: number;
  license_key: string | null;
  /** When it was created elsewhere (imports); null: now. */
  created_at: string | null;
  terms: LicenseTerms;
  users: Array<{ user: LicenseUserInput | ImportedLicenseUserInput; passwordHash: string | null }>;
  /** Every feature of the product (each is put on the license), with the license's own values. */
  features: Array<{ productFeatureId: number; overrides: FeatureOverridesInput }>;
  /** Its customer: one here, or one the same batch writes first (src/management/customer-links.ts); null: none. */
  customer_id: number | null;
  /** Values of product custom fields, by field id; the others keep the product default. */
  customFields: Array<{ fieldId: number; value: string }>;
  /** Transfers the license already had (imports); default 0. */
  transferCount?: number;
  /** The device of a one-per-device trial (trial_key), as licenses.trial_device holds it; default null. */
  trialDevice?: string | null;
}

/** Passwords for users of licenses already here who have none yet (the one thing a re-import sets). */
export interface PasswordBackfill {
  license_id: number;
  username: string;
  password_hash: string;
  is_initial_password: boolean;
}

/**
 * The inserts of `licenses`, and of `passwords` for users who have none. Licenses are plain
 * INSERTs (no ON CONFLICT): a UNIQUE failure means a taken key or id and rolls the batch back.
 * A license without an id (issuing, one license per batch) gets the next one, and its rows name it
 * as the largest id: SQLite gives a new row the largest rowid, and no other write can interleave
 * inside the batch's transaction.
 */
export function licenseWriteStatements(
  db: D1Database,
  licenses: readonly LicenseToWrite[],
  passwords: readonly PasswordBackfill[] = [],
): D1PreparedStatement[] {
  const rowsOf = <Row extends Record<string, SqlValue>>(rows: (license: LicenseToWrite) => Row[]) => licenses.flatMap(rows);
  const dependents = [
    insertRows(
      db,
      "license_users",
      rowsOf((license) => license.users.map(({ user, passwordHash }) => licenseUserInsertRow(license.id, user, passwordHash))),
      NEW_LICENSE,
    ),
    insertRows(
      db,
      "license_features",
      rowsOf((license) =>
        license.features.map(({ productFeatureId, overrides }) => licenseFeatureInsertRow(license.id, productFeatureId, overrides)),
      ),
      NEW_LICENSE,
    ),
    insertRows(
      db,
      "license_custom_fields",
      rowsOf((license) => license.customFields.map(({ fieldId, value }) => customFieldValueInsertRow(license.id, fieldId, value))),
      NEW_LICENSE,
    ),
  ];
  return [
    ...insertRows(
      db,
      "licenses",
      rowsOf((license) => [licenseRow(license)]),
      { fallback: { created_at: NOW } },
    ),
    ...dependents.flat(),
    // Only where no password is stored: never replaces one (a user may have changed it here since).
    ...perChunk(
      db,
      `UPDATE license_users SET password_hash = given.password_hash, is_initial_password = given.is_initial_password
       FROM (SELECT json_extract(value, '$.license_id') AS license_id, json_extract(value, '$.username') AS username,
                    json_extract(value, '$.password_hash') AS password_hash, json_extract(value, '$.is_initial_password') AS is_initial_password
             FROM json_each(?1)) AS given
       WHERE license_users.license_id = given.license_id AND license_users.username = given.username AND license_users.password_hash IS NULL`,
      passwords.map((password) => encodeRow(password)),
    ),
  ];
}

/** The id of the license the same batch issued (it has the largest id: see licenseWriteStatements). */
export const ISSUED_LICENSE_ID = "SELECT MAX(id) FROM licenses";

/** The rows of a license being issued (license_id null) name it as the largest id (see licenseWriteStatements). */
const NEW_LICENSE = { fallback: { license_id: `(${ISSUED_LICENSE_ID})` } };

/** A license row as written: its identity, its terms, and its own counter's rules (the defaults unless it is a consumption license). */
function licenseRow(license: LicenseToWrite) {
  return encodeRow({
    id: license.id,
    product_id: license.product_id,
    license_key: license.license_key,
    ...pick(license.terms, TERM_COLUMNS),
    ...(license.terms.consumption ?? LICENSE_CONSUMPTION_DEFAULTS),
    customer_id: license.customer_id,
    created_at: license.created_at,
    transfer_count: license.transferCount ?? 0,
    trial_device: license.trialDevice ?? null,
  });
}

/** The license-level counter columns of a license that is not a consumption license. */
const LICENSE_CONSUMPTION_DEFAULTS = LicenseConsumptionInput.parse({});

/**
 * Issues one license; its id is the next after the largest there is. `before` (its customer's
 * writes) and `after` (its activity entry, which may name it as ISSUED_LICENSE_ID) commit with
 * it. Throws D1's UNIQUE error on a conflict, and LicenseIdsExhausted when the next id would pass
 * MAX_LICENSE_ID.
 */
export async function insertLicense(
  db: D1Database,
  license: Omit<LicenseToWrite, "id" | "created_at">,
  before: D1PreparedStatement[] = [],
  after: D1PreparedStatement[] = [],
): Promise<number> {
  try {
    const results = await db.batch<{ id: number }>([
      ...before,
      ...licenseWriteStatements(db, [{ ...license, id: null, created_at: null }]),
      ...after,
      db.prepare("SELECT MAX(id) AS id FROM licenses"),
    ]);
    return results.at(-1)!.results[0]!.id;
  } catch (error) {
    if (error instanceof Error && error.message.includes(IDS_EXHAUSTED)) throw new LicenseIdsExhausted();
    throw error;
  }
}

/** The next license id would not be exact in JSON (licenses imported with ids near 2^53 - 1 took the rest). */
export class LicenseIdsExhausted extends Error {
  constructor() {
    super(`every license id up to ${MAX_LICENSE_ID} is taken or skipped`);
  }
}

// ---------------------------------------------------------------- what an import checks its rows against

/** Licenses here that have one of `ids`, or one of the (product, key) pairs. */
export async function findLicenseIdentities(
  db: D1Database,
  ids: readonly number[],
  keys: ReadonlyArray<readonly [productId: number, licenseKey: string]>,
): Promise<Array<{ id: number; product_id: number; license_key: string | null }>> {
  const [byId, byKey] = await Promise.all([
    readAll<{ id: number; product_id: number; license_key: string | null }>(
      db,
      "SELECT l.id, l.product_id, l.license_key FROM json_each(?1) r JOIN licenses l ON l.id = r.value",
      ids,
    ),
    readAll<{ id: number; product_id: number; license_key: string | null }>(
      db,
      `SELECT l.id, l.product_id, l.license_key FROM json_each(?1) r
       JOIN licenses l ON l.product_id = json_extract(r.value, '$[0]') AND l.license_key = json_extract(r.value, '$[1]')`,
      keys,
    ),
  ]);
  return [...byId, ...byKey];
}

export async function existingLicenseIds(db: D1Database, ids: readonly number[]): Promise<Set<number>> {
  const rows = await readAll<{ id: number }>(db, "SELECT l.id FROM json_each(?1) r JOIN licenses l ON l.id = r.value", ids);
  return new Set(rows.map((row) => row.id));
}

/** The users of these licenses that have no password yet. */
export function usersWithoutPassword(
  db: D1Database,
  licenseIds: readonly number[],
): Promise<Array<{ license_id: number; username: string }>> {
  return readAll(
    db,
    "SELECT lu.license_id, lu.username FROM json_each(?1) r JOIN license_users lu ON lu.license_id = r.value WHERE lu.password_hash IS NULL",
    licenseIds,
  );
}

/**
 * Licenses of the same product that share a user with one of `licenseIds` (not those licenses
 * themselves): which license such a user gets without a license_id may have changed.
 */
export async function otherLicensesOfTheirUsers(db: D1Database, licenseIds: readonly number[]): Promise<number[]> {
  const rows = await readAll<{ id: number }>(
    db,
    `SELECT DISTINCT other.license_id AS id
     FROM json_each(?1) r
     JOIN licenses mine ON mine.id = r.value
     JOIN license_users mu ON mu.license_id = mine.id
     JOIN license_users other ON other.username = mu.username AND other.license_id != mine.id
     JOIN licenses l ON l.id = other.license_id AND l.product_id = mine.product_id`,
    licenseIds,
  );
  const imported = new Set(licenseIds);
  return [...new Set(rows.map((row) => row.id))].filter((id) => !imported.has(id));
}
