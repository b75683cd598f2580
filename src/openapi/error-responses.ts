/**
 * The error responses of one operation: exactly the codes it can answer, grouped by HTTP status,
 * each status described by its codes and when. A route's codes are those its shape implies (below)
 * and those it declares (`errors` in its description, src/http/route.ts):
 *
 * - every operation: too_many_requests (429, the client address's rate limit);
 * - every management operation: unauthorized (401) and forbidden (403);
 * - an operation with a path parameter: not_found (404), the resource it names may not exist;
 * - an operation with parameters, a query or a body: validation_error, and missing_parameters where
 *   a required field can be absent (400); with a JSON body also invalid_json,
 *   invalid_content_type, body_too_large and client_aborted.
 *
 * Anything else a handler can throw (a conflict, a resource named in the body) the route declares.
 */
import type { z } from "zod";
import { statusFor, type ApiErrorCode } from "../errors";
import type { DeclaredErrors, RouteDescription } from "../http/route";
import { objectShape } from "./component-schemas";

const BODY_ERRORS: DeclaredErrors = {
  invalid_json: "the body is not JSON",
  invalid_content_type: "Content-Type is not application/json",
  body_too_large: "the body is larger than the endpoint takes",
  client_aborted: "the client stopped sending the body before it was complete",
};

/** The codes a route's shape implies, management or License API alike (the API's own codes aside). */
export function impliedErrors(route: Pick<RouteDescription, "path" | "params" | "query" | "body">, rows = false): DeclaredErrors {
  const takesInput = route.params !== undefined || route.query !== undefined || route.body !== undefined || rows;
  // An import's bad rows are validation_error, each naming its field (missing or not).
  const canMissFields = route.body !== undefined || (route.query !== undefined && hasRequiredField(route.query));
  return {
    ...(takesInput ? { validation_error: "a parameter or field is not valid (the message names it and says what it expects)" } : {}),
    ...(canMissFields ? { missing_parameters: "a required field is absent" } : {}),
    ...(route.body !== undefined || rows ? BODY_ERRORS : {}),
    ...(/\{\w+\}/.test(route.path) ? { not_found: "nothing has the id or code in the path" } : {}),
  };
}

/** Whether a query schema has a field that must be sent. */
function hasRequiredField(schema: z.ZodType): boolean {
  return Object.values(objectShape(schema)).some((field) => !field.safeParse(undefined).success);
}

/**
 * `errors` grouped by status: each status's description lists its codes and when. 429 carries
 * Retry-After, seconds to wait.
 */
export function errorResponses(errors: DeclaredErrors, schemaFor: (status: number) => unknown): Record<string, unknown> {
  const byStatus = new Map<number, string[]>();
  for (const [code, when] of Object.entries(errors) as Array<[ApiErrorCode, string]>) {
    const status = statusFor(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), `\`${code}\`: ${when}`]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, lines] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: lines.join("; "),
      content: { "application/json": { schema: schemaFor(status) } },
      ...(status === 429
        ? {
            headers: {
              "Retry-After": {
                description: "Seconds to wait before trying again",
                required: true,
                schema: { type: "integer", minimum: 1 },
              },
            },
          }
        : {}),
    };
  }
  return responses;
}
