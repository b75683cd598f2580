// The OpenAPI document: served by the Worker, generated from the handlers' zod schemas, and in
// step with the routes that really exist (both directions).
import { describe, expect, it } from "vitest";
import { licenseApiRoutes } from "../../src/license-api/routes";
import { managementRoutes } from "../../src/management/routes";
import { callWorker } from "../support/client";
import { manage } from "../support/management-client";

type Operation = {
  operationId: string;
  parameters: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema: any }> };
  responses: Record<string, unknown>;
  security: unknown[];
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

async function document(): Promise<Document> {
  const response = await callWorker("/api/openapi.json", {});
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  return (await response.json()) as Document;
}

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, operation })),
  );

/** Routes the Worker registers: the License API table, its two public GETs, and the management route table. */
const registered = [
  "GET /api/v4/public_key",
  "GET /api/openapi.json",
  ...licenseApiRoutes.map((route) => `${route.method.toUpperCase()} ${route.path}`),
  ...managementRoutes.map((route) => `${route.method.toUpperCase()} ${route.path}`),
];

describe("GET /api/openapi.json", () => {
  it("is an OpenAPI 3.1 document of both APIs", async () => {
    const doc = await document();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["licenseHmac", "managementKey"]);
    const ids = operations(doc).map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("documents every registered route, and nothing else (the document itself aside)", async () => {
    const documented = operations(await document()).map((o) => o.key);
    expect(documented.sort()).toEqual(registered.filter((key) => key !== "GET /api/openapi.json").sort());
  });

  it("every documented operation is served: none falls through to the router's 404 or 405", async () => {
    for (const { key, path, method } of operations(await document())) {
      const url = path.replace(/\{\w+\}/g, "1");
      const response = path.startsWith("/api/v1/")
        ? await manage(method.toUpperCase(), url, method === "get" ? undefined : {})
        : await callWorker(url, { method: method.toUpperCase() });
      const text = await response.text();
      expect(response.status, key).not.toBe(405);
      // 404 is fine when it names a missing resource (e.g. "License 1 not found"), not when no route matched.
      if (response.status === 404) expect(JSON.parse(text).message, key).not.toBe("No such endpoint");
    }
  });

  it("declares every path parameter, and describes bodies and queries with the handlers' schemas", async () => {
    const doc = await document();
    for (const { key, path, operation } of operations(doc)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(
        operation.parameters.filter((p) => p.in === "path").map((p) => p.name),
        key,
      ).toEqual(inPath);
    }
    const issue = doc.paths["/api/v1/licenses"]!.post!;
    const issueSchema = issue.requestBody!.content["application/json"]!.schema;
    expect(issueSchema.required).toEqual(["product_id"]);
    expect(issueSchema.additionalProperties).toBe(false);
    expect(Object.keys(issueSchema.properties)).toEqual(expect.arrayContaining(["license_key", "users", "features", "validity_period"]));
    const consume = doc.paths["/api/v4/add_feature_consumption"]!.post!;
    expect(consume.requestBody!.content["application/json"]!.schema.required).toEqual(["hardware_id", "product", "feature"]);
    expect(consume.security).toEqual([{ licenseHmac: [] }]);
    const audit = doc.paths["/api/v1/audit"]!.get!;
    expect(audit.parameters.map((p) => p.name)).toEqual([
      "limit",
      "cursor",
      "license_id",
      "license_feature_id",
      "feature",
      "hardware_id",
      "event",
      "from",
      "to",
    ]);
    expect(audit.parameters.every((p) => !p.required)).toBe(true);
    const check = doc.paths["/api/v4/check_license"]!.get!;
    expect(check.parameters.filter((p) => p.in === "query" && p.required).map((p) => p.name)).toEqual(["hardware_id", "product"]);
    expect(Object.keys(doc.paths["/api/v1/audit/csv"]!.get!.responses["200"] as object)).toContain("content");
  });
});
