/**
 * License features as the management API shows them, with the **live** total from each feature's
 * counter object (its `state` RPC), not the D1 mirror, which lags by one outbox flush, and, for
 * floating features, the devices holding a slot (its `poolLeases` RPC). Resetting a feature's
 * consumption also goes through the object (`resetTotal`), serialised with the consumptions it
 * races, and audited as manual_reset.
 */
import { heldUntil, type Lease } from "../counter/floating-pool";
import type { CounterState } from "../counter/types";
import { counterStub, featureTarget } from "../counter/counter-stubs";
import type { StoredLicenseFeature } from "../db/license-features";
import { parseMetadata } from "../license-api/license-body";
import type { FloatingDeviceResource, LicenseFeatureResource } from "../models/license-feature";
import { ruleValues } from "../models/rule-fields";
import { allowanceWarning, pastDateWarning } from "../models/unworkable-settings";

export async function liveLicenseFeature(env: Env, stored: StoredLicenseFeature): Promise<LicenseFeatureResource> {
  const { feature } = stored;
  const target = featureTarget(stored.licenseId, feature.id);
  const [state, pool] = await Promise.all([
    feature.featureType === "consumption" ? counterStub(env, target).state(target) : null,
    feature.floating.isFloatingCloud ? counterStub(env, target).poolLeases(target) : null,
  ]);
  return { ...toView(stored, state), floating_devices: floatingDevices(pool?.leases ?? [], Date.now()) };
}

/** A pool's leases as the vendor sees them. */
export function floatingDevices(leases: Lease[], nowMs: number): FloatingDeviceResource[] {
  return leases.map((lease) => ({
    hardware_id: lease.hardwareId,
    in_use_until: new Date(heldUntil(lease)).toISOString(),
    borrowed_until: lease.borrowedUntil !== null && lease.borrowedUntil > nowMs ? new Date(lease.borrowedUntil).toISOString() : null,
  }));
}

/** Sets the feature's total to 0 in its counter object (audited there as manual_reset). */
export async function resetLicenseFeature(env: Env, stored: StoredLicenseFeature): Promise<LicenseFeatureResource> {
  const target = featureTarget(stored.licenseId, stored.feature.id);
  const [state, pool] = await Promise.all([
    counterStub(env, target).resetTotal(target),
    stored.feature.floating.isFloatingCloud ? counterStub(env, target).poolLeases(target) : null,
  ]);
  return { ...toView(stored, state), floating_devices: floatingDevices(pool?.leases ?? [], Date.now()) };
}

function toView(stored: StoredLicenseFeature, state: CounterState | null): Omit<LicenseFeatureResource, "floating_devices"> {
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
    ...ruleValues(rules),
    expiry_date: feature.expiryDate,
    total_consumptions: state?.total ?? null,
    period_start: state?.periodStart ?? null,
    metadata: parseMetadata(feature.metadataJson),
    is_floating_cloud: feature.floating.isFloatingCloud,
    floating_users: feature.floating.users,
    floating_timeout: feature.floating.timeoutMinutes,
    overrides: stored.overrides,
    warnings: [
      feature.featureType === "consumption" ? allowanceWarning(rules, "max_consumption") : null,
      pastDateWarning("expiry_date", feature.expiryDate, "requests for this feature answer feature_expired", Date.now()),
    ].filter((warning) => warning !== null),
  };
}
