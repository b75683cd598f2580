/**
 * The least role each management route needs (src/auth/management-roles.ts), decided here and
 * nowhere else: by the route's tag, one role to read (GET) and one to change anything. The router
 * refuses a caller below it (403 forbidden) and the OpenAPI document states it on every operation
 * (`x-required-role`).
 */
import type { ManagementRole } from "../auth/management-roles";
import type { HttpMethod } from "../http/route";

/** The management API's resource groups (OpenAPI tags). */
export const MANAGEMENT_TAGS = [
  "Products",
  "Licenses",
  "Customers",
  "Devices",
  "API keys",
  "Management keys",
  "Activity",
  "Audit log",
  "Usage",
  "Webhooks",
  "Import",
] as const;
export type ManagementTag = (typeof MANAGEMENT_TAGS)[number];

const TAG_ROLES: Record<ManagementTag, { read: ManagementRole; write: ManagementRole }> = {
  // The catalogue (products, features and their defaults, custom fields) is the admin's.
  Products: { read: "read-only", write: "admin" },
  // Customer support's day: licenses (terms, features, counters), customers, devices.
  Licenses: { read: "read-only", write: "support" },
  Customers: { read: "read-only", write: "support" },
  Devices: { read: "read-only", write: "support" },
  // Credentials: License API keys (listed without secrets) and management keys (listed to admins only).
  "API keys": { read: "read-only", write: "admin" },
  "Management keys": { read: "admin", write: "admin" },
  // Who did what, and who is calling; the consumption audit log.
  Activity: { read: "read-only", write: "admin" },
  "Audit log": { read: "read-only", write: "admin" },
  // Usage reports and the billing export are reads; webhook endpoints are credentials of a kind (a
  // URL may carry a token, as Slack's do), so only admins see or change them.
  Usage: { read: "read-only", write: "admin" },
  Webhooks: { read: "admin", write: "admin" },
  // Bulk imports write every kind of thing at once, keys included.
  Import: { read: "admin", write: "admin" },
};

export function routeRole(method: HttpMethod, tag: ManagementTag): ManagementRole {
  return method === "get" ? TAG_ROLES[tag].read : TAG_ROLES[tag].write;
}
