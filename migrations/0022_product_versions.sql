-- A product's versions (docs/protocol.md "Versions and installation files"): what versions and
-- installation_file answer, and the installation_file in license objects. The files themselves live
-- wherever the vendor points installation_file (a URL); the service keeps only their description.
CREATE TABLE product_versions (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  version TEXT NOT NULL,
  -- LicenseSpring's environment (e.g. "win64", "mac", "linux") and release channel (e.g. "stable", "beta").
  environment TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL DEFAULT '',
  release_date TEXT NOT NULL,
  installation_file TEXT,
  hash_md5 TEXT,
  size TEXT,
  eula_link TEXT,
  release_notes_link TEXT,
  -- The minimum version a client must have to update to this one (the client decides).
  requires_version TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (product_id, version, environment, channel)
);
CREATE INDEX product_versions_by_release ON product_versions (product_id, release_date);
