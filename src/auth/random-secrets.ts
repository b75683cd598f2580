/** Random identifiers handed out: license keys, License API credentials, management keys and trial users' initial passwords (WebCrypto randomness only). */
import { encodeBase64Url } from "../base64";

// 32 symbols without look-alikes (no I, O, 0, 1): 256 is a multiple of 32, so `byte % 32` is uniform.
const KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** XXXX-XXXX-XXXX-XXXX: 80 random bits, easy to read out and type. */
export function generateLicenseKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const symbols = Array.from(bytes, (byte) => KEY_ALPHABET[byte % 32]).join("");
  return symbols.match(/.{4}/g)!.join("-");
}

/** An API key (128 bits, hex) and its shared key (192 bits, base64url), as scripts/local-setup.mjs makes them. */
export function generateApiCredentials(): { apiKey: string; sharedKey: string } {
  const apiKey = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
  const sharedKey = encodeBase64Url(crypto.getRandomValues(new Uint8Array(24)));
  return { apiKey, sharedKey };
}

/** A named management key: "mk_" and 256 random bits (base64url), with the first characters kept to tell keys apart. */
export function generateManagementKey(): { key: string; prefix: string } {
  const key = `mk_${encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  return { key, prefix: key.slice(0, 10) };
}

/** A license user's initial password for a trial license (96 random bits, base64url): answered once, stored only as a hash. */
export function generatePassword(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(12)));
}
