/**
 * An archive part as a Parquet file: the audit rows' columns, typed (INT64 for every number,
 * UTF-8 strings for text, NULL where the row has none), readable by DuckDB, Spark, pandas, Athena
 * or hyparquet without anything of ours. Encodings chosen for how audit rows look: ids and
 * totals grow, so they are delta-packed; a part's rows share a few thousand devices, so hardware ids
 * are dictionary-encoded; timestamps share long prefixes (DELTA_BYTE_ARRAY). event_id is random
 * and stays PLAIN. Snappy compression (the Parquet default, built into the writer).
 */
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { AuditEntryResource } from "../models/audit-entry";

type Encoding = "PLAIN" | "RLE_DICTIONARY" | "DELTA_BINARY_PACKED" | "DELTA_BYTE_ARRAY";
type Column = { name: keyof AuditEntryResource; type: "INT64" | "STRING"; encoding?: Encoding };

/** The columns of a part, in file order (also the order of the CSV export's columns). */
const COLUMNS: readonly Column[] = [
  { name: "id", type: "INT64", encoding: "DELTA_BINARY_PACKED" },
  { name: "event_id", type: "STRING" },
  { name: "created_at", type: "STRING", encoding: "DELTA_BYTE_ARRAY" },
  { name: "event", type: "STRING" },
  { name: "license_id", type: "INT64" },
  { name: "license_feature_id", type: "INT64" },
  { name: "feature_code", type: "STRING" },
  { name: "hardware_id", type: "STRING", encoding: "RLE_DICTIONARY" },
  { name: "consumptions", type: "INT64" },
  { name: "total_after", type: "INT64", encoding: "DELTA_BINARY_PACKED" },
  { name: "api_key_id", type: "INT64" },
];

/** The audit row's fields in file order. */
export const ARCHIVE_FIELDS = COLUMNS.map((column) => column.name);

/** Written into each file's key-value metadata, so a reader can tell what it holds. */
export const PART_FORMAT = "edge-license-api/audit-log/1";

/** One Parquet file of `rows` (one row group). */
export function encodeAuditPart(rows: readonly AuditEntryResource[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: COLUMNS.map(({ name, type, encoding }) => ({
      name,
      type,
      ...(encoding ? { encoding } : {}),
      data: type === "INT64" ? rows.map((row) => toBigInt(row[name] as number | null)) : rows.map((row) => row[name] as string | null),
    })),
    rowGroupSize: Math.max(1, rows.length),
    kvMetadata: [{ key: "format", value: PART_FORMAT }],
    createdBy: "edge-license-api audit archiver",
  });
  return new Uint8Array(buffer);
}

/** The rows of a part file, as D1 returned them (numbers, strings, nulls). */
export async function decodeAuditPart(file: ArrayBuffer): Promise<AuditEntryResource[]> {
  const objects = await parquetReadObjects({ file, columns: ARCHIVE_FIELDS });
  return objects.map((object) => {
    const row: Record<string, unknown> = {};
    for (const { name, type } of COLUMNS) {
      const value: unknown = object[name];
      row[name] = value === null || value === undefined ? null : type === "INT64" ? Number(value) : String(value);
    }
    return row as unknown as AuditEntryResource;
  });
}

function toBigInt(value: number | null): bigint | null {
  return value === null ? null : BigInt(value);
}
