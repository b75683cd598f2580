/**
 * The OpenAPI 3.1 document of both APIs, generated from the route descriptions both routers run
 * (src/http/route.ts) and their zod schemas (./component-schemas.ts): the License API route table
 * (src/license-api/routes.ts) and the management route table (src/management/routes.ts). Each
 * operation has its route's operationId, its named schemas as `$ref`s, and exactly the error
 * responses its route can answer (./error-responses.ts). Served at GET /api/openapi.json.
 */
import { z } from "zod";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "../http/read-import-body";
import type { DeclaredErrors, RouteDescription } from "../http/route";
import type { LicenseApiRoute } from "../license-api/license-api-route";
import { licenseApiRoutes } from "../license-api/routes";
import type { ManagementRoute } from "../management/management-route";
import { managementRoutes } from "../management/routes";
import { ErrorResource, ImportErrorResource } from "../models/error";
import { ComponentSchemas, objectShape } from "./component-schemas";
import { errorResponses, impliedErrors } from "./error-responses";

type Operation = Record<string, unknown>;

const TOO_MANY_REQUESTS: DeclaredErrors = {
  too_many_requests: "the client address (or, on the License API, the API key) is over its rate limit; Retry-After says when to try again",
};

/** What every management operation can answer besides what its shape implies; `role` is the least the route needs. */
const managementErrors = (role: ManagementRoute["role"]): DeclaredErrors => ({
  unauthorized: "no management key (nor, behind Cloudflare Access, an Access token)",
  forbidden: `the management key or Access token is not valid, or the caller's role is below ${role}`,
  ...TOO_MANY_REQUESTS,
});

/** What every License API operation can answer besides what its shape implies (docs/protocol.md "Errors"). */
const LICENSE_API_ERRORS: DeclaredErrors = {
  invalid_api_key:
    "an authorization error (also date_header_diff, authorization_invalid_headers, hmac_required, signature_mismatch, " +
    "authorization_missing_params, revoked_api_key, read_only_api_key), then the license errors the endpoint decides " +
    "(unknown_product, api_key_product_not_allowed, license_not_found, ...): every License API error is HTTP 400, as LicenseSpring's",
  ...TOO_MANY_REQUESTS,
};

/** The document being built: its component schemas, and how routes become operations. */
class DocumentBuilder {
  readonly components = new ComponentSchemas();
  readonly #error = this.components.of(ErrorResource);

  json(schema: z.ZodType) {
    return { "application/json": { schema: this.components.of(schema) } };
  }

  parameters(schema: z.ZodType | undefined, location: "path" | "query"): Operation[] {
    if (!schema) return [];
    return Object.entries(objectShape(schema)).map(([name, field]) => ({
      name,
      in: location,
      // Optional when absent is valid input (optional, or with a default).
      required: location === "path" || !field.safeParse(undefined).success,
      schema: this.components.of(field),
    }));
  }

  /** What every operation takes from its route's description: its id, summary, parameters and request body. */
  described(route: RouteDescription): Operation {
    return {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      parameters: [...this.parameters(route.params, "path"), ...this.parameters(route.query, "query")],
      ...(route.body ? { requestBody: { required: true, content: this.json(route.body) } } : {}),
    };
  }

  /** The route's error responses: what every operation of its API answers, what its shape implies, what it declares. */
  errors(route: RouteDescription, apiErrors: DeclaredErrors, rows?: z.ZodType): Record<string, unknown> {
    const importError = rows && this.components.of(ImportErrorResource);
    return errorResponses(
      {
        ...impliedErrors(route, rows !== undefined),
        ...(rows ? { validation_error: "a row is not valid: `errors` names every bad row by number and field; nothing was imported" } : {}),
        ...route.errors,
        ...apiErrors,
      },
      (status) => (importError && status === 400 ? importError : this.#error),
    );
  }

  /** An import's body: a JSON array of rows, or the same rows as NDJSON (one JSON object per line). */
  importBody(row: z.ZodType) {
    const limits = `At most ${MAX_IMPORT_ROWS} rows and ${MAX_IMPORT_BYTES} bytes per call.`;
    return {
      required: true,
      description: `The rows to import. ${limits}`,
      content: {
        "application/json": { schema: { type: "array", minItems: 1, maxItems: MAX_IMPORT_ROWS, items: this.components.of(row) } },
        "application/x-ndjson": {
          schema: { type: "string", description: "One row per line, each a JSON object as the items of application/json's array" },
        },
      },
    };
  }

  management(route: ManagementRoute): Operation {
    return {
      tags: [route.tag],
      ...this.described(route),
      // The least role the caller needs (src/management/route-roles.ts).
      "x-required-role": route.role,
      security: [{ managementKey: [] }],
      ...(route.rows ? { requestBody: this.importBody(route.rows) } : {}),
      responses: {
        [String(route.status ?? 200)]: route.csv
          ? { description: "CSV (RFC 4180), header row first", content: { "text/csv": { schema: { type: "string" } } } }
          : { description: "Success", content: this.json(route.response) },
        ...this.errors(route, managementErrors(route.role), route.rows),
      },
    };
  }

  licenseApi(route: LicenseApiRoute): Operation {
    const described = this.described(route);
    return {
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
        {
          name: "Date",
          in: "header",
          required: true,
          description: "RFC 7231 GMT date, at most 15 minutes old",
          schema: { type: "string" },
        },
        ...(described.parameters as Operation[]),
      ],
      responses: {
        "200": {
          description: "Success. The body is signed: LicenseSignature = base64 RSASSA-PKCS1-v1_5/SHA-256 over its exact bytes.",
          headers: { LicenseSignature: { schema: { type: "string" }, required: true } },
          content: this.json(route.response),
        },
        ...this.errors(route, LICENSE_API_ERRORS),
      },
    };
  }

  /** GET /api/v4/public_key, the one License API endpoint that is not a licenseApiRoute. */
  publicKey(): Operation {
    return {
      operationId: "getPublicKey",
      tags: ["License API"],
      summary: "The PEM (SPKI) public key that verifies LicenseSignature",
      security: [],
      parameters: [],
      responses: {
        "200": { description: "Success", content: { "text/plain": { schema: { type: "string" } } } },
        ...errorResponses(TOO_MANY_REQUESTS, () => this.#error),
      },
    };
  }
}

/** Where the document says the API is when it is not served (a static copy): replace the host with yours. */
export const PLACEHOLDER_SERVER = "https://licenses.example.com";

/**
 * The document, with `serverUrl` as its one server: the origin it is served from
 * (./openapi-route.ts), or PLACEHOLDER_SERVER.
 */
export function buildOpenApiDocument(serverUrl = PLACEHOLDER_SERVER): Record<string, unknown> {
  const builder = new DocumentBuilder();
  const paths: Record<string, Record<string, Operation>> = {};
  const add = (path: string, method: string, operation: Operation) => {
    paths[path] = { ...paths[path], [method]: operation };
  };
  add("/api/v4/public_key", "get", builder.publicKey());
  for (const route of licenseApiRoutes) add(route.path, route.method, builder.licenseApi(route));
  for (const route of managementRoutes) add(route.path, route.method, builder.management(route));
  return {
    openapi: "3.1.0",
    info: {
      title: "Edge License API",
      version: "1",
      description:
        "A LicenseSpring-compatible License API (/api/v4, HMAC-signed by clients, responses signed by the server) and the vendor's " +
        "management API (/api/v1, management key). Lists are paginated by `limit` (1-200, default 50) and `cursor` (the previous page's `next_cursor`).",
    },
    servers: [{ url: serverUrl }],
    tags: [
      { name: "License API", description: "What client applications call (the official SDKs)" },
      { name: "Products" },
      { name: "Licenses" },
      { name: "Customers" },
      { name: "Devices" },
      { name: "API keys", description: "License API credentials" },
      { name: "Management keys", description: "Named management API credentials, each with a role" },
      { name: "Activity", description: "Who did what, and who is calling" },
      { name: "Audit log" },
      { name: "Import", description: "Bulk imports for a migration from LicenseSpring (docs/migration.md)" },
      {
        name: "Usage",
        description: "Usage reports from the rollups, the billing export and the reconciliation check (docs/usage-and-webhooks.md)",
      },
      { name: "Webhooks", description: "Endpoints, their events and the delivery log (docs/usage-and-webhooks.md)" },
    ],
    components: {
      schemas: builder.components.schemas,
      securitySchemes: {
        managementKey: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description:
            "`Api-Key <management key>`: the Worker secret MANAGEMENT_KEY (admin) or a named management key (its role). Behind Cloudflare " +
            "Access, a request without Authorization may instead carry Cf-Access-Jwt-Assertion (docs/management-api.md).",
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
