// A client that goes away in the middle of its request body is a client abort, not a server error:
// the Worker answers client_aborted (400, which nobody will read) and logs no unhandled error, so
// error-rate dashboards and alerts count only real 5xx.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { callWorkerDirect, errorCode } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { authHeaders } from "../support/signing";

/** A body that delivers its first chunk, then fails as a dropped connection does. */
function bodyThatBreaks(firstChunk: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) {
        controller.error(new Error("Network connection lost."));
        return;
      }
      sent = true;
      controller.enqueue(new TextEncoder().encode(firstChunk));
    },
  });
}

let credentials: Credentials;
let fixture: Fixture;

beforeAll(async () => {
  credentials = await createApiKey();
  fixture = await createFixture();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a request body cut off mid-way", () => {
  it("License API POST: client_aborted, no 5xx, nothing logged as unhandled", async () => {
    const logged = vi.spyOn(console, "error");
    const body = JSON.stringify({ ...fixture.identity, feature: fixture.featureCode });
    const response = await callWorkerDirect("/api/v4/add_feature_consumption", {
      method: "POST",
      headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json" },
      body: bodyThatBreaks(body.slice(0, 20)),
    });
    expect(response.status).toBeLessThan(500);
    expect(await errorCode(response)).toBe("client_aborted");
    expect(logged).not.toHaveBeenCalled();
  });

  it("License API POST with a declared Content-Length (the body is read in one piece): client_aborted, no 5xx", async () => {
    const logged = vi.spyOn(console, "error");
    const body = JSON.stringify({ ...fixture.identity, feature: fixture.featureCode });
    const response = await callWorkerDirect("/api/v4/add_feature_consumption", {
      method: "POST",
      headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json", "Content-Length": String(body.length) },
      body: bodyThatBreaks(body.slice(0, 20)),
    });
    expect(response.status).toBeLessThan(500);
    expect(await errorCode(response)).toBe("client_aborted");
    expect(logged).not.toHaveBeenCalled();
  });

  it("management POST: client_aborted, no 5xx, nothing logged as unhandled", async () => {
    const logged = vi.spyOn(console, "error");
    const response = await callWorkerDirect("/api/v1/products", {
      method: "POST",
      headers: { Authorization: `Api-Key ${env.MANAGEMENT_KEY}`, "Content-Type": "application/json" },
      body: bodyThatBreaks('{"short_code":"cut-'),
    });
    expect(response.status).toBeLessThan(500);
    expect(await errorCode(response)).toBe("client_aborted");
    expect(logged).not.toHaveBeenCalled();
  });

  it("the same body sent whole is accepted (the control)", async () => {
    const body = JSON.stringify({ ...fixture.identity, feature: fixture.featureCode });
    const response = await callWorkerDirect("/api/v4/add_feature_consumption", {
      method: "POST",
      headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json" },
      body,
    });
    expect(response.status).toBe(200);
  });
});
