/**
 * How the audit log's lifecycle is tuned (docs/audit-archive.md). The retention window is the
 * vendor's choice (AUDIT_RETENTION_DAYS in wrangler.toml); the sizes below keep one run within a
 * Worker's limits: a part of PART_ROWS rows is encoded, read back and verified in memory, and a
 * run writes at most PARTS_PER_RUN of them, so its CPU time and memory have fixed bounds however
 * many rows wait.
 */

/** Days of raw audit rows kept in D1 when AUDIT_RETENTION_DAYS is not set. */
export const DEFAULT_RETENTION_DAYS = 90;

export interface ArchiveSettings {
  /** Whole UTC days before today that stay in D1: rows of older days are archived. */
  retentionDays: number;
  /** Rows per part file (and per D1 read, R2 write and D1 delete). */
  partRows: number;
  /** Parts one run writes at most; the next run resumes. */
  partsPerRun: number;
  /** How long a run's lease lasts: longer than any run may take (a cron invocation has 15 minutes). */
  leaseMs: number;
}

export const DEFAULT_ARCHIVE_SETTINGS: Omit<ArchiveSettings, "retentionDays"> = {
  partRows: 20_000,
  partsPerRun: 25,
  leaseMs: 30 * 60_000,
};

/** The settings from the Worker's vars; a missing or malformed retention is the default. */
export function archiveSettings(env: { AUDIT_RETENTION_DAYS?: string }): ArchiveSettings {
  return { retentionDays: retentionDays(env.AUDIT_RETENTION_DAYS), ...DEFAULT_ARCHIVE_SETTINGS };
}

/** At least one day: today's rows are still arriving and are never archived. */
export function retentionDays(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value.trim())) return DEFAULT_RETENTION_DAYS;
  return Math.max(1, Number(value.trim()));
}
