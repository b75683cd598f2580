/**
 * License features as the management API shows them, with the **live** total from each feature's
 * counter object (its `state` RPC), not the D1 mirror, which lags by one outbox flush. Resetting a
 * feature's consumption also goes through the object (`resetTotal`), serialised with the
 * consumptions it races, and audited as manual_reset.
 */
import type { CounterState } from "../counter/types";
import { counterStub, featureTarget } from "../counter/counter-stubs";
import type { StoredLicenseFeature } from "../db/management/licenses";
import { parseMetadata } from "../license-api/license-body";
import { ruleFields } from "./rule-fields";
import type { LicenseFeature } from "./schemas";

export async function liveLicenseFeature(env: Env, stored: StoredLicenseFeature): Promise<LicenseFeature> {
  const { feature } = stored;
  if (feature.featureType !== "consumption") return toView(stored, null);
  return toView(
    stored,
    await counterStub(env, featureTarget(stored.licenseId, feature.id)).state(featureTarget(stored.licenseId, feature.id)),
  );
}

/** Sets the feature's total to 0 in its counter object (audited there as manual_reset). */
export async function resetLicenseFeature(env: Env, stored: StoredLicenseFeature): Promise<LicenseFeature> {
  const { feature } = stored;
  return toView(
    stored,
    await counterStub(env, featureTarget(stored.licenseId, feature.id)).resetTotal(featureTarget(stored.licenseId, feature.id)),
  );
}

function toView(stored: StoredLicenseFeature, state: CounterState | null): LicenseFeature {
  const { feature } = stored;
  const { rules } = feature;
  return {
    id: feature.id,
    license_id: stored.licenseId,
    product_feature_id: stored.productFeatureId,
    code: feature.code,
    name: feature.name,
    feature_type: feature.featureType,
    max_consumption: rules.maxConsumption,
    ...ruleFields(rules),
    expiry_date: feature.expiryDate,
    total_consumptions: state?.total ?? null,
    period_start: state?.periodStart ?? null,
    metadata: parseMetadata(feature.metadataJson),
    overrides: stored.overrides,
  };
}
