/** The error body of both APIs (src/errors.ts builds it), and an import's, which names every bad row. */
import { z } from "zod";

export const ErrorResource = z.object({ status: z.number().int(), code: z.string(), message: z.string() });

/** A failed import: `errors` names every bad row (1-based number, field, message); nothing was imported. */
export const ImportErrorResource = ErrorResource.extend({
  errors: z.array(z.object({ row: z.number().int(), field: z.string().nullable(), message: z.string() })).optional(),
});
