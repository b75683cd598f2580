/**
 * GET /api/openapi.json: the OpenAPI 3.1 document of both APIs. Public, like the API's shape itself.
 * Its one server is the origin it was fetched from, so a client generated from it calls this
 * deployment.
 */
import { buildOpenApiDocument } from "./build-openapi-document";

let document: Record<string, unknown> | null = null;

export function openApiRoute(request: Request): Response {
  // Built once per isolate: it depends on nothing but the code (and the origin, set per request).
  document ??= buildOpenApiDocument();
  const body = JSON.stringify({ ...document, servers: [{ url: new URL(request.url).origin }] });
  return new Response(body, {
    headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}
