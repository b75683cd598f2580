/**
 * The activity log: one entry per vendor action, naming who did it (the actor), what (the action),
 * to what (the target, and the license it concerns), the values before and after, and when. Written
 * by the management API's writes (src/db/activity.ts), read and filtered here.
 */
import { z } from "zod";
import { decimal, instant, resourceId, text } from "./fields";
import { ManagementRole } from "./management-key";
import { pagination } from "./page";

/**
 * Every action the log records. To record a new kind of vendor action, add it here and pass it to
 * activityStatement (or recordActivity) with the change.
 */
export const ACTIVITY_ACTIONS = [
  "product.created",
  "product.updated",
  "product.deleted",
  "product_feature.created",
  "product_feature.updated",
  "product_feature.deleted",
  "product_feature.added_to_licenses",
  "custom_field.created",
  "product_version.created",
  "product_version.updated",
  "license.issued",
  "license.updated",
  "license.enabled",
  "license.disabled",
  "license.archived",
  "license.restored",
  "license_feature.added",
  "license_feature.updated",
  "license_feature.removed",
  "license_feature.reset",
  "license_consumption.updated",
  "license_consumption.reset",
  "device.blacklisted",
  "device.unblacklisted",
  "device.deactivated",
  "customer.created",
  "customer.updated",
  "api_key.created",
  "api_key.made_read_only",
  "api_key.revoked",
  "management_key.created",
  "management_key.revoked",
  "import.api_keys",
  "import.licenses",
  "import.devices",
  "import.totals",
  "webhook_endpoint.created",
  "webhook_endpoint.updated",
  "webhook_delivery.resent",
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];
const ActivityActionSchema = z.enum(ACTIVITY_ACTIONS).meta({ id: "ActivityAction" });

/** What an action is done to; `target_id` is that thing's id (none for an import, which has many). */
export const ACTIVITY_TARGETS = [
  "product",
  "product_feature",
  "custom_field",
  "product_version",
  "license",
  "license_feature",
  "device",
  "customer",
  "api_key",
  "management_key",
  "import",
  "webhook_endpoint",
  "webhook_delivery",
] as const;
export type ActivityTarget = (typeof ACTIVITY_TARGETS)[number];
const ActivityTargetSchema = z.enum(ACTIVITY_TARGETS).meta({ id: "ActivityTarget" });

export const ACTOR_TYPES = ["bootstrap", "management_key", "access"] as const;
/** How a caller signed in: the bootstrap key MANAGEMENT_KEY, a named management key, or Cloudflare Access. */
const ActorType = z.enum(ACTOR_TYPES).meta({ id: "ActorType" });

/** Filters (all optional, combined with AND); `from` inclusive, `to` exclusive. Newest first. */
export const ActivityQuery = z
  .object({
    ...pagination,
    /** The actor's name: a management key's name, an Access e-mail or MANAGEMENT_KEY (case-insensitive). */
    actor: text("actor").optional(),
    action: ActivityActionSchema.optional(),
    target_type: ActivityTargetSchema.optional(),
    target_id: decimal("target_id").optional(),
    /** Everything about one license: the license, its features, counters and devices. */
    license_id: decimal("license_id").optional(),
    from: instant("from").optional(),
    to: instant("to").optional(),
  })
  .strict();
export type ActivityQuery = z.infer<typeof ActivityQuery>;

/** The values an action changed: field → value (null when there was nothing, as before a creation). */
const values = z.record(z.string(), z.unknown()).nullable();

export const ActivityResource = z
  .object({
    id: resourceId(),
    created_at: z.string(),
    actor: z.string(),
    actor_type: ActorType,
    action: ActivityActionSchema,
    target_type: ActivityTargetSchema,
    target_id: resourceId().nullable(),
    license_id: resourceId().nullable(),
    before: values,
    after: values,
  })
  .meta({ id: "ActivityEntry" });
export type ActivityResource = z.infer<typeof ActivityResource>;

/** Who is calling, as GET /api/v1/me answers it: what the console shows and which actions it offers. */
export const CallerResource = z
  .object({
    name: z.string(),
    type: ActorType,
    role: ManagementRole,
  })
  .meta({ id: "Caller" });
