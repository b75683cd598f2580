/**
 * Response signing ("signature v2" and "signature v1"), WebCrypto only.
 *
 * The private key is the Worker secret LICENSE_SIGNING_KEY: an RSA private key in PKCS#8 PEM
 * (the PEM label is "PRIVATE KEY"). It is imported once per isolate and per key value.
 *
 * v2: every successful License API response carries `LicenseSignature`, base64 of
 *     RSASSA-PKCS1-v1_5/SHA-256 over the exact body bytes. The SDK verifies it against
 *     JSON.stringify(JSON.parse(body)), so bodies are serialised once, compactly, with
 *     JSON.stringify, and those same bytes are signed and sent.
 * v1: activation and check responses carry `license_signature` over
 *     lower("<hardware_id>#<license_key or username>#<validity_period ISO-8601 or empty>").
 */
import { decodeBase64, encodeBase64 } from "../base64";

const RSA_SIGN = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

interface SigningKeys {
  privateKey: CryptoKey;
  publicKeyPem: string;
}

let cached: { secret: string; keys: Promise<SigningKeys> } | null = null;

/** The signing key pair for this isolate, imported on first use. Throws if the secret is missing or bad. */
export function signingKeys(secret: string | undefined): Promise<SigningKeys> {
  if (!secret) return Promise.reject(new Error("LICENSE_SIGNING_KEY is not set (docs/deploying.md)"));
  if (cached?.secret !== secret) {
    const keys = importSigningKeys(secret);
    cached = { secret, keys };
    // A bad secret must not poison the isolate forever: forget it so a fixed secret is retried.
    keys.catch(() => {
      if (cached?.keys === keys) cached = null;
    });
  }
  return cached.keys;
}

async function importSigningKeys(pem: string): Promise<SigningKeys> {
  const der = pemToDer(pem);
  // Imported extractable once, only to derive the public half (n, e) served at /api/v4/public_key.
  const extractable = await crypto.subtle.importKey("pkcs8", der, RSA_SIGN, true, ["sign"]);
  const jwk = (await crypto.subtle.exportKey("jwk", extractable)) as JsonWebKey;
  const publicKey = await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, ext: true }, RSA_SIGN, true, ["verify"]);
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", publicKey)) as ArrayBuffer);
  const privateKey = await crypto.subtle.importKey("pkcs8", der, RSA_SIGN, false, ["sign"]);
  return { privateKey, publicKeyPem: derToPem(spki, "PUBLIC KEY") };
}

/** Accepts a PEM as stored by `wrangler secret put` or in .dev.vars (real or "\n"-escaped newlines). */
function pemToDer(pem: string): ArrayBuffer {
  const body = pem
    .replace(/\\n/g, "\n")
    .replace(/-----(BEGIN|END) [A-Z ]+-----/g, "")
    .replace(/\s+/g, "");
  const bytes = decodeBase64(body);
  if (!bytes) throw new Error("LICENSE_SIGNING_KEY is not a PEM: its body is not base64");
  return bytes.buffer as ArrayBuffer;
}

function derToPem(der: Uint8Array, label: string): string {
  const lines = encodeBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const encoder = new TextEncoder();

export async function signText(privateKey: CryptoKey, text: string): Promise<string> {
  const signature = await crypto.subtle.sign(RSA_SIGN, privateKey, encoder.encode(text));
  return encodeBase64(new Uint8Array(signature));
}

/** A 200 JSON response whose exact bytes carry a `LicenseSignature` (signature v2). */
export async function signedJson(secret: string | undefined, body: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const { privateKey } = await signingKeys(secret);
  const text = JSON.stringify(body);
  return new Response(text, {
    status: 200,
    headers: {
      ...extraHeaders,
      "Content-Type": "application/json",
      LicenseSignature: await signText(privateKey, text),
    },
  });
}

/** Signature v1 over a license's identity, as the SDK's checkSignatureV1 rebuilds it. */
export async function licenseSignature(
  secret: string | undefined,
  hardwareId: string,
  licenseKeyOrUsername: string,
  validityPeriod: string | null,
): Promise<string> {
  const { privateKey } = await signingKeys(secret);
  const validity = validityPeriod ? new Date(validityPeriod).toISOString() : "";
  return signText(privateKey, `${hardwareId}#${licenseKeyOrUsername}#${validity}`.toLowerCase());
}
