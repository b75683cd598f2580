-- The audit log's lifecycle (docs/audit-archive.md): rows older than the retention window move to
-- R2 as day-partitioned Parquet parts, and leave D1 in the same transaction that records the part.

-- The archiver reads the oldest day's rows in created_at order: without this index every chunk
-- would scan the whole table.
CREATE INDEX consumption_audit_by_time ON consumption_audit (created_at);

-- One row per archived part: an R2 object holding `rows` audit rows of one UTC day, written,
-- read back and verified before its rows were deleted from consumption_audit (same transaction as
-- this row). first_id/last_id are the smallest and largest audit ids in the part; first_event_id
-- and last_event_id belong to those rows; digest is the SHA-256 of the rows' canonical text.
-- in_manifest = 1 once the day's manifest.json in R2 lists the part.
CREATE TABLE audit_archive_parts (
  day TEXT NOT NULL,
  part INTEGER NOT NULL,
  object_key TEXT NOT NULL UNIQUE,
  rows INTEGER NOT NULL,
  consumptions INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  first_event_id TEXT NOT NULL,
  last_event_id TEXT NOT NULL,
  first_created_at TEXT NOT NULL,
  last_created_at TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  digest TEXT NOT NULL,
  archived_at TEXT NOT NULL,
  in_manifest INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, part)
);
CREATE INDEX audit_archive_parts_by_id ON audit_archive_parts (last_id);
CREATE INDEX audit_archive_parts_unlisted ON audit_archive_parts (day) WHERE in_manifest = 0;

-- The archiver's lease (one row): a run takes it by bumping `token` once the previous lease has
-- expired, and commits a part only while `token` is still its own, so two runs never archive at
-- once. pending_key is the object the holder is writing: a run that died leaves it, and the next
-- holder deletes it unless a part row names it. The row is created by the first run.
CREATE TABLE audit_archive_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  token INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  pending_key TEXT
);
