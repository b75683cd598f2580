/** GET /api/openapi.json: the OpenAPI 3.1 document of both APIs. Public, like the API's shape itself. */
import { buildOpenApiDocument } from "./build-openapi-document";

let document: string | null = null;

export function openApiRoute(): Response {
  // Built once per isolate: it depends on nothing but the code.
  document ??= JSON.stringify(buildOpenApiDocument());
  return new Response(document, {
    headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}
