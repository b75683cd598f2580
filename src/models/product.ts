/** A product: what clients name as `product` (its short code), with the company it belongs to. */
import { z } from "zod";
import { bodyId, changes, code, decimal, metadata, metadataResource, resourceId, text } from "./fields";

export const AuthorizationMethod = z.enum(["license-key", "user"]).meta({ id: "AuthorizationMethod" });
export type AuthorizationMethod = z.infer<typeof AuthorizationMethod>;

export const ProductPath = z.object({ product_id: decimal("product_id") });

export const CreateProductBody = z
  .object({
    short_code: code("short_code"),
    name: text("name"),
    authorization_method: AuthorizationMethod.default("license-key"),
    company_id: bodyId("company_id").default(1),
    metadata: metadata.default({}),
  })
  .strict();
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = changes({ name: text("name"), metadata });
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const ProductResource = z
  .object({
    id: resourceId(),
    short_code: z.string(),
    name: z.string(),
    authorization_method: AuthorizationMethod,
    company_id: resourceId(),
    created_at: z.string(),
    metadata: metadataResource,
  })
  .meta({ id: "Product" });
export type ProductResource = z.infer<typeof ProductResource>;
