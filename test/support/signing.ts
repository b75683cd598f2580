// Test-only request signing: what a client does (docs/protocol.md "Request authentication").
// The Worker only verifies; producing signatures lives here, with the tests.
import { encodeBase64 } from "../../src/base64";
import { signingString } from "../../src/auth/request-signature";
import type { Credentials } from "./fixtures";

const encoder = new TextEncoder();

/** base64(HMAC-SHA256(sharedKey, "licenseSpring\ndate: " + dateHeader)). */
export async function computeSignature(sharedKey: string, dateHeader: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(sharedKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return encodeBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(signingString(dateHeader)))));
}

/** The Authorization and Date headers a client sends (docs/protocol.md). */
export async function authHeaders(
  credentials: Pick<Credentials, "apiKey" | "sharedKey">,
  date = new Date(),
): Promise<Record<string, string>> {
  const dateHeader = date.toUTCString();
  const signature = await computeSignature(credentials.sharedKey, dateHeader);
  return {
    Date: dateHeader,
    Authorization: `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${credentials.apiKey}"`,
  };
}
