/**
 * Cloudflare Access in front of the management API (docs/management-api.md "Cloudflare Access").
 * When the vendor puts the console and /api/v1 behind an Access application, Access signs people in
 * and adds `Cf-Access-Jwt-Assertion` to every request: a JWT signed (RS256) by the team's keys. The
 * Worker checks the token itself instead of trusting that a request came through Access (a
 * workers.dev URL, or a route the application does not cover, reaches the Worker directly):
 *
 * - the signature: RS256 under the team's public key named by the token's `kid`, as published at
 *   https://<team domain>/cdn-cgi/access/certs. The keys are kept for KEYS_MAX_AGE_MS; a `kid` that
 *   is not among them reloads them, at most once per UNKNOWN_KID_RELOAD_MS, so that tokens naming
 *   made-up kids cannot turn every request into a fetch. Access rotates its keys with an overlap, so
 *   a token signed by a new key reloads them once;
 * - the claims: `aud` holds the application's audience tag (ACCESS_AUDIENCE), `iss` is the team
 *   domain, `exp` has not passed and `nbf`, when present, has (60 s of clock skew allowed);
 * - who it is: the `email` claim (a person), else `common_name` (a service token's client id),
 *   mapped to a role by ACCESS_ROLES (./management-roles.ts).
 *
 * Only WebCrypto and fetch: nothing here trusts anything that was not checked first.
 */
import { z } from "zod";
import { decodeBase64Url } from "../base64";
import { ApiError } from "../errors";
import { MANAGEMENT_ROLES, type ManagementRole } from "./management-roles";

/** The Worker variables that switch Access on: both the team domain and the audience, or neither. */
export interface AccessVars {
  /** The team domain, e.g. "acme.cloudflareaccess.com" (https:// may be written). */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience (AUD) tag. */
  ACCESS_AUDIENCE?: string;
  /** JSON: e-mail address, "@domain" or "*" → role, e.g. {"ann@acme.com": "admin", "@acme.com": "read-only"}. */
  ACCESS_ROLES?: string;
}

export interface AccessSettings {
  /** "https://<team domain>": the tokens' `iss`. */
  issuer: string;
  certsUrl: string;
  audience: string;
  /** Lowercased e-mail, "@domain" or "*" → role. */
  roles: ReadonlyMap<string, ManagementRole>;
}

/** The public keys of a team are kept this long before they are fetched again. */
export const KEYS_MAX_AGE_MS = 10 * 60 * 1000;
/** A token naming a key id the team does not publish reloads the keys at most this often. */
export const UNKNOWN_KID_RELOAD_MS = 30 * 1000;
/** Clock skew allowed on `nbf` (Cloudflare's edge and this Worker share Cloudflare's clock; tokens from elsewhere may not). */
const NOT_BEFORE_SKEW_S = 60;

const RoleMap = z.record(z.string(), z.enum(MANAGEMENT_ROLES));

/**
 * The Access settings, or null when Access is not configured. A half or broken configuration is a
 * deployment mistake: it throws (a 500, logged), and no token is accepted until it is fixed.
 */
export function accessSettings(vars: AccessVars): AccessSettings | null {
  const team = vars.ACCESS_TEAM_DOMAIN?.trim() ?? "";
  const audience = vars.ACCESS_AUDIENCE?.trim() ?? "";
  if (team === "" && audience === "") return null;
  if (team === "" || audience === "") throw new Error("Cloudflare Access needs both ACCESS_TEAM_DOMAIN and ACCESS_AUDIENCE");
  const host = team.replace(/^https:\/\//, "").replace(/\/+$/, "");
  if (!/^[A-Za-z0-9.-]+$/.test(host)) throw new Error(`ACCESS_TEAM_DOMAIN must be a host name, e.g. acme.cloudflareaccess.com`);
  let roles: Record<string, ManagementRole>;
  try {
    roles = RoleMap.parse(JSON.parse(vars.ACCESS_ROLES?.trim() || "{}"));
  } catch {
    throw new Error(`ACCESS_ROLES must be a JSON object of e-mail, "@domain" or "*" → ${MANAGEMENT_ROLES.join(" | ")}`);
  }
  return {
    issuer: `https://${host}`,
    certsUrl: `https://${host}/cdn-cgi/access/certs`,
    audience,
    roles: new Map(Object.entries(roles).map(([who, role]) => [who.toLowerCase(), role])),
  };
}

/** The role of an Access identity: its exact e-mail first, then its "@domain", then "*"; null: none. */
export function accessRole(settings: AccessSettings, identity: string): ManagementRole | null {
  const who = identity.toLowerCase();
  const at = who.lastIndexOf("@");
  return settings.roles.get(who) ?? (at > 0 ? settings.roles.get(who.slice(at)) : undefined) ?? settings.roles.get("*") ?? null;
}

const Header = z.object({ alg: z.string(), kid: z.string().min(1) });
const Claims = z.object({
  aud: z.union([z.string(), z.array(z.string())]),
  iss: z.string(),
  exp: z.number(),
  nbf: z.number().optional(),
  email: z.string().min(1).optional(),
  common_name: z.string().min(1).optional(),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The identity (e-mail, or a service token's client id) of a valid Access token; 403 forbidden
 * naming what is wrong otherwise. Throws a plain Error (a 500) when the team's keys cannot be
 * fetched and none are kept.
 */
export async function verifyAccessToken(token: string, settings: AccessSettings, nowMs = Date.now()): Promise<string> {
  const parts = token.split(".");
  if (parts.length !== 3) throw invalid("it is not a JWT");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = Header.safeParse(jsonPart(headerPart));
  if (!header.success || header.data.alg !== "RS256") throw invalid("it is not signed with RS256 under a key id");
  const signature = decodeBase64Url(signaturePart);
  if (!signature) throw invalid("its signature is not base64url");
  const key = await teamKey(settings.certsUrl, header.data.kid, nowMs);
  if (!key) throw invalid("it is signed by a key the team does not publish");
  const verified = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, encoder.encode(`${headerPart}.${payloadPart}`));
  if (!verified) throw invalid("its signature does not verify");

  // Only now is the payload known to come from Access.
  const claims = Claims.safeParse(jsonPart(payloadPart));
  if (!claims.success) throw invalid("its claims are not those of an Access token");
  const { aud, iss, exp, nbf, email, common_name } = claims.data;
  const nowS = nowMs / 1000;
  if (!(Array.isArray(aud) ? aud : [aud]).includes(settings.audience)) throw invalid("it is for another Access application (aud)");
  if (iss !== settings.issuer) throw invalid("it was issued by another team (iss)");
  if (exp <= nowS) throw invalid("it has expired");
  if (nbf !== undefined && nbf > nowS + NOT_BEFORE_SKEW_S) throw invalid("it is not valid yet (nbf)");
  const identity = email ?? common_name;
  if (identity === undefined) throw invalid("it names nobody (no email, no common_name)");
  return identity;
}

function invalid(why: string): ApiError {
  return new ApiError("forbidden", `The Cloudflare Access token (Cf-Access-Jwt-Assertion) is not valid: ${why}`);
}

function jsonPart(part: string): unknown {
  const bytes = decodeBase64Url(part);
  if (!bytes) return null;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- the team's public keys, kept per isolate

interface TeamKeys {
  keys: ReadonlyMap<string, CryptoKey>;
  fetchedAt: number;
}

const teams = new Map<string, TeamKeys>();
/** One fetch per team at a time: requests arriving meanwhile wait for it. */
const loading = new Map<string, Promise<TeamKeys>>();

const Jwks = z.object({
  keys: z.array(z.object({ kid: z.string(), kty: z.string(), n: z.string().optional(), e: z.string().optional() })),
});

async function teamKey(certsUrl: string, kid: string, nowMs: number): Promise<CryptoKey | null> {
  let team = teams.get(certsUrl);
  const stale = !team || nowMs - team.fetchedAt >= KEYS_MAX_AGE_MS;
  const unknown = team !== undefined && !team.keys.has(kid) && nowMs - team.fetchedAt >= UNKNOWN_KID_RELOAD_MS;
  if (stale || unknown) {
    try {
      team = await load(certsUrl, nowMs);
    } catch (error) {
      // Keys kept from before still verify what they verified: better than refusing everyone.
      if (!team) throw error;
      console.warn(`Cloudflare Access keys could not be reloaded; using those fetched before: ${String(error)}`);
    }
  }
  return team!.keys.get(kid) ?? null;
}

function load(certsUrl: string, nowMs: number): Promise<TeamKeys> {
  let pending = loading.get(certsUrl);
  if (!pending) {
    pending = fetchKeys(certsUrl, nowMs).finally(() => loading.delete(certsUrl));
    loading.set(certsUrl, pending);
  }
  return pending;
}

async function fetchKeys(certsUrl: string, nowMs: number): Promise<TeamKeys> {
  const response = await fetch(certsUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`GET ${certsUrl} answered ${response.status}`);
  const jwks = Jwks.parse(await response.json());
  const keys = new Map<string, CryptoKey>();
  for (const jwk of jwks.keys) {
    if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) continue;
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true },
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
    keys.set(jwk.kid, key);
  }
  const team = { keys, fetchedAt: nowMs };
  teams.set(certsUrl, team);
  return team;
}
