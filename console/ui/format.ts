/** How the console names things, in one place. */
import type { License, LicenseFeature } from "../types";

/** A license's name in lists and titles: its key, or its users for user-based licenses. */
export const licenseName = (license: Pick<License, "id" | "license_key" | "users">) =>
  license.license_key ?? (license.users.length > 0 ? license.users.join(", ") : `License ${license.id}`);

export const seats = (license: Pick<License, "max_activations" | "allow_unlimited_activations">) =>
  license.allow_unlimited_activations ? "unlimited" : String(license.max_activations);

export function licenseState(license: Pick<License, "enabled" | "active" | "validity_period" | "archived_at">): {
  state: string;
  tone: "ok" | "bad" | "warn" | "muted";
} {
  if (license.archived_at) return { state: "archived", tone: "muted" };
  if (!license.enabled) return { state: "disabled", tone: "bad" };
  if (license.validity_period && Date.parse(license.validity_period) < Date.now()) return { state: "expired", tone: "bad" };
  return license.active ? { state: "active", tone: "ok" } : { state: "not activated", tone: "muted" };
}

export const number = (value: number) => value.toLocaleString("en-US");

/** A counter's rules as the license page and the plots read them. */
export interface CounterRules {
  max_consumption: number;
  allow_unlimited_consumptions: boolean;
  allow_overages: boolean;
  max_overages: number;
}

/** The most a counter may reach (cap + overage), or null when unlimited. */
export const hardLimit = (rules: CounterRules) =>
  rules.allow_unlimited_consumptions ? null : rules.max_consumption + (rules.allow_overages ? rules.max_overages : 0);

export const isConsumption = (feature: Pick<LicenseFeature, "feature_type">) => feature.feature_type === "consumption";
