/**
 * License user passwords: only a slow, salted hash is stored, PBKDF2-SHA256 via WebCrypto,
 * in the form `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>` (scripts/local-setup.mjs
 * writes the same form for the demo user). 100,000 iterations is the most Workers' WebCrypto
 * allows for PBKDF2.
 */
import { decodeBase64, encodeBase64 } from "../base64";

export const PBKDF2_ITERATIONS = 100_000;
const HASH_BYTES = 32;
const encoder = new TextEncoder();

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, HASH_BYTES * 8);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = new Uint8Array(await derive(password, salt, iterations));
  return `pbkdf2-sha256$${iterations}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
}

/** A stored hash, parsed; null when it is missing or malformed. */
function parseStored(stored: string | null): { iterations: number; salt: Uint8Array; expected: Uint8Array } | null {
  const parts = stored?.split("$");
  if (!parts || parts.length !== 4 || parts[0] !== "pbkdf2-sha256") return null;
  const iterations = Number(parts[1]);
  const salt = decodeBase64(parts[2]!);
  const expected = decodeBase64(parts[3]!);
  if (
    !Number.isInteger(iterations) ||
    iterations < 1 ||
    iterations > PBKDF2_ITERATIONS ||
    !salt ||
    !expected ||
    expected.byteLength !== HASH_BYTES
  ) {
    return null;
  }
  return { iterations, salt, expected };
}

/**
 * What a check derives against when there is no hash to check (no such user, or a user without a
 * password): the same work as a real check, so the answer's timing does not tell the cases apart.
 * Its result is never used.
 */
const NO_HASH = { iterations: PBKDF2_ITERATIONS, salt: new Uint8Array(16), expected: new Uint8Array(HASH_BYTES) };

/**
 * True when `password` matches `stored`. Always derives once, with the stored hash's parameters or
 * NO_HASH's: a missing or malformed hash (and `stored` null: no user) costs what a wrong password
 * costs, and never matches. The final comparison is constant-time (crypto.subtle.timingSafeEqual).
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const parsed = parseStored(stored);
  const { iterations, salt, expected } = parsed ?? NO_HASH;
  const actual = new Uint8Array(await derive(password, salt, iterations));
  return crypto.subtle.timingSafeEqual(actual, expected) && parsed !== null;
}
