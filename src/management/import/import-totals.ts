/**
 * Imports current consumption totals into the counter objects, which own them: each row sets one
 * counter's total (a license feature's, or a consumption license's own), audited there as one
 * "import" row whose consumptions are the difference, so the audit log still replays to every
 * total. The imported total replaces what the counter holds, unless the last import set this same
 * total (docs/migration.md "4.4 Totals"): re-running an import changes nothing, even after clients
 * have consumed here since.
 *
 * Every row is checked against D1 before any counter is called, so a bad row imports nothing. The
 * counters are separate objects, so the calls are not one transaction: if one fails (an outage),
 * the call answers 500 and some totals may be set; sending the same rows again completes it.
 */
import type { ManagementActor } from "../../auth/management-roles";
import { recordActivity } from "../../db/activity";
import { counterStub, featureTarget, licenseTarget, withStubRetries } from "../../counter/counter-stubs";
import type { CounterTarget } from "../../counter/snapshot";
import { totalTargets } from "../../db/license-features";
import type { NumberedRow } from "../../http/read-import-body";
import type { ImportTotalRow } from "../../models/import-rows";
import { RowErrors, rejectRepeats } from "./row-errors";

/** Counter calls in flight at once. */
const CONCURRENCY = 50;

export async function importTotals(env: Env, actor: ManagementActor, rows: Array<NumberedRow<ImportTotalRow>>, errors: RowErrors) {
  rejectRepeats(rows, (total) => JSON.stringify([total.license_id, total.feature]), "feature", errors);
  const licenses = await totalTargets(env.DB, [...new Set(rows.map(({ value }) => value.license_id))]);
  const targets: Array<{ target: CounterTarget; total: number }> = [];
  for (const { row, value } of rows) {
    const license = licenses.get(value.license_id);
    if (!license) {
      errors.add(row, "license_id", `no license ${value.license_id} here: import the licenses first`);
      continue;
    }
    if (value.feature === null) {
      if (license.license_type !== "consumption") {
        errors.add(
          row,
          "feature",
          `license ${value.license_id} is a ${license.license_type} license: only consumption licenses have a license-level total (name a feature)`,
        );
      } else targets.push({ target: licenseTarget(value.license_id), total: value.total });
      continue;
    }
    const feature = license.features.get(value.feature);
    if (!feature) errors.add(row, "feature", `license ${value.license_id} has no feature ${JSON.stringify(value.feature)}`);
    else if (feature.featureType !== "consumption")
      errors.add(row, "feature", `${JSON.stringify(value.feature)} is an activation feature: it has no total`);
    else targets.push({ target: featureTarget(value.license_id, feature.id), total: value.total });
  }
  errors.throwIfAny();

  for (let i = 0; i < targets.length; i += CONCURRENCY) {
    await Promise.all(targets.slice(i, i + CONCURRENCY).map(({ target, total }) => importWithRetry(env, target, total)));
  }
  // Totals are set in the counter objects, not in D1: recorded once they are all set.
  await recordActivity(env.DB, actor, {
    action: "import.totals",
    target: { type: "import", id: null },
    after: { rows: rows.length, license_ids: [...new Set(targets.map(({ target }) => target.licenseId))] },
  });
  return {
    kind: "totals" as const,
    rows: rows.length,
    results: rows.map(({ row, value }) => ({ row, license_id: value.license_id, feature: value.feature, total: value.total })),
  };
}

/** importTotal is idempotent, so a call that failed is simply made again. */
async function importWithRetry(env: Env, target: CounterTarget, total: number): Promise<void> {
  await withStubRetries(async () => {
    await counterStub(env, target).importTotal(target, total);
  });
}
