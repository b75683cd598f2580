/**
 * Keyset pagination of the management lists: `limit` rows after `cursor`, the `next_cursor` of the
 * previous page (opaque to clients; null on the last page).
 */
import { z } from "zod";
import { decimal } from "./fields";

export const MAX_PAGE_SIZE = 200;

export const pagination = {
  limit: decimal("limit")
    .pipe(z.number().max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`))
    .default(50),
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, "cursor must be a next_cursor value from a previous page")
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, "cursor must be a next_cursor value from a previous page"))
    .optional(),
};

export const PageQuery = z.object(pagination).strict();
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of `item`s as answered. */
export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
