/**
 * Reads the body of a bulk import (/api/v1/import/...): a JSON array of rows (Content-Type
 * application/json) or one JSON object per line (application/x-ndjson). Bigger than other bodies,
 * so it has its own caps, enforced while streaming (src/http/read-json-body.ts does the same for
 * the 16 KiB bodies of every other route). Each row keeps its number for error messages: its
 * 1-based position in the array, or its 1-based line number in the NDJSON text (blank lines are
 * skipped but counted, so the number is what an editor shows).
 */
import { ApiError } from "../errors";
import { readCapped } from "./read-json-body";

/** At most this many bytes per import call (docs/migration.md "Limits"). */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
/** At most this many rows per import call: one call's writes are one D1 transaction. */
export const MAX_IMPORT_ROWS = 500;

export interface NumberedRow<T = unknown> {
  /** 1-based: the array index + 1, or the NDJSON line number. */
  row: number;
  value: T;
}

export interface ImportBody {
  rows: NumberedRow[];
  /** NDJSON lines that are not JSON (each is a row error, reported with the other rows' errors). */
  unreadable: number[];
}

const LIMITS = `at most ${MAX_IMPORT_BYTES} bytes (2 MiB) and ${MAX_IMPORT_ROWS} rows per call: split the file and send the parts one after another`;

export async function readImportBody(request: Request): Promise<ImportBody> {
  const contentType = (request.headers.get("Content-Type") ?? "").trim();
  const ndjson = /^application\/x-ndjson\s*(;|$)/i.test(contentType);
  if (!ndjson && !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new ApiError(
      "invalid_content_type",
      "Content-Type must be application/json (a JSON array of rows) or application/x-ndjson (one JSON object per line)",
    );
  }
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_IMPORT_BYTES) throw new ApiError("body_too_large", `An import body must be ${LIMITS}`);
  const bytes = await readCapped(request, MAX_IMPORT_BYTES, `An import body must be ${LIMITS}`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid UTF-8");
  }
  const body = ndjson ? splitLines(text) : parseArray(text);
  const count = body.rows.length + body.unreadable.length;
  if (count === 0) throw new ApiError("validation_error", "The import body has no rows");
  if (count > MAX_IMPORT_ROWS) throw new ApiError("body_too_large", `The import body has ${count} rows; send ${LIMITS}`);
  return body;
}

function parseArray(text: string): ImportBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json");
  }
  if (!Array.isArray(parsed)) {
    throw new ApiError("validation_error", "An application/json import body must be a JSON array of rows (or send application/x-ndjson)");
  }
  return { rows: parsed.map((value: unknown, index) => ({ row: index + 1, value })), unreadable: [] };
}

function splitLines(text: string): ImportBody {
  const rows: NumberedRow[] = [];
  const unreadable: number[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      rows.push({ row: index + 1, value: JSON.parse(line) as unknown });
    } catch {
      unreadable.push(index + 1);
    }
  });
  return { rows, unreadable };
}
