// The OpenAPI document: served by the Worker, generated from the handlers' zod schemas, and in
// step with the routes that really exist (both directions).
import { describe, expect, it } from "vitest";
import { licenseApiRoutes } from "../../src/license-api/routes";
import { managementRoutes } from "../../src/management/routes";
import { callWorker } from "../support/client";
import { manage } from "../support/management-client";

type Operation = {
  operationId: string;
  parameters: Array<{ name: string; in: string; required: boolean; schema: any }>;
  requestBody?: { content: Record<string, { schema: any }> };
  responses: Record<string, unknown>;
  security: unknown[];
};
type Document = {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, unknown> };
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
  it("is an OpenAPI 3.1 document of both APIs, whose server is the origin it was fetched from", async () => {
    const doc = await document();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["licenseHmac", "managementKey"]);
    expect(doc.servers).toEqual([{ url: "http://license.test" }]);
  });

  it("names every operation as its route declares: camelCase, unique across both APIs", async () => {
    const doc = await document();
    const ids = operations(doc).map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(?:[A-Z][a-z0-9]*)*$/);
    const byKey = Object.fromEntries(operations(doc).map((o) => [o.key, o.operation.operationId]));
    for (const route of [...licenseApiRoutes, ...managementRoutes])
      expect(byKey[`${route.method.toUpperCase()} ${route.path}`]).toBe(route.operationId);
    expect(byKey["GET /api/v1/licenses"]).toBe("listLicenses");
    expect(byKey["POST /api/v1/licenses"]).toBe("issueLicense");
    expect(byKey["GET /api/v1/licenses/{license_id}"]).toBe("getLicense");
    expect(byKey["POST /api/v4/add_feature_consumption"]).toBe("addFeatureConsumption");
  });

  it("names each resource once in components.schemas and refers to it by $ref", async () => {
    const doc = await document();
    const named = Object.keys(doc.components.schemas);
    for (const name of ["License", "LicenseDetail", "LicenseFeature", "Product", "ProductFeature", "ApiKey", "CreatedApiKey"])
      expect(named).toContain(name);
    for (const name of ["Customer", "Device", "AuditEntry", "Error", "ImportError", "LicensePage", "LicenseType", "LicenseApiLicense"])
      expect(named).toContain(name);
    const success = (operation: Operation, status = "200") =>
      (operation.responses[status] as { content: Record<string, { schema: unknown }> }).content["application/json"]!.schema;
    expect(success(doc.paths["/api/v1/licenses/{license_id}"]!.get!)).toEqual({ $ref: "#/components/schemas/LicenseDetail" });
    expect(success(doc.paths["/api/v1/licenses"]!.post!, "201")).toEqual({ $ref: "#/components/schemas/LicenseDetail" });
    expect(success(doc.paths["/api/v1/licenses"]!.get!)).toEqual({ $ref: "#/components/schemas/LicensePage" });
    expect(doc.components.schemas.LicensePage.properties.data.items).toEqual({ $ref: "#/components/schemas/License" });
    expect(doc.components.schemas.LicenseDetail.properties.customer).toEqual({
      anyOf: [{ $ref: "#/components/schemas/Customer" }, { type: "null" }],
    });
    expect(doc.components.schemas.Error.properties.code.enum).toContain("license_not_found");
    // Every $ref names a component that exists.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of new Set(refs)) expect(named).toContain(ref.replace("#/components/schemas/", ""));
  });

  it("types ids and limits in paths and queries as integers, flags as booleans", async () => {
    const doc = await document();
    for (const { key, operation } of operations(doc))
      // Every *_id but the device's hardware_id (text the client chooses) is a numeric id.
      for (const parameter of operation.parameters.filter((p) => p.name.endsWith("_id") && p.name !== "hardware_id"))
        expect(parameter.schema.type, `${key} ${parameter.name}`).toBe("integer");
    const list = doc.paths["/api/v1/licenses"]!.get!.parameters;
    expect(list.find((p) => p.name === "limit")!.schema).toEqual({ type: "integer", minimum: 1, maximum: 200, default: 50 });
    expect(list.find((p) => p.name === "enabled")!.schema).toEqual({ type: "boolean" });
    const path = doc.paths["/api/v1/licenses/{license_id}"]!.get!.parameters;
    expect(path[0]!.schema).toEqual({ type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
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

  it("states the least role of every management operation (x-required-role), as the router enforces it", async () => {
    const doc = await document();
    for (const route of managementRoutes) {
      const operation = doc.paths[route.path]![route.method] as Operation & { "x-required-role"?: string };
      expect(operation["x-required-role"], `${route.method} ${route.path}`).toBe(route.role);
      expect(JSON.stringify(operation.responses["403"])).toContain(route.role);
    }
  });
});

// The document lists exactly the errors each operation can answer. Every answer any test sees is
// checked against it (test/support/documented-responses.ts: nothing is answered that is not
// listed); here, a sample of what is listed is provoked (nothing is listed that cannot happen).
describe("error responses", () => {
  const statuses = (operation: Operation) => Object.keys(operation.responses);
  const ABSENT_ID = "9007199254740991";

  /** A valid body for the operations that take one, so that the handler runs and finds nothing. */
  const SAMPLE_BODIES: Record<string, unknown> = {
    updateProduct: { name: "Renamed" },
    createProductCustomField: { name: "seat" },
    createProductFeature: { code: "exports", name: "Exports" },
    updateProductFeature: { name: "Renamed" },
    updateLicense: { metadata: {} },
    updateLicenseFeature: { max_consumption: 1 },
    updateLicenseConsumption: { max_consumptions: 1 },
    addLicenseFeature: { code: "exports" },
    addFeatureToLicenses: {},
    updateCustomer: { first_name: "Ann" },
  };

  it("not_found (404) where the path names a resource: an absent id or code answers it", async () => {
    const doc = await document();
    let provoked = 0;
    for (const { key, path, method, operation } of operations(doc)) {
      const namesResource = /\{\w+\}/.test(path);
      if (!path.startsWith("/api/v1/")) continue;
      if (namesResource) expect(statuses(operation), key).toContain("404");
      const takesBody = operation.requestBody !== undefined;
      // A required query or body would be refused first (400): only the sampled bodies are sent.
      const needsQuery = operation.parameters.some((p) => p.in === "query" && p.required);
      if (!namesResource || needsQuery || (takesBody && !(operation.operationId in SAMPLE_BODIES))) continue;
      const url = path.replace(/\{\w+_id\}/g, ABSENT_ID).replace(/\{\w+\}/g, "no-such-code");
      const response = await manage(method.toUpperCase(), url, takesBody ? SAMPLE_BODIES[operation.operationId] : undefined);
      expect(response.status, `${key}: ${await response.text()}`).toBe(404);
      provoked++;
    }
    expect(provoked).toBeGreaterThan(20);
  });

  it("not_found elsewhere only where the route declares it: a body naming a missing product", async () => {
    const doc = await document();
    expect(statuses(doc.paths["/api/v1/licenses"]!.post!)).toContain("404");
    expect(statuses(doc.paths["/api/v1/licenses"]!.get!)).not.toContain("404");
    expect(statuses(doc.paths["/api/v1/audit"]!.get!)).not.toContain("404");
    expect((await manage("POST", "/api/v1/licenses", { product_id: Number(ABSENT_ID) })).status).toBe(404);
    // A filter naming nothing is an empty page, not a missing resource.
    expect((await manage("GET", `/api/v1/licenses?product_id=${ABSENT_ID}`)).status).toBe(200);
  });

  it("conflict (409) only where a handler can conflict, each provoked", async () => {
    const doc = await document();
    const conflicting = operations(doc)
      .filter((o) => statuses(o.operation).includes("409"))
      .map((o) => o.operation.operationId);
    expect(operations(doc).filter((o) => o.method === "get" && statuses(o.operation).includes("409"))).toEqual([]);
    expect(conflicting).toEqual(
      expect.arrayContaining(["createProduct", "createProductFeature", "createProductCustomField", "createProductVersion", "issueLicense"]),
    );
    const shortCode = `conflict-${crypto.randomUUID().slice(0, 8)}`;
    const product = await manage("POST", "/api/v1/products", { short_code: shortCode, name: "P" });
    const { id } = (await product.json()) as { id: number };
    const twice = async (path: string, body: unknown) => {
      expect((await manage("POST", path, body)).status, path).toBeLessThan(300);
      expect((await manage("POST", path, body)).status, path).toBe(409);
    };
    expect((await manage("POST", "/api/v1/products", { short_code: shortCode, name: "P" })).status).toBe(409);
    await twice(`/api/v1/products/${id}/features`, { code: "f", name: "F" });
    await twice(`/api/v1/products/${id}/custom-fields`, { name: "seat" });
    await twice(`/api/v1/products/${id}/versions`, { version: "1.0.0", release_date: "2031-01-01T00:00:00Z" });
    await twice("/api/v1/licenses", { product_id: id, license_key: `KEY-${shortCode}` });
  });

  it("the License API answers every error as 400, as LicenseSpring does, and limits as 429", async () => {
    const doc = await document();
    for (const { key, path, operation } of operations(doc).filter((o) => o.path.startsWith("/api/v4/"))) {
      const errors = statuses(operation).filter((status) => status !== "200");
      expect(errors, key).toEqual(path === "/api/v4/public_key" ? ["429"] : ["400", "429"]);
    }
    const activation = doc.paths["/api/v4/activate_license"]!.post!.responses as Record<string, { description: string }>;
    expect(activation["429"]!.description).toContain("too_many_password_attempts");
    expect(activation["400"]!.description).toContain("invalid_password");
    expect(
      (doc.paths["/api/v4/check_license"]!.get!.responses as Record<string, { description: string }>)["429"]!.description,
    ).not.toContain("too_many_password_attempts");
  });
});
