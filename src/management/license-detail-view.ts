/**
 * A license as GET /api/v1/licenses/{license_id} answers it: with every feature and its live total
 * (and its own counter, for consumption licenses), customer, custom fields, users and, for floating
 * cloud licenses, the devices holding a slot; and `warnings` when it refuses every request for now
 * (its validity has passed).
 */
import { counterStub, licenseTarget } from "../counter/counter-stubs";
import { findLicenseCounter } from "../db/license-counters";
import { licenseFeatures } from "../db/license-features";
import { findLicense, licenseExtras } from "../db/licenses";
import type { LicenseDetailResource } from "../models/license";
import { pastDateWarning } from "../models/unworkable-settings";
import { liveLicenseConsumption } from "./license-consumption-view";
import { floatingDevices, liveLicenseFeature } from "./license-feature-view";
import { orNotFound } from "./or-not-found";

export async function licenseDetail(env: Env, licenseId: number): Promise<LicenseDetailResource> {
  const license = orNotFound(await findLicense(env.DB, licenseId), "License", licenseId);
  const counter = await findLicenseCounter(env.DB, licenseId);
  const [features, consumption, extras, pool] = await Promise.all([
    Promise.all((await licenseFeatures(env.DB, licenseId)).map((stored) => liveLicenseFeature(env, stored))),
    counter ? liveLicenseConsumption(env, counter) : null,
    licenseExtras(env.DB, licenseId),
    license.is_floating_cloud ? counterStub(env, licenseTarget(licenseId)).poolLeases(licenseTarget(licenseId)) : null,
  ]);
  const nowMs = Date.now();
  const expired = pastDateWarning(
    "validity_period",
    license.validity_period,
    "every License API request for it answers license_expired",
    nowMs,
  );
  return {
    ...license,
    features,
    consumption,
    ...extras,
    floating_devices: floatingDevices(pool?.leases ?? [], nowMs),
    warnings: expired ? [expired] : [],
  };
}
