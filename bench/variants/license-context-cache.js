// Variant: the license context (product → license → device → feature rules) cached per isolate
// for 60 s (one D1 query per request fewer; a vendor's change would apply up to 60 s late).
export * from "../../src/db/license-context.ts";
import { findLicenseContext as findInD1 } from "../../src/db/license-context.ts";

const cache = new Map();
export async function findLicenseContext(db, lookup) {
  const key = JSON.stringify([lookup.product, lookup.licenseKey, lookup.username, lookup.licenseId, lookup.hardwareId, lookup.featureCode]);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < 60_000) return hit.value;
  const value = await findInD1(db, lookup);
  cache.set(key, { value, at: Date.now() });
  return value;
}
