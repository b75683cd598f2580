/**
 * Keyset pagination of the management lists: `limit` rows after `cursor`, the `next_cursor` of the
 * previous page (opaque to clients; null on the last page).
 */
import { z } from "zod";
import { urlValueTypes } from "../openapi/url-value-types";
import { decimal } from "./fields";

export const MAX_PAGE_SIZE = 200;

export const pagination = {
  limit: decimal("limit", MAX_PAGE_SIZE)
    .default(50)
    .register(urlValueTypes, { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 }),
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, "cursor must be a next_cursor value from a previous page")
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, "cursor must be a next_cursor value from a previous page"))
    .optional(),
};

export const PageQuery = z.object(pagination).strict();
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of `item`s as answered, named "<item>Page" in the OpenAPI document when the item is named ("LicensePage"). */
export function page<T extends z.ZodType>(item: T) {
  const schema = z.object({ data: z.array(item), next_cursor: z.string().nullable() });
  const id = z.globalRegistry.get(item)?.id;
  return id ? schema.meta({ id: `${id}Page` }) : schema;
}
