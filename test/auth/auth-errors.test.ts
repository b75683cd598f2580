// Every documented authorization error, provoked through HTTP against the real Worker.
import { beforeAll, describe, expect, it } from "vitest";
import { computeSignature } from "../support/signing";
import { authHeaders } from "../support/signing";
import { callWorker, consume, errorCode } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";

let fixture: Fixture;
let credentials: Credentials;
let body: string;

beforeAll(async () => {
  fixture = await createFixture();
  credentials = await createApiKey();
  body = JSON.stringify({ ...fixture.identity, feature: fixture.featureCode });
});

async function send(headers: Record<string, string>): Promise<Response> {
  return callWorker("/api/v4/add_feature_consumption", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
}

async function authorization(params: Record<string, string>, date: string): Promise<Record<string, string>> {
  return {
    Date: date,
    Authorization: Object.entries(params)
      .map(([k, v]) => `${k}="${v}"`)
      .join(","),
  };
}

describe("License API authorization errors (HTTP 400)", () => {
  it("authorization_missing_params: no Authorization header", async () => {
    const response = await send({ Date: new Date().toUTCString() });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("authorization_missing_params");
  });

  it("authorization_missing_params: a parameter is missing", async () => {
    const date = new Date().toUTCString();
    const response = await send(await authorization({ algorithm: "hmac-sha256", headers: "date", apikey: credentials.apiKey }, date));
    expect(await errorCode(response)).toBe("authorization_missing_params");
  });

  it("hmac_required: another algorithm", async () => {
    const date = new Date().toUTCString();
    const signature = await computeSignature(credentials.sharedKey, date);
    const response = await send(
      await authorization({ algorithm: "hmac-sha1", headers: "date", signature, apikey: credentials.apiKey }, date),
    );
    expect(await errorCode(response)).toBe("hmac_required");
  });

  it("authorization_invalid_headers: signed headers other than date, or no Date header", async () => {
    const date = new Date().toUTCString();
    const signature = await computeSignature(credentials.sharedKey, date);
    const wrongHeaders = await send(
      await authorization({ algorithm: "hmac-sha256", headers: "date host", signature, apikey: credentials.apiKey }, date),
    );
    expect(await errorCode(wrongHeaders)).toBe("authorization_invalid_headers");
    const { Authorization } = await authHeaders(credentials);
    const noDate = await send({ Authorization: Authorization! });
    expect(await errorCode(noDate)).toBe("authorization_invalid_headers");
  });

  it("date_header_diff: a correctly signed but stale or future Date", async () => {
    const stale = await send(await authHeaders(credentials, new Date(Date.now() - 16 * 60_000)));
    expect(await errorCode(stale)).toBe("date_header_diff");
    const future = await send(await authHeaders(credentials, new Date(Date.now() + 5 * 60_000)));
    expect(await errorCode(future)).toBe("date_header_diff");
  });

  it("invalid_api_key: unknown key", async () => {
    const response = await send(await authHeaders({ apiKey: "nobody", sharedKey: credentials.sharedKey }));
    expect(await errorCode(response)).toBe("invalid_api_key");
  });

  it("signature_mismatch: signed with the wrong shared key", async () => {
    const response = await send(await authHeaders({ apiKey: credentials.apiKey, sharedKey: "wrong" }));
    expect(await errorCode(response)).toBe("signature_mismatch");
  });

  it("revoked_api_key", async () => {
    const revoked = await createApiKey({ revoked: true });
    expect(await errorCode(await consume(fixture, revoked))).toBe("revoked_api_key");
    // Only a caller holding the shared key learns that the key is revoked.
    const unsigned = await send(await authHeaders({ apiKey: revoked.apiKey, sharedKey: "wrong" }));
    expect(await errorCode(unsigned)).toBe("signature_mismatch");
  });

  it("read_only_api_key: a read-only key cannot consume", async () => {
    const readOnly = await createApiKey({ readOnly: true });
    expect(await errorCode(await consume(fixture, readOnly))).toBe("read_only_api_key");
  });

  it("authentication errors come before request-shape errors", async () => {
    const headers = { ...(await authHeaders({ apiKey: credentials.apiKey, sharedKey: "wrong" })), "Content-Type": "application/json" };
    const malformed = await callWorker("/api/v4/add_feature_consumption", { method: "POST", headers, body: "{not json" });
    expect(await errorCode(malformed)).toBe("signature_mismatch");
    const unknownKey = await callWorker("/api/v4/check_license?product=x", {
      headers: await authHeaders({ apiKey: "nobody", sharedKey: "x" }),
    });
    expect(await errorCode(unknownKey)).toBe("invalid_api_key");
  });

  it("accepts the same request when correctly signed", async () => {
    const response = await consume(fixture, credentials);
    expect(response.status).toBe(200);
  });
});
