/**
 * The error precedence of the license endpoints, in one place (README "Error precedence").
 * Identity is checked before what is asked of it: product, the license's authorization method,
 * license, its state, the device, then the feature. Consumption limits are decided later, by the
 * feature's counter object, because only it knows the live total.
 */
import { ApiError } from "./errors";
import type { Device, License, LicenseContext, LicenseFeature, LicenseLookup, Product } from "./db/license-context";

export interface ResolvedLicense {
  product: Product;
  license: License;
  device: Device;
}

export interface ResolvedLicenseFeature extends ResolvedLicense {
  feature: LicenseFeature & { id: number };
}

/** product → method → license → enabled → active → validity → device (blacklisted, then active). */
export function resolveLicense(context: LicenseContext, lookup: LicenseLookup, nowMs: number): ResolvedLicense {
  const { product, license, device } = context;
  if (!product) throw new ApiError("unknown_product");
  if (product.authorizationMethod === "license-key" && lookup.licenseKey === undefined) {
    throw new ApiError("license_not_found", "This product's licenses are key-based: send license_key, not username");
  }
  if (product.authorizationMethod === "user" && lookup.username === undefined) {
    throw new ApiError("license_not_found", "This product's licenses are user-based: send username, not license_key");
  }
  if (!license) throw new ApiError("license_not_found");
  // A vendor's "disabled" outranks "not yet activated": it is the state the client can't change.
  if (!license.enabled) throw new ApiError("license_not_enabled");
  if (!license.active) throw new ApiError("license_not_active");
  if (license.validityPeriod !== null && Date.parse(license.validityPeriod) < nowMs) throw new ApiError("license_expired");
  // A blacklisted device is told so even if it was also deactivated: that is the actionable fact.
  if (device?.blacklisted) throw new ApiError("blacklisted");
  if (!device || !device.active) throw new ApiError("device_not_found");
  return { product, license, device };
}

/** resolveLicense, then the feature: it must exist on the product and on the license, and be a consumption feature. */
export function resolveLicenseFeature(context: LicenseContext, lookup: LicenseLookup, nowMs: number): ResolvedLicenseFeature {
  const resolved = resolveLicense(context, lookup, nowMs);
  const feature = context.feature;
  if (!feature || feature.id === null) throw new ApiError("unsupported_product_feature");
  if (feature.featureType !== "consumption") {
    throw new ApiError("unsupported_product_feature", `Feature "${feature.code}" is an activation feature, not a consumption feature`);
  }
  return { ...resolved, feature: { ...feature, id: feature.id } };
}
