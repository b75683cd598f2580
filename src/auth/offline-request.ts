/**
 * Offline request files (activate_offline, deactivate_offline): what LicenseSpring's SDKs write on a
 * machine without a network, and how the server decides that a file was made by an application
 * holding the API key's shared key. Pure, WebCrypto only; the endpoints are
 * src/license-api/routes/offline-activation.ts (docs/protocol.md "Offline activation").
 *
 * A file is base64 of a JSON object, in one of LicenseSpring's two schemas:
 *
 * - schema 2: `{"request": {...}, "signature": "..."}`, the signature being HMAC-SHA256 under the
 *   shared key over the request object's JSON text exactly as the file holds it. The Node SDK writes
 *   JSON.stringify's text, the Python SDK json.dumps' (", " and ": " separators), so the server never
 *   re-serialises: it verifies the very bytes between the request's braces, found by scanning the
 *   file (requestSpan). The signature is base64 (the Node and Python SDKs) or hex (LicenseSpring's
 *   C++ example).
 * - schema 1: the request object itself, with `signature` = HMAC-SHA256 under the shared key over
 *   `licenseSpring\ndate: <date>\n<license_key or username>\n<hardware_id>\n<api_key>` (base64).
 *
 * Either way the request names the API key it was signed for (`api_key`); the shared key checked is
 * that key's.
 */
import { decodeBase64 } from "../base64";
import { verifyHmac } from "./request-signature";

/** An offline request file, read: the request object, and what its signature covers. */
export interface OfflineRequest {
  request: Record<string, unknown>;
  schema: 1 | 2;
  /** The text the signature covers. */
  signed: string;
  signature: string;
}

/** Why a file is not an offline request (answered authorization_missing_params, LicenseSpring's code for it). */
export class MalformedOfflineRequest extends Error {}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The request in a file (base64 text, surrounding whitespace ignored); throws MalformedOfflineRequest. */
export function readOfflineRequest(file: string): OfflineRequest {
  const bytes = decodeBase64(file.replace(/\s+/g, ""));
  if (bytes === null) throw new MalformedOfflineRequest("The offline request is not base64");
  let text: string;
  let parsed: unknown;
  try {
    text = decoder.decode(bytes);
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedOfflineRequest("The offline request is not base64 of JSON text");
  }
  if (!isObject(parsed)) throw new MalformedOfflineRequest("The offline request is not a JSON object");
  if (isObject(parsed.request)) {
    if (typeof parsed.signature !== "string") throw new MalformedOfflineRequest("The offline request has no signature");
    const span = requestSpan(text);
    if (span === null) throw new MalformedOfflineRequest("The offline request's request object could not be read");
    return { request: parsed.request, schema: 2, signed: span, signature: parsed.signature };
  }
  const { signature, date, hardware_id: hardwareId, api_key: apiKey } = parsed;
  const identifier = parsed.license_key ?? parsed.username;
  if (typeof signature !== "string" || typeof date !== "string" || typeof hardwareId !== "string" || typeof apiKey !== "string")
    throw new MalformedOfflineRequest("The offline request lacks its signature, date, hardware_id or api_key");
  if (typeof identifier !== "string") throw new MalformedOfflineRequest("The offline request names no license_key or username");
  return { request: parsed, schema: 1, signed: `licenseSpring\ndate: ${date}\n${identifier}\n${hardwareId}\n${apiKey}`, signature };
}

/** True when the file's signature is HMAC-SHA256 under `sharedKey` over what it covers (base64, or hex for schema 2). */
export async function verifyOfflineRequest(offline: OfflineRequest, sharedKey: string): Promise<boolean> {
  // 64 hex digits are also valid base64 (of 48 bytes): an HMAC-SHA256 is 32 bytes either way.
  const asBase64 = decodeBase64(offline.signature);
  const signature = asBase64?.byteLength === 32 ? asBase64 : offline.schema === 2 ? decodeHex(offline.signature) : null;
  if (signature === null) return false;
  return verifyHmac(sharedKey, offline.signed, signature);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodeHex(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) return null;
  return Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
}

/**
 * The exact text of the top-level "request" member's value in `text` (a JSON object already known
 * to parse), or null. A scan over JSON's grammar: strings (with their escapes) are skipped whole,
 * brackets counted, so nothing inside a string or a nested value can be taken for the member.
 */
export function requestSpan(text: string): string | null {
  let i = skipSpace(text, 0);
  if (text[i] !== "{") return null;
  i = skipSpace(text, i + 1);
  while (i < text.length && text[i] !== "}") {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") return null;
    const valueStart = skipSpace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    if (key === "request") return text.slice(valueStart, valueEnd);
    i = skipSpace(text, valueEnd);
    if (text[i] === ",") i = skipSpace(text, i + 1);
  }
  return null;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  return i;
}

/** The index after the string starting at `i` (an opening quote). */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** The index after the value starting at `i`. */
function skipValue(text: string, i: number): number {
  if (text[i] === '"') return skipString(text, i);
  if (text[i] === "{" || text[i] === "[") {
    let depth = 0;
    while (i < text.length) {
      const char = text[i];
      if (char === '"') {
        i = skipString(text, i);
        continue;
      }
      if (char === "{" || char === "[") depth++;
      else if (char === "}" || char === "]") depth--;
      i++;
      if (depth === 0) return i;
    }
    return i;
  }
  // A number, true, false or null: up to the next delimiter.
  while (i < text.length && !",}] \n\r\t".includes(text[i]!)) i++;
  return i;
}
