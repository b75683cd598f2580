// A Cloudflare Access team for the tests, run in Node by vitest.config.ts (plain JavaScript, so the
// config imports it with its extension): RSA keys generated per
// run, and the team's certs endpoint (https://access.test/cdn-cgi/access/certs) served to the
// Worker's real `fetch` through Miniflare's outbound service. Every other outbound request goes
// to the network as it would without this.
//
// The Worker is configured with ACCESS_TEAM_DOMAIN=access.test (bindings below); the tests sign
// tokens with the private keys they get as TEST_ACCESS_SIGNING_KEYS. The team publishes the
// "current" key; POST https://access.test/__test/rotate adds the "next" one (a key rotation), and
// GET https://access.test/__test/requests says how many times the certs were fetched.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { fetch as miniflareFetch } from "miniflare";

export const ACCESS_TEAM = "access.test";
export const ACCESS_AUDIENCE = "aud-0123456789abcdef";

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    kid,
    publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" },
    privateJwk: { ...privateKey.export({ format: "jwk" }), kid },
  };
}

const current = keyPair();
const next = keyPair();
let rotated = false;
let certRequests = 0;

/** The Worker's Access settings and the tests' signing keys (JSON: { current, next }, private JWKs with kid). */
export const accessBindings = {
  ACCESS_TEAM_DOMAIN: ACCESS_TEAM,
  ACCESS_AUDIENCE,
  ACCESS_ROLES: JSON.stringify({
    "ann@vendor.test": "admin",
    "bob@vendor.test": "support",
    "@vendor.test": "read-only",
    "4f1c9e2a.access": "read-only",
  }),
  TEST_ACCESS_SIGNING_KEYS: JSON.stringify({ current: current.privateJwk, next: next.privateJwk }),
};

/**
 * Miniflare's outbound service: the team's endpoints, or the network.
 * @param {Request} request
 * @returns {Promise<Response>}
 */
export async function accessOutbound(request) {
  const url = new URL(request.url);
  // Miniflare's own fetch: the request is one of Miniflare's, which Node's fetch does not take.
  if (url.hostname !== ACCESS_TEAM) return miniflareFetch(request);
  if (url.pathname === "/cdn-cgi/access/certs") {
    certRequests += 1;
    const keys = rotated ? [current.publicJwk, next.publicJwk] : [current.publicJwk];
    return Response.json({ keys, public_cert: { kid: current.kid, cert: "" }, public_certs: [] });
  }
  if (url.pathname === "/__test/rotate" && request.method === "POST") {
    rotated = true;
    return new Response(null, { status: 204 });
  }
  if (url.pathname === "/__test/requests") return Response.json({ certs: certRequests });
  return new Response("not found", { status: 404 });
}
