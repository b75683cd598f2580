/**
 * Reads a text request body (offline request files: base64 text, sent as text/plain by the SDKs),
 * with the same defences as JSON bodies: size cap enforced while reading, UTF-8. A multipart upload
 * (LicenseSpring also takes the file as a form's `file` field) is not read here: invalid_content_type
 * says to send the file's text as the body.
 */
import { ApiError } from "../errors";
import { readCapped } from "./read-json-body";

/** Offline request files carry up to 100 device variables; base64 adds a third: 64 KiB holds any real one. */
export const MAX_TEXT_BODY_BYTES = 64 * 1024;

export async function readTextBody(request: Request): Promise<string> {
  const contentType = (request.headers.get("Content-Type") ?? "").trim();
  if (/^multipart\//i.test(contentType))
    throw new ApiError(
      "invalid_content_type",
      "Send the offline request file's text as the body (Content-Type: text/plain), not as a form",
    );
  const tooLarge = `The request body must be at most ${MAX_TEXT_BODY_BYTES} bytes`;
  if (Number(request.headers.get("Content-Length") ?? "0") > MAX_TEXT_BODY_BYTES) throw new ApiError("body_too_large", tooLarge);
  const bytes = await readCapped(request, MAX_TEXT_BODY_BYTES, tooLarge);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid UTF-8");
  }
}
