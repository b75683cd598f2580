// The served OpenAPI document is valid OpenAPI 3.1 by the specification's own JSON Schema
// (@seriousme/openapi-schema-validator), fetched from the running service as a tool would.
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "../sdk/local-service";

let service: LocalService;

beforeAll(async () => {
  service = await startLocalService();
});

afterAll(async () => {
  await service?.stop();
});

describe("GET /api/openapi.json", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const document = (await (await fetch(`${service.baseUrl}/api/openapi.json`)).json()) as Record<string, unknown>;
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });
});
