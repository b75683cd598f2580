/**
 * A License API key: the credentials client applications sign requests with (the API key, and its
 * shared key, shown once), the company whose products it reaches, and what it may do.
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { bodyId, decimal, flag, resourceId } from "./fields";

export const ApiKeyPath = z.object({ api_key_id: decimal("api_key_id") });

/** The key's reach, as creating and importing a key take it. */
export const apiKeyScopeFields = {
  read_only: flag("read_only").default(false),
  /** The company whose products the key reaches (docs/protocol.md "API keys belong to a company"). */
  company_id: bodyId("company_id").default(1),
  /** Limits the key to these products of its company; absent: every product of the company. */
  product_ids: z
    .array(bodyId("product_ids item"), typeMessage("product_ids", "an array of product ids"))
    .min(1, "product_ids must name at least one product (leave it out to allow every product of the company)")
    .max(100, "product_ids may name at most 100 products")
    .transform((ids) => [...new Set(ids)].sort((a, b) => a - b))
    .optional(),
};

export const CreateApiKeyBody = z.object(apiKeyScopeFields).strict();
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

/** A key as listed: never its shared key. */
export const ApiKeyResource = z
  .object({
    id: resourceId(),
    api_key: z.string(),
    company_id: resourceId(),
    /** null: every product of the company. */
    product_ids: z.array(resourceId()).nullable(),
    read_only: z.boolean(),
    revoked: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: "ApiKey" });
export type ApiKeyResource = z.infer<typeof ApiKeyResource>;

/** Only the creating response carries the shared key; it is never shown again. */
export const CreatedApiKeyResource = ApiKeyResource.extend({ shared_key: z.string() }).meta({ id: "CreatedApiKey" });
