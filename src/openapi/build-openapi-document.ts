/**
 * The OpenAPI 3.1 document of both APIs, generated from the route descriptions both routers run
 * (src/http/route.ts) and their zod schemas (zod's own z.toJSONSchema): the License API route table
 * (src/license-api/routes.ts) and the management route table (src/management/routes.ts). Served at
 * GET /api/openapi.json.
 */
import { z } from "zod";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "../http/read-import-body";
import type { RouteDescription } from "../http/route";
import type { LicenseApiRoute } from "../license-api/license-api-route";
import { licenseApiRoutes } from "../license-api/routes";
import type { ManagementRoute } from "../management/management-route";
import { managementRoutes } from "../management/routes";
import { ErrorResource, ImportErrorResource } from "../models/error";

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

/** JSON Schema (2020-12, the dialect of OpenAPI 3.1) of what a client sends: inputs before zod's transforms. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    reused: "inline",
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}

/** The object inside refinements and transforms, whose keys become path or query parameters. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  if (schema instanceof z.ZodPipe) return objectShape(schema.in as z.ZodType);
  throw new Error("parameters must be described by a zod object");
}

function parameters(schema: z.ZodType | undefined, location: "path" | "query"): Operation[] {
  if (!schema) return [];
  return Object.entries(objectShape(schema)).map(([name, field]) => ({
    name,
    in: location,
    // Optional when absent is valid input (optional, or with a default).
    required: location === "path" || !field.safeParse(undefined).success,
    schema: jsonSchema(field),
  }));
}

const json = (schema: z.ZodType) => ({ "application/json": { schema: jsonSchema(schema) } });
const errorResponse = (description: string, schema: z.ZodType = ErrorResource) => ({ description, content: json(schema) });
/** A limit's answer (429): the error body and Retry-After, in seconds. */
const limitResponse = (description: string) => ({
  ...errorResponse(description),
  headers: {
    "Retry-After": { description: "Seconds to wait before trying again", required: true, schema: { type: "integer", minimum: 1 } },
  },
});

/** What every operation takes from its route's description: summary, parameters and request body. */
function describedOperation(route: RouteDescription): Operation {
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
    ...(route.body ? { requestBody: { required: true, content: json(route.body) } } : {}),
  };
}

/** An import's body: a JSON array of rows, or the same rows as NDJSON (one JSON object per line). */
function importBody(row: z.ZodType) {
  const limits = `At most ${MAX_IMPORT_ROWS} rows and ${MAX_IMPORT_BYTES} bytes per call.`;
  return {
    required: true,
    description: `The rows to import. ${limits}`,
    content: {
      "application/json": { schema: { type: "array", minItems: 1, maxItems: MAX_IMPORT_ROWS, items: jsonSchema(row) } },
      "application/x-ndjson": {
        schema: { type: "string", description: "One row per line, each a JSON object as the items of application/json's array" },
      },
    },
  };
}

function managementOperation(route: ManagementRoute): Operation {
  return {
    operationId: `${route.method}${route.path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    tags: [route.tag],
    ...describedOperation(route),
    security: [{ managementKey: [] }],
    ...(route.rows ? { requestBody: importBody(route.rows) } : {}),
    responses: {
      [String(route.status ?? 200)]: route.csv
        ? { description: "CSV (RFC 4180), header row first", content: { "text/csv": { schema: { type: "string" } } } }
        : { description: "Success", content: json(route.response) },
      "400": route.rows
        ? errorResponse(
            "validation_error (with `errors`: every bad row by number and field; nothing was imported), invalid_json, " +
              "invalid_content_type, body_too_large or client_aborted",
            ImportErrorResource,
          )
        : errorResponse("validation_error, missing_parameters, invalid_json, invalid_content_type, body_too_large or client_aborted"),
      "401": errorResponse("unauthorized: no management key"),
      "403": errorResponse("forbidden: wrong management key"),
      "404": errorResponse("not_found"),
      "409": errorResponse("conflict"),
      "429": limitResponse("too_many_requests: the client address is over its rate limit; Retry-After says when to try again"),
    },
  };
}

/** GET /api/v4/public_key, the one License API endpoint that is not a licenseApiRoute. */
const publicKeyOperation: Operation = {
  operationId: "public_key",
  tags: ["License API"],
  summary: "The PEM (SPKI) public key that verifies LicenseSignature",
  security: [],
  parameters: [],
  responses: {
    "200": { description: "Success", content: { "text/plain": { schema: { type: "string" } } } },
    "429": limitResponse("too_many_requests: the client address is over its rate limit; Retry-After says when to try again"),
  },
};

function licenseApiOperation(route: LicenseApiRoute): Operation {
  const described = describedOperation(route);
  return {
    operationId: route.path.split("/").at(-1),
    tags: ["License API"],
    ...described,
    ...(route.textBody
      ? {
          requestBody: {
            required: true,
            content: { "text/plain": { schema: { type: "string", description: route.textBody.description } } },
          },
        }
      : {}),
    security: [{ licenseHmac: [] }],
    parameters: [
      { name: "Date", in: "header", required: true, description: "RFC 7231 GMT date, at most 15 minutes old", schema: { type: "string" } },
      ...(described.parameters as Operation[]),
    ],
    responses: {
      "200": {
        description: "Success. The body is signed: LicenseSignature = base64 RSASSA-PKCS1-v1_5/SHA-256 over its exact bytes.",
        headers: { LicenseSignature: { schema: { type: "string" }, required: true } },
        content: json(route.response),
      },
      "400": errorResponse(
        "Every documented License API error (docs/protocol.md): authorization errors, request-shape errors (validation_error, " +
          "client_aborted, ...), then unknown_product (also for another company's product), api_key_product_not_allowed, license_not_found, ...",
      ),
      "429": limitResponse(
        "too_many_requests (the client address or the API key is over its rate limit) or, where a license user's password is checked, " +
          "too_many_password_attempts; Retry-After says when to try again",
      ),
    },
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  const add = (path: string, method: string, operation: Operation) => {
    paths[path] = { ...paths[path], [method]: operation };
  };
  add("/api/v4/public_key", "get", publicKeyOperation);
  for (const route of licenseApiRoutes) add(route.path, route.method, licenseApiOperation(route));
  for (const route of managementRoutes) add(route.path, route.method, managementOperation(route));
  return {
    openapi: "3.1.0",
    info: {
      title: "Edge License API",
      version: "1",
      description:
        "A LicenseSpring-compatible License API (/api/v4, HMAC-signed by clients, responses signed by the server) and the vendor's " +
        "management API (/api/v1, management key). Lists are paginated by `limit` (1-200, default 50) and `cursor` (the previous page's `next_cursor`).",
    },
    tags: [
      { name: "License API", description: "What client applications call (the official SDKs)" },
      { name: "Products" },
      { name: "Licenses" },
      { name: "Devices" },
      { name: "API keys", description: "License API credentials" },
      { name: "Audit log" },
      { name: "Import", description: "Bulk imports for a migration from LicenseSpring (docs/migration.md)" },
      {
        name: "Usage",
        description: "Usage reports from the rollups, the billing export and the reconciliation check (docs/usage-and-webhooks.md)",
      },
      { name: "Webhooks", description: "Endpoints, their events and the delivery log (docs/usage-and-webhooks.md)" },
    ],
    components: {
      securitySchemes: {
        managementKey: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "`Api-Key <management key>` (the Worker secret MANAGEMENT_KEY)",
        },
        licenseHmac: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description:
            'algorithm="hmac-sha256",headers="date",signature="<base64 HMAC-SHA256(shared key, "licenseSpring\\ndate: " + Date)>",apikey="<API key>"',
        },
      },
    },
    paths,
  };
}
