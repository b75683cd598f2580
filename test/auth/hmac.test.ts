import { describe, expect, it } from "vitest";
import { checkDate, parseAuthorization, signingString, verifySignature } from "../../src/auth/request-signature";
import { computeSignature } from "../support/signing";
import { ApiError } from "../../src/errors";

// The public test vector from LicenseSpring's documentation (docs/protocol.md "Request authentication").
const VECTOR = {
  sharedKey: "kw4qSnpSwXzgiv5yxYpZZmFEd9QAeiKTQ6OuyMja",
  date: "Tue, 07 Jun 2011 20:51:35 GMT",
  signature: "UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/Q=",
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ApiError ? error.code : "not an ApiError";
  }
  return undefined;
}

describe("request signature (pure)", () => {
  it("signs the documented string", () => {
    expect(signingString(VECTOR.date)).toBe("licenseSpring\ndate: Tue, 07 Jun 2011 20:51:35 GMT");
  });

  it("reproduces the public test vector", async () => {
    expect(await computeSignature(VECTOR.sharedKey, VECTOR.date)).toBe(VECTOR.signature);
    expect(await verifySignature(VECTOR.sharedKey, VECTOR.date, VECTOR.signature)).toBe(true);
  });

  it("rejects a signature for another date, key, or a malformed one", async () => {
    expect(await verifySignature(VECTOR.sharedKey, "Tue, 07 Jun 2011 20:51:36 GMT", VECTOR.signature)).toBe(false);
    expect(await verifySignature(VECTOR.sharedKey + "x", VECTOR.date, VECTOR.signature)).toBe(false);
    expect(await verifySignature(VECTOR.sharedKey, VECTOR.date, "not base64!")).toBe(false);
    expect(await verifySignature(VECTOR.sharedKey, VECTOR.date, "")).toBe(false);
    expect(await verifySignature(VECTOR.sharedKey, VECTOR.date, btoa("short"))).toBe(false);
  });

  it("parses the SDK's header (no spaces) and the docs' header (spaces)", () => {
    const sdk = `algorithm="hmac-sha256",headers="date",signature="${VECTOR.signature}",apikey="k1"`;
    const docs = `algorithm="hmac-sha256", headers="date", signature="${VECTOR.signature}", apikey="k1"`;
    expect(parseAuthorization(sdk)).toEqual({ algorithm: "hmac-sha256", headers: "date", signature: VECTOR.signature, apikey: "k1" });
    expect(parseAuthorization(docs)).toEqual(parseAuthorization(sdk));
  });

  it("maps header problems to the documented codes", () => {
    expect(codeOf(() => parseAuthorization(null))).toBe("authorization_missing_params");
    expect(codeOf(() => parseAuthorization('algorithm="hmac-sha256",headers="date",signature="x"'))).toBe("authorization_missing_params");
    expect(codeOf(() => parseAuthorization("garbage"))).toBe("authorization_missing_params");
    expect(codeOf(() => parseAuthorization('algorithm="hmac-sha1",headers="date",signature="x",apikey="k"'))).toBe("hmac_required");
    expect(codeOf(() => parseAuthorization("Bearer abc"))).toBe("hmac_required");
    expect(codeOf(() => parseAuthorization('algorithm="hmac-sha256",headers="date host",signature="x",apikey="k"'))).toBe(
      "authorization_invalid_headers",
    );
  });

  it("accepts dates up to 15 minutes old and 60 s ahead, no more", () => {
    const now = Date.parse(VECTOR.date);
    const at = (offsetMs: number) => new Date(now + offsetMs).toUTCString();
    expect(codeOf(() => checkDate(at(-15 * 60_000), now))).toBeUndefined();
    expect(codeOf(() => checkDate(at(-15 * 60_000 - 1000), now))).toBe("date_header_diff");
    expect(codeOf(() => checkDate(at(60_000), now))).toBeUndefined();
    expect(codeOf(() => checkDate(at(61_000), now))).toBe("date_header_diff");
    expect(codeOf(() => checkDate(null, now))).toBe("authorization_invalid_headers");
    expect(codeOf(() => checkDate("2011-06-07T20:51:35Z", now))).toBe("authorization_invalid_headers");
  });
});
