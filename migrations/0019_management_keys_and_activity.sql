-- Who did what (docs/management-api.md "Management keys and roles", "The activity log").

-- Named management keys. A key is shown once, when it is created; only its SHA-256 (hex) is kept,
-- with the first characters of the key (key_prefix) so that a vendor can tell keys apart. A revoked
-- key stays, so that the activity log's names keep their meaning; names are never given twice.
CREATE TABLE management_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'support', 'read-only')),
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  created_by TEXT NOT NULL,
  revoked_at TEXT,
  revoked_by TEXT
);

-- One row per vendor action, written in the same D1 transaction as the change where the change is
-- a D1 write. actor: the management key's name, the Cloudflare Access e-mail, or MANAGEMENT_KEY
-- (the bootstrap secret); target_type and target_id: what was acted on; license_id: the license
-- the action concerns, if any (its features, devices and counters included); before and after:
-- JSON objects of the values that changed (NULL: nothing before, as for a creation, or after).
CREATE TABLE activity (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  actor TEXT NOT NULL COLLATE NOCASE,
  actor_type TEXT NOT NULL CHECK (actor_type IN ('bootstrap', 'management_key', 'access')),
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id INTEGER,
  license_id INTEGER,
  before TEXT,
  after TEXT
);
CREATE INDEX activity_by_license ON activity (license_id, id);
CREATE INDEX activity_by_target ON activity (target_type, target_id, id);
CREATE INDEX activity_by_actor ON activity (actor, id);
CREATE INDEX activity_by_action ON activity (action, id);
CREATE INDEX activity_by_time ON activity (created_at);
