// Every answer the tests see must be one the OpenAPI document lists for its operation: callWorker
// checks each status against the document (the document built in this isolate, as the Worker
// serves it), so every test of either API also tests that the document's error responses are
// complete. 5xx answers are the deliberate generic internal error, documented once for all
// (docs/management-api.md "OpenAPI"); calls that match no operation (unknown paths, wrong
// methods) are the router's 404 and 405.
import { expect } from "vitest";
import { buildOpenApiDocument } from "../../src/openapi/build-openapi-document";

interface DocumentedOperation {
  method: string;
  pattern: RegExp;
  template: string;
  statuses: string[];
}

let operations: DocumentedOperation[] | null = null;

function documentedOperations(): DocumentedOperation[] {
  const paths = buildOpenApiDocument().paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
  return Object.entries(paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`),
      template,
      statuses: Object.keys(operation.responses),
    })),
  );
}

/** Fails the test when `status` is not among the responses the document lists for the operation called. */
export function expectDocumentedStatus(method: string, url: string, status: number): void {
  if (status >= 500) return;
  operations ??= documentedOperations();
  const { pathname } = new URL(url, "http://license.test");
  const operation = operations.find((candidate) => candidate.method === method && candidate.pattern.test(pathname));
  if (!operation) return;
  expect(operation.statuses, `${method} ${operation.template} answered ${status}, which its OpenAPI operation does not list`).toContain(
    String(status),
  );
}
