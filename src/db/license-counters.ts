/**
 * A consumption license's own counter (columns of licenses, license_type "consumption"): its rules
 * as the management API shows and changes them. The counter object owns the total; D1 mirrors it.
 */
import type { ConsumptionRules } from "../counter/consumption-rules";
import type { UpdateLicenseConsumptionBody } from "../models/license-consumption";
import { licenseRuleColumns, rulesFromColumns, type RuleColumns } from "./rule-columns";
import { setClause } from "./row-codec";

/** A consumption license's own counter as stored: its rules and the D1 mirror of its total. */
export interface StoredLicenseCounter {
  licenseId: number;
  rules: ConsumptionRules;
  mirroredTotal: number;
}

interface LicenseCounterRow extends RuleColumns {
  total_consumptions: number;
}

/** The license-level counter of a consumption license; null for other licenses (and unknown ones). */
export async function findLicenseCounter(db: D1Database, licenseId: number): Promise<StoredLicenseCounter | null> {
  const row = await db
    .prepare(`SELECT ${licenseRuleColumns("l")}, l.total_consumptions FROM licenses l WHERE l.id = ? AND l.license_type = 'consumption'`)
    .bind(licenseId)
    .first<LicenseCounterRow>();
  if (!row) return null;
  return { licenseId, mirroredTotal: row.total_consumptions, rules: rulesFromColumns(row) };
}

/**
 * Changes a consumption license's own rules, in one transaction with `after` (its activity entry);
 * the caller invalidates its counter object. False unless it is one, and not archived.
 */
export async function updateLicenseConsumption(
  db: D1Database,
  licenseId: number,
  changes: UpdateLicenseConsumptionBody,
  after: D1PreparedStatement[] = [],
): Promise<boolean> {
  const set = setClause(changes);
  const [result] = await db.batch([
    db
      .prepare(`UPDATE licenses SET ${set.sql} WHERE id = ? AND license_type = 'consumption' AND archived_at IS NULL`)
      .bind(...set.values, licenseId),
    ...after,
  ]);
  return result!.meta.changes > 0;
}
