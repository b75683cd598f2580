// Hostile input, property-based: thousands of generated bodies, headers and signatures. Every
// answer is a documented 4xx code or a correct 200, never a 5xx, and totals and audit rows change
// only by what the 200s accepted.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { computeSignature } from "../support/signing";
import { featureCounter } from "../../src/counter/counter-stubs";
import { API_ERROR_CODES } from "../../src/errors";
import { auditRows, flushAudit } from "../support/audit";
import { callWorkerDirect } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";

const RUNS = 3000;
const documented = new Set<string>(API_ERROR_CODES.filter((code) => code !== "internal_server_error"));

let credentials: Credentials;
let fixture: Fixture;
beforeAll(async () => {
  credentials = await createApiKey();
  fixture = await createFixture({ feature: { maxConsumption: 1_000_000, allowOverages: true, maxOverages: 10 } });
});

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "null", "😀", "ﬀ", "a".repeat(300)),
);
const anyValue = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e300, 0.1),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }),
  fc.dictionary(text, fc.oneof(text, fc.integer()), { maxKeys: 3 }),
);

type Field = "product" | "license_key" | "username" | "hardware_id" | "feature" | "consumptions" | "event" | "license_id";
const FIELDS: Field[] = ["product", "license_key", "username", "hardware_id", "feature", "consumptions", "event", "license_id"];

function validBody(consumptions: number): Record<string, unknown> {
  return { ...fixture.identity, feature: fixture.featureCode, consumptions };
}

/** A body: valid, or valid with fields removed, replaced by anything, or added. */
const bodyObject = fc
  .record({
    consumptions: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: -3, max: 3 })),
    remove: fc.oneof({ weight: 3, arbitrary: fc.constant<Field[]>([]) }, fc.subarray(FIELDS, { maxLength: 3 })),
    replace: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 2 })),
    extra: fc.dictionary(text, anyValue, { maxKeys: 2 }),
    event: fc.option(fc.constantFrom<unknown>(["consumption_add"], ["offline_floating_consumptions_sync"], [], ["x"], "consumption_add"), {
      nil: undefined,
    }),
  })
  .map(({ consumptions, remove, replace, extra, event }) => {
    const body: Record<string, unknown> = { ...extra, ...validBody(consumptions) };
    if (event !== undefined) body.event = event;
    for (const field of remove) delete body[field];
    Object.assign(body, replace);
    return body;
  });

/** Raw body text: JSON of a body, truncated JSON, duplicated keys, or noise. */
const bodyText = fc.oneof(
  { weight: 6, arbitrary: bodyObject.map((body) => JSON.stringify(body)) },
  {
    weight: 2,
    arbitrary: fc.tuple(bodyObject, fc.nat()).map(([body, cut]) => {
      const json = JSON.stringify(body);
      return json.slice(0, cut % json.length);
    }),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 5 }).map((n) => {
      const json = JSON.stringify(validBody(n));
      return `${json.slice(0, -1)},"consumptions":"${n}"}`;
    }),
  },
  { weight: 1, arbitrary: fc.oneof(text, fc.json()) },
);

type DateKind = "now" | "stale" | "future" | "garbage" | "missing" | "iso";
type AuthKind = "valid" | "wrong-key" | "unknown-api-key" | "garbage" | "missing" | "missing-param" | "algorithm" | "bearer" | "bad-base64";

async function headersFor(
  dateKind: DateKind,
  authKind: AuthKind,
  garbage: string,
  contentType: string | null,
): Promise<Record<string, string>> {
  const now = Date.now();
  const date =
    dateKind === "now"
      ? new Date(now).toUTCString()
      : dateKind === "stale"
        ? new Date(now - 20 * 60_000).toUTCString()
        : dateKind === "future"
          ? new Date(now + 10 * 60_000).toUTCString()
          : dateKind === "iso"
            ? new Date(now).toISOString()
            : dateKind === "garbage"
              ? garbage
              : null;
  const signature = await computeSignature(authKind === "wrong-key" ? "not the key" : credentials.sharedKey, date ?? "");
  const apikey = authKind === "unknown-api-key" ? "unknown" : credentials.apiKey;
  const authorization =
    authKind === "garbage"
      ? garbage
      : authKind === "missing"
        ? null
        : authKind === "missing-param"
          ? `algorithm="hmac-sha256",headers="date",apikey="${apikey}"`
          : authKind === "algorithm"
            ? `algorithm="hmac-md5",headers="date",signature="${signature}",apikey="${apikey}"`
            : authKind === "bearer"
              ? `Bearer ${garbage}`
              : authKind === "bad-base64"
                ? `algorithm="hmac-sha256",headers="date",signature="${garbage.replace(/"/g, "")}",apikey="${apikey}"`
                : `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${apikey}"`;
  const headers: Record<string, string> = {};
  // Header values must be ByteStrings; anything else is dropped as a client library would refuse to send it.
  const put = (name: string, value: string | null) => {
    if (value !== null && /^[\x20-\x7e]*$/.test(value)) headers[name] = value;
  };
  put("Date", date);
  put("Authorization", authorization);
  put("Content-Type", contentType);
  return headers;
}

describe("hostile input", () => {
  it(`${RUNS} generated requests: documented 4xx or a correct 200, never a 5xx; nothing changes but what was accepted`, async () => {
    let acceptedSum = 0;
    let acceptedCount = 0;
    await fc.assert(
      fc.asyncProperty(
        bodyText,
        fc.oneof(
          { weight: 6, arbitrary: fc.constant<DateKind>("now") },
          fc.constantFrom<DateKind>("stale", "future", "garbage", "missing", "iso"),
        ),
        fc.oneof(
          { weight: 8, arbitrary: fc.constant<AuthKind>("valid") },
          fc.constantFrom<AuthKind>(
            "wrong-key",
            "unknown-api-key",
            "garbage",
            "missing",
            "missing-param",
            "algorithm",
            "bearer",
            "bad-base64",
          ),
        ),
        fc.string({ maxLength: 60 }),
        fc.oneof(
          { weight: 6, arbitrary: fc.constant<string | null>("application/json") },
          fc.constantFrom<string | null>("application/json; charset=utf-8", "text/plain", null, "application/x-www-form-urlencoded"),
        ),
        async (body, dateKind, authKind, garbage, contentType) => {
          const headers = await headersFor(dateKind, authKind, garbage, contentType);
          const response = await callWorkerDirect("/api/v4/add_feature_consumption", { method: "POST", headers, body });
          const responseText = await response.text();
          if (response.status === 200) {
            const parsed = JSON.parse(responseText) as { total_consumptions: number };
            const sent = JSON.parse(body) as { consumptions?: number };
            acceptedSum += sent.consumptions ?? 1;
            acceptedCount += 1;
            expect(parsed.total_consumptions).toBe(acceptedSum);
            return;
          }
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          const error = JSON.parse(responseText) as { status: number; code: string; message: string };
          expect(error.status).toBe(response.status);
          expect(documented.has(error.code)).toBe(true);
          expect(typeof error.message).toBe("string");
        },
      ),
      { numRuns: RUNS },
    );
    expect(acceptedCount).toBeGreaterThan(0);
    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(acceptedCount);
    expect(rows.reduce((sum, row) => sum + row.consumptions, 0)).toBe(acceptedSum);
  }, 300_000);
});
