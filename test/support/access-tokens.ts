// Cloudflare Access tokens (Cf-Access-Jwt-Assertion) signed with the test team's keys
// (test/support/access-team.mjs), or with keys the team does not publish.
import { env } from "cloudflare:workers";
import { encodeBase64Url } from "../../src/base64";

const encoder = new TextEncoder();
const part = (value: unknown) => encodeBase64Url(encoder.encode(JSON.stringify(value)));

type SigningJwk = JsonWebKey & { kid: string };

/** The team's keys: "current" is published from the start, "next" once the team rotates. */
export function teamKey(which: "current" | "next"): SigningJwk {
  return (JSON.parse(env.TEST_ACCESS_SIGNING_KEYS) as Record<"current" | "next", SigningJwk>)[which];
}

/** A signing key of nobody's team, under a key id of the test team's choosing. */
export async function strangerKey(kid: string): Promise<SigningJwk> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey), kid };
}

/** The claims Access puts in a token for `email`, valid for an hour from now; `overrides` replace them. */
export function accessClaims(email: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: [env.ACCESS_AUDIENCE],
    email,
    exp: now + 3600,
    iat: now,
    nbf: now,
    iss: `https://${env.ACCESS_TEAM_DOMAIN}`,
    type: "app",
    identity_nonce: crypto.randomUUID(),
    sub: crypto.randomUUID(),
    country: "NO",
    ...overrides,
  };
}

/** A JWT signed RS256 with `key` (the team's current key by default); `header` replaces header fields. */
export async function accessToken(
  claims: Record<string, unknown>,
  key: SigningJwk = teamKey("current"),
  header: Record<string, unknown> = {},
): Promise<string> {
  const signingKey = await crypto.subtle.importKey("jwk", key, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  const signed = `${part({ alg: "RS256", kid: key.kid, typ: "JWT", ...header })}.${part(claims)}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", signingKey, encoder.encode(signed));
  return `${signed}.${encodeBase64Url(new Uint8Array(signature))}`;
}

/** How many times the Worker fetched the team's certs (counted by the outbound service). */
export async function certRequests(): Promise<number> {
  return ((await (await fetch(`https://${env.ACCESS_TEAM_DOMAIN}/__test/requests`)).json()) as { certs: number }).certs;
}

/** The team rotates its keys: it publishes the "next" key beside the current one. */
export async function rotateTeamKeys(): Promise<void> {
  await fetch(`https://${env.ACCESS_TEAM_DOMAIN}/__test/rotate`, { method: "POST" });
}
