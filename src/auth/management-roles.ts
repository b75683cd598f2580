/**
 * Who may do what on the management API (docs/management-api.md "Management keys and roles").
 * Every caller is a ManagementActor with one role; every route declares the least role it needs
 * (src/management/route-roles.ts), and a caller whose role is lower is refused with 403 forbidden
 * before anything else about the request is looked at.
 *
 * - read-only: every GET (the management keys' list aside);
 * - support: also changes licenses, their features, counters, customers and devices (the day-to-day
 *   work of customer support), but neither products nor credentials nor imports;
 * - admin: everything, including products, License API keys, management keys and imports.
 */

/** The roles, least first: a role may do everything the roles before it may. */
export const MANAGEMENT_ROLES = ["read-only", "support", "admin"] as const;
export type ManagementRole = (typeof MANAGEMENT_ROLES)[number];

/** Whether a caller holding `held` may call a route that needs `needed`. */
export function roleAllows(held: ManagementRole, needed: ManagementRole): boolean {
  return MANAGEMENT_ROLES.indexOf(held) >= MANAGEMENT_ROLES.indexOf(needed);
}

/**
 * An authenticated caller of the management API, as the activity log names it:
 * - "bootstrap": the Worker secret MANAGEMENT_KEY (always admin), named "MANAGEMENT_KEY";
 * - "management_key": a named management key, by its name (and id);
 * - "access": a person (or service token) signed in through Cloudflare Access, by e-mail (or the
 *   service token's client id).
 */
export interface ManagementActor {
  type: "bootstrap" | "management_key" | "access";
  name: string;
  role: ManagementRole;
  /** The named management key's id; null for the other kinds. */
  keyId: number | null;
}
