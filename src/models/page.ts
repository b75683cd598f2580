/**
 * Keyset pagination of the management lists: `limit` rows after `cursor`, the `next_cursor` of the
 * previous page (opaque to clients; null on the last page).
 */
import { z } from "zod";
import { urlValueTypes } from "../openapi/url-value-types";
import { decimal } from "./fields";

export const MAX_PAGE_SIZE = 200;

/** A list's `limit`: 1 to `max` rows, `fallback` when absent. */
export const pageLimit = (max: number, fallback: number) =>
  decimal("limit", max).default(fallback).register(urlValueTypes, { type: "integer", minimum: 1, maximum: max, default: fallback });

export const pagination = {
  limit: pageLimit(MAX_PAGE_SIZE, 50),
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
