/**
 * What a counter object decides with: the license (state, rules, product), its users, its devices
 * and, for a feature counter, the feature's effective rules and expiry. Read from D1 on first use
 * or taken from a caller that read it (src/db/counter-snapshot.ts), kept in the object's storage
 * and memory, and marked stale when a write tells the object (docs/architecture.md "What each layer remembers").
 * Pure functions over it live here so they can be read alone.
 */
import type { Device, License, LicenseContext, LicenseFeature, LicenseLookup, Product } from "../db/license-context";

/** Which counter an object is: a license feature's, or a license's own (license_type "consumption"). */
export interface CounterTarget {
  licenseId: number;
  /** null for the license's own counter */
  licenseFeatureId: number | null;
}

/**
 * A snapshot as D1 answered it: the rows of each statement of src/db/counter-snapshot.ts, the
 * fingerprint of those statements, and when the read started (ms). Any object of the license can
 * take it: the one that read it stores it, and a caller that read it passes it on (a seed).
 */
export interface SnapshotRead {
  shape: string;
  rows: unknown[][];
  readAt: number;
}

export interface CounterSnapshot {
  product: Product;
  license: License;
  /**
   * The license's users as stored; `isDefault`: a request naming this user without a license_id
   * gets this license (it is the one the user's licenses of the product order first).
   */
  users: Array<{ username: string; isDefault: boolean }>;
  /** Devices that are active or blacklisted, by hardware id (any other device is unknown). */
  devices: Map<string, Device>;
  /** The feature, for a feature counter; null for a license counter. */
  feature: (LicenseFeature & { id: number }) | null;
}

/** SQLite's NOCASE collation (usernames are COLLATE NOCASE): ASCII letters fold, nothing else. */
export const foldAscii = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/**
 * Whether the request's identity names this counter, exactly as the D1 lookup would have found
 * it (src/db/license-context.ts). A Worker's cached route can go stale (a newer license for the
 * same user), so the object checks before deciding; false sends the Worker back to D1.
 */
export function namesThisCounter(snapshot: CounterSnapshot, lookup: LicenseLookup): boolean {
  const { product, license, feature } = snapshot;
  if (lookup.product !== product.shortCode) return false;
  if (lookup.licenseId !== undefined && lookup.licenseId !== license.id) return false;
  if (feature && lookup.featureCode !== feature.code) return false;
  if (!feature && lookup.featureCode !== undefined) return false;
  if (lookup.licenseKey !== undefined) return lookup.licenseKey === license.licenseKey;
  if (lookup.username === undefined) return false;
  const username = foldAscii(lookup.username);
  const user = snapshot.users.find((candidate) => foldAscii(candidate.username) === username);
  return user !== undefined && (lookup.licenseId !== undefined || user.isDefault);
}

/** The snapshot as the License API's precedence code reads a license (src/license-api/resolve-license.ts). */
export function contextOf(snapshot: CounterSnapshot, lookup: LicenseLookup): LicenseContext {
  return {
    product: snapshot.product,
    license: snapshot.license,
    device: snapshot.devices.get(lookup.hardwareId) ?? null,
    feature: snapshot.feature,
  };
}
