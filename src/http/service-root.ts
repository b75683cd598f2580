/**
 * GET / (and HEAD /): 200 with where the APIs are. LicenseSpring's Python SDK decides whether it is
 * online by sending GET to the API host's root and counting only a 200 as online
 * (docs/sdk-compatibility.md "The Python SDK"); nothing is authenticated or counted here.
 */
const ROOT = JSON.stringify({
  status: "ok",
  license_api: "/api/v4",
  management_api: "/api/v1",
  openapi: "/api/openapi.json",
  console: "/console/",
});

export function serviceRoot(): Response {
  return new Response(ROOT, { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
}
