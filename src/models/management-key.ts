/**
 * A named management key: who calls the management API (its name is the actor of the activity
 * log), with what role. The key itself is answered once, when it is created; only its hash is kept.
 */
import { z } from "zod";
import { MANAGEMENT_ROLES } from "../auth/management-roles";
import { typeMessage } from "../license-api/schemas";
import { decimal, resourceId, text } from "./fields";

export const ManagementRole = z
  .enum(MANAGEMENT_ROLES, typeMessage("role", `one of ${MANAGEMENT_ROLES.join(", ")}`))
  .meta({ id: "ManagementRole" });

export const ManagementKeyPath = z.object({ management_key_id: decimal("management_key_id") });

export const CreateManagementKeyBody = z
  .object({
    /** Who holds the key ("ci-deploy", "ann@acme.com"): the activity log names every change made with it so. */
    name: text("name", 64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._@+-]*$/, 'name may contain letters, digits, spaces and ".", "_", "@", "+", "-"')
      .refine((name) => name.toUpperCase() !== "MANAGEMENT_KEY", "name MANAGEMENT_KEY is the bootstrap key's"),
    role: ManagementRole,
  })
  .strict();
export type CreateManagementKeyBody = z.infer<typeof CreateManagementKeyBody>;

/** A key as listed: never the key itself. */
export const ManagementKeyResource = z
  .object({
    id: resourceId(),
    name: z.string(),
    role: ManagementRole,
    /** The key's first characters, to tell keys apart. */
    key_prefix: z.string(),
    created_at: z.string(),
    /** Who created it (the actor's name). */
    created_by: z.string(),
    revoked_at: z.string().nullable(),
    revoked_by: z.string().nullable(),
  })
  .meta({ id: "ManagementKey" });
export type ManagementKeyResource = z.infer<typeof ManagementKeyResource>;

/** Only the creating response carries the key; it is never shown again. */
export const CreatedManagementKeyResource = ManagementKeyResource.extend({ key: z.string() }).meta({ id: "CreatedManagementKey" });
