/**
 * The error precedence of the license endpoints, in one place (docs/protocol.md "Error precedence").
 * Identity is checked before what is asked of it: product (and whether the API key may use it),
 * the license's authorization method, license, its state, the device, then the feature.
 * Consumption limits are decided later, by the counter object, because only it knows the live total.
 */
import type { ProductAccess } from "../db/api-keys";
import { ApiError } from "../errors";
import type { Device, License, LicenseContext, LicenseFeature, LicenseLookup, Product } from "../db/license-context";

export interface ResolvedLicense {
  product: Product;
  license: License;
  device: Device;
}

export interface ResolvedLicenseFeature extends ResolvedLicense {
  feature: LicenseFeature & { id: number };
}

/**
 * The product, if this API key may use it. A product of another company is unknown_product exactly
 * as a product that does not exist: same check, same error, same bytes, and no query of its own
 * (the product row came with the request's one lookup either way), so a key learns nothing about
 * other companies. A product of its own company outside the key's allow-list is
 * api_key_product_not_allowed.
 */
export function productForKey(context: LicenseContext, apiKey: ProductAccess): Product {
  return accessibleProduct(context.product, apiKey);
}

/** The same check for any product row (endpoints that name a product but no license). */
export function accessibleProduct<P extends { id: number; companyId: number }>(product: P | null, apiKey: ProductAccess): P {
  if (!product || product.companyId !== apiKey.companyId) throw new ApiError("unknown_product");
  if (apiKey.productIds !== null && !apiKey.productIds.has(product.id)) throw new ApiError("api_key_product_not_allowed");
  return product;
}

/** product (for this key) → the identifier its authorization method needs (license_key or username). */
export function resolveProductIdentifier(context: LicenseContext, lookup: LicenseLookup, apiKey: ProductAccess): Product {
  const product = productForKey(context, apiKey);
  if (product.authorizationMethod === "license-key" && lookup.licenseKey === undefined) {
    throw new ApiError("license_not_found", "This product's licenses are key-based: send license_key, not username");
  }
  if (product.authorizationMethod === "user" && lookup.username === undefined) {
    throw new ApiError("license_not_found", "This product's licenses are user-based: send username, not license_key");
  }
  return product;
}

/**
 * product (for this key) → authorization method → license. Every endpoint starts here; those that
 * take a license user's password go through ./license-user-sign-in.ts instead, where an unknown user
 * is answered as a wrong password.
 */
export function resolveLicenseIdentity(
  context: LicenseContext,
  lookup: LicenseLookup,
  apiKey: ProductAccess,
): { product: Product; license: License } {
  const product = resolveProductIdentifier(context, lookup, apiKey);
  if (!context.license) throw new ApiError("license_not_found");
  return { product, license: context.license };
}

export function isExpired(isoDate: string | null, nowMs: number): boolean {
  return isoDate !== null && Date.parse(isoDate) <= nowMs;
}

const HOUR_MS = 3_600_000;

/** Whether the license has ended: its validity_period plus its grace period (LicenseSpring: valid, not expired, during the grace). */
export function isLicenseExpired(license: Pick<License, "validityPeriod" | "gracePeriodHours">, nowMs: number): boolean {
  return license.validityPeriod !== null && Date.parse(license.validityPeriod) + license.gracePeriodHours * HOUR_MS <= nowMs;
}

/** The documented answer for an ended license: trial_expired for a trial (the code the SDK also raises itself), else license_expired. */
export function expiredError(license: Pick<License, "isTrial">): ApiError {
  return new ApiError(license.isTrial ? "trial_expired" : "license_expired");
}

/** identity → enabled → active → validity → device (blacklisted, then active). */
export function resolveLicense(context: LicenseContext, lookup: LicenseLookup, apiKey: ProductAccess, nowMs: number): ResolvedLicense {
  const { product, license } = resolveLicenseIdentity(context, lookup, apiKey);
  // A vendor's "disabled" outranks "not yet activated": it is the state the client can't change.
  if (!license.enabled) throw new ApiError("license_not_enabled");
  if (!license.active) throw new ApiError("license_not_active");
  if (isLicenseExpired(license, nowMs)) throw expiredError(license);
  return { product, license, device: activeDevice(context) };
}

/**
 * identity → enabled → active → device (blacklisted, then active), for the floating releases: the
 * license errors LicenseSpring lists for them. Not the expiry (LicenseSpring lists none): a release
 * frees a slot and grants nothing, so it works on an expired license.
 */
export function resolveLicenseToRelease(context: LicenseContext, lookup: LicenseLookup, apiKey: ProductAccess): ResolvedLicense {
  const { product, license } = resolveLicenseIdentity(context, lookup, apiKey);
  if (!license.enabled) throw new ApiError("license_not_enabled");
  if (!license.active) throw new ApiError("license_not_active");
  return { product, license, device: activeDevice(context) };
}

/** A blacklisted device is told so even if it was also deactivated: that is the actionable fact. */
export function activeDevice(context: LicenseContext): Device {
  const { device } = context;
  if (device?.blacklisted) throw new ApiError("blacklisted");
  if (!device || !device.active) throw new ApiError("device_not_found");
  return device;
}

/**
 * resolveLicense, then the feature: it must exist on the product and on the license. To consume
 * (`purpose: "consume"`) it must also be a consumption feature that has not expired; reading it
 * (check_license_feature, the floating feature calls) shows any feature, expired or not;
 * releasing its floating slot (`"release"`) skips the license's expiry, as resolveLicenseToRelease. A
 * missing feature is each endpoint's documented code: add_feature_consumption's
 * unsupported_product_feature, the others' invalid_license_feature_code.
 */
export function resolveLicenseFeature(
  context: LicenseContext,
  lookup: LicenseLookup,
  apiKey: ProductAccess,
  nowMs: number,
  purpose: "consume" | "read" | "release" = "consume",
): ResolvedLicenseFeature {
  const resolved =
    purpose === "release" ? resolveLicenseToRelease(context, lookup, apiKey) : resolveLicense(context, lookup, apiKey, nowMs);
  const feature = context.feature;
  if (!feature || feature.id === null) {
    if (purpose === "consume") throw new ApiError("unsupported_product_feature");
    throw new ApiError(
      "invalid_license_feature_code",
      `License feature code: ${JSON.stringify(lookup.featureCode ?? "")} is invalid or not assigned to the license`,
    );
  }
  if (purpose === "consume") {
    if (feature.featureType !== "consumption") {
      throw new ApiError("unsupported_product_feature", `Feature "${feature.code}" is an activation feature, not a consumption feature`);
    }
    if (isExpired(feature.expiryDate, nowMs))
      throw new ApiError("feature_expired", `Feature "${feature.code}" expired at ${feature.expiryDate}`);
  }
  return { ...resolved, feature: { ...feature, id: feature.id } };
}
