/** The error body of both APIs (src/errors.ts builds it), and an import's, which names every bad row. */
import { z } from "zod";
import { API_ERROR_CODES } from "../errors";

export const ErrorResource = z
  .object({
    status: z.number().int(),
    /** One of the documented codes (docs/protocol.md "Errors", docs/management-api.md "Errors"). */
    code: z.enum(API_ERROR_CODES),
    message: z.string(),
  })
  .meta({ id: "Error" });

/** A failed import: `errors` names every bad row (1-based number, field, message); nothing was imported. */
export const ImportErrorResource = ErrorResource.extend({
  errors: z.array(z.object({ row: z.number().int(), field: z.string().nullable(), message: z.string() })).optional(),
}).meta({ id: "ImportError" });
