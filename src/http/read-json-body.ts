/**
 * Reads a JSON request body defensively: content type, size cap (enforced while streaming, not
 * trusted from Content-Length), UTF-8 and JSON syntax. Every failure is a 400 with a stable code.
 */
import { ApiError } from "../errors";

/** License API bodies are a few hundred bytes; 16 KiB leaves room for any real client. */
export const MAX_BODY_BYTES = 16 * 1024;

export async function readJsonBody(request: Request): Promise<unknown> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType.trim())) throw new ApiError("invalid_content_type");

  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError("body_too_large", `The request body must be at most ${MAX_BODY_BYTES} bytes`);

  const tooLarge = `The request body must be at most ${MAX_BODY_BYTES} bytes`;
  const bytes = request.headers.has("Content-Length")
    ? await readDeclared(request, MAX_BODY_BYTES, tooLarge)
    : await readCapped(request, MAX_BODY_BYTES, tooLarge);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("invalid_json");
  }
}

/** The body's bytes; body_too_large (with `tooLarge` as its message) as soon as more than `limit` arrive. */
export async function readCapped(request: Request, limit: number, tooLarge: string): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await readChunk(reader);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new ApiError("body_too_large", tooLarge);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * A body whose length the client declared (at most `limit`, checked above): HTTP framing ends it
 * there, so it is read in one piece, without the streaming loop's work per chunk. The length is
 * checked again, for a Request built in-process whose header says less than its body holds.
 */
async function readDeclared(request: Request, limit: number, tooLarge: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await request.arrayBuffer());
  } catch {
    throw new ApiError("client_aborted");
  }
  if (bytes.byteLength > limit) throw new ApiError("body_too_large", tooLarge);
  return bytes;
}

/**
 * Reading the body fails only when the client's side of it does: the connection dropped, or the
 * client reset its stream mid-body. That is a client abort, answered with client_aborted (which
 * nobody reads) so it never reaches the generic 500 path, its log line and the 5xx count.
 */
async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch {
    throw new ApiError("client_aborted");
  }
}
