-- The edge License API's D1 schema as it is now: what applying migrations/ in order produces
-- (test/node/schema.test.ts checks it). To change it, add a migration under migrations/ and edit this file to match.
-- Booleans are INTEGER 0/1; times are ISO-8601 UTC text ('2026-01-31T12:00:00.000Z').

-- Products a vendor sells; short_code is what clients send as `product`.
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  short_code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- 'license-key' (clients send license_key) or 'user' (clients send username), as the SDK names them.
  authorization_method TEXT NOT NULL CHECK (authorization_method IN ('license-key', 'user')),
  company_id INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- A JSON object, answered as stored (product_details and license objects).
  metadata TEXT NOT NULL DEFAULT '{}',
  -- Bumped with every change to the product's feature defaults (counter objects reload on a newer one).
  defaults_version INTEGER NOT NULL DEFAULT 0,
  -- Trials (migrations/0021): trial_key issues a trial license (trial_days, on the terms of
  -- trial_license, a JSON object) when allow_trial; one per device unless allow_multiple_trials.
  allow_trial INTEGER NOT NULL DEFAULT 0,
  trial_days INTEGER NOT NULL DEFAULT 0,
  allow_multiple_trials INTEGER NOT NULL DEFAULT 0,
  trial_license TEXT NOT NULL DEFAULT '{}'
);

-- Features a product offers, with the defaults a license inherits unless it overrides them.
CREATE TABLE product_features (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  feature_type TEXT NOT NULL CHECK (feature_type IN ('activation', 'consumption')),
  max_consumption INTEGER NOT NULL DEFAULT 0,
  allow_unlimited_consumptions INTEGER NOT NULL DEFAULT 0,
  allow_overages INTEGER NOT NULL DEFAULT 0,
  max_overages INTEGER NOT NULL DEFAULT 0,
  allow_negative_consumptions INTEGER NOT NULL DEFAULT 0,
  reset_consumption INTEGER NOT NULL DEFAULT 0,
  consumption_period TEXT CHECK (consumption_period IN ('daily', 'weekly', 'monthly', 'annually')),
  metadata TEXT NOT NULL DEFAULT '{}',
  -- Floating defaults (migrations/0011): check_license_feature takes one of floating_users slots
  -- for floating_timeout minutes when is_floating_cloud.
  is_floating_cloud INTEGER NOT NULL DEFAULT 0,
  floating_users INTEGER NOT NULL DEFAULT 0,
  floating_timeout INTEGER NOT NULL DEFAULT 120,
  UNIQUE (product_id, code)
);

-- Licenses issued for a product: a key (key-based products) or license users (user-based).
CREATE TABLE licenses (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  license_key TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  active INTEGER NOT NULL DEFAULT 0,
  validity_period TEXT,
  license_type TEXT NOT NULL DEFAULT 'perpetual'
    CHECK (license_type IN ('perpetual', 'time-limited', 'consumption', 'subscription')),
  max_activations INTEGER NOT NULL DEFAULT 1,
  allow_unlimited_activations INTEGER NOT NULL DEFAULT 0,
  -- License-level consumption (license_type 'consumption'); total mirrored from its counter object.
  max_consumptions INTEGER NOT NULL DEFAULT 0,
  allow_unlimited_consumptions INTEGER NOT NULL DEFAULT 0,
  allow_overages INTEGER NOT NULL DEFAULT 0,
  max_overages INTEGER NOT NULL DEFAULT 0,
  allow_negative_consumptions INTEGER NOT NULL DEFAULT 0,
  reset_consumption INTEGER NOT NULL DEFAULT 0,
  consumption_period TEXT CHECK (consumption_period IN ('daily', 'weekly', 'monthly', 'annually')),
  total_consumptions INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- A JSON object; the vendor's order reference; user-based licenses: at most this many users (0 = no limit);
  -- the vendor's trial marking (validity_period is what ends a license, trial or not).
  metadata TEXT NOT NULL DEFAULT '{}',
  order_store_id TEXT,
  max_license_users INTEGER NOT NULL DEFAULT 0,
  is_trial INTEGER NOT NULL DEFAULT 0,
  trial_days INTEGER NOT NULL DEFAULT 0,
  -- The counter object's sequence number of the audit row total_consumptions comes from.
  total_version INTEGER NOT NULL DEFAULT 0,
  -- Floating cloud (migrations/0011): every check_license takes or refreshes one of floating_users
  -- slots for floating_timeout minutes; can_borrow: a device may hold its slot (and its floating
  -- features' slots) offline for up to max_borrow_time hours. The pools live in the counter objects.
  is_floating_cloud INTEGER NOT NULL DEFAULT 0,
  floating_users INTEGER NOT NULL DEFAULT 0,
  floating_timeout INTEGER NOT NULL DEFAULT 120,
  can_borrow INTEGER NOT NULL DEFAULT 0,
  max_borrow_time INTEGER NOT NULL DEFAULT 0,
  -- Raised with every change its counter objects are told of (migrations/0016): a snapshot read
  -- before a change never replaces one read after it.
  write_version INTEGER NOT NULL DEFAULT 0,
  -- When the audit row total_consumptions comes from was written (migrations/0017).
  total_at TEXT,
  -- The customer the license was sold to (migrations/0018; NULL: none).
  customer_id INTEGER REFERENCES customers(id),
  -- When the license was archived (NULL: it is not): kept with its history, disabled, out of the
  -- default listings, frozen until restored.
  archived_at TEXT,
  -- migrations/0021: the device of a one-per-device trial ([hardware_id, email or null] as JSON);
  -- no activation before start_date; the end of maintenance (the SDK reports it); prevent_vm;
  -- grace_period hours after validity_period when allow_grace_period; allow_offline_activation;
  -- device transfers (max_transfers: 0 no limit, -1 none, N at most N), counted by the triggers on devices.
  trial_device TEXT,
  start_date TEXT,
  maintenance_period TEXT,
  prevent_vm INTEGER NOT NULL DEFAULT 0,
  allow_grace_period INTEGER NOT NULL DEFAULT 0,
  grace_period INTEGER NOT NULL DEFAULT 0,
  allow_offline_activation INTEGER NOT NULL DEFAULT 1,
  max_transfers INTEGER NOT NULL DEFAULT 0,
  transfer_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (product_id, license_key)
);

-- Every id the API answers is exact in JSON (migrations/0014): a license past 2^53 - 1 is refused.
CREATE TRIGGER licenses_id_exact_in_json AFTER INSERT ON licenses
WHEN NEW.id > 9007199254740991
BEGIN
  SELECT RAISE(ABORT, 'license ids exhausted: a license id must be at most 2^53 - 1');
END;

-- The users of user-based licenses; password_hash is PBKDF2 ('pbkdf2-sha256$iterations$salt$hash').
CREATE TABLE license_users (
  id INTEGER PRIMARY KEY,
  license_id INTEGER NOT NULL REFERENCES licenses(id),
  username TEXT NOT NULL COLLATE NOCASE,
  password_hash TEXT,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  phone_number TEXT NOT NULL DEFAULT '',
  -- 1 until the user changes the password the vendor set (change_password).
  is_initial_password INTEGER NOT NULL DEFAULT 1,
  UNIQUE (license_id, username)
);
CREATE INDEX license_users_by_username ON license_users (username);

-- A feature on one license: NULL values inherit the product feature's defaults.
-- total_consumptions is a read-only mirror: the feature's counter object owns the real total.
CREATE TABLE license_features (
  id INTEGER PRIMARY KEY,
  license_id INTEGER NOT NULL REFERENCES licenses(id),
  product_feature_id INTEGER NOT NULL REFERENCES product_features(id),
  max_consumption INTEGER,
  allow_unlimited_consumptions INTEGER,
  allow_overages INTEGER,
  max_overages INTEGER,
  allow_negative_consumptions INTEGER,
  reset_consumption INTEGER,
  consumption_period TEXT CHECK (consumption_period IN ('daily', 'weekly', 'monthly', 'annually')),
  expiry_date TEXT,
  total_consumptions INTEGER NOT NULL DEFAULT 0,
  -- A JSON object; NULL inherits the product feature's metadata.
  metadata TEXT,
  -- The counter object's sequence number of the audit row total_consumptions comes from.
  total_version INTEGER NOT NULL DEFAULT 0,
  -- Floating values (migrations/0011); NULL inherits the product feature's.
  is_floating_cloud INTEGER,
  floating_users INTEGER,
  floating_timeout INTEGER,
  -- When the audit row total_consumptions comes from was written (migrations/0017).
  total_at TEXT,
  -- When the feature was removed from the license (migrations/0018; NULL: it is on the license).
  -- The row stays: its id names the feature's counter object and its history refers to it; every
  -- read of a license's features skips it, and adding the feature again brings it back.
  removed_at TEXT,
  UNIQUE (license_id, product_feature_id)
);

-- Devices (hardware ids) activated on a license.
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  license_id INTEGER NOT NULL REFERENCES licenses(id),
  hardware_id TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  blacklisted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- 1 from its deactivation until an activation takes its seat (migrations/0021): its own, or
  -- another device's, which is a transfer.
  transfer_pending INTEGER NOT NULL DEFAULT 0,
  UNIQUE (license_id, hardware_id)
);

-- Device transfers (migrations/0021): counted inside the statement that activates.
CREATE TRIGGER devices_deactivated AFTER UPDATE OF active ON devices
WHEN OLD.active = 1 AND NEW.active = 0
BEGIN
  UPDATE devices SET transfer_pending = 1 WHERE id = NEW.id;
END;

CREATE TRIGGER devices_reactivated AFTER UPDATE OF active ON devices
WHEN OLD.active = 0 AND NEW.active = 1
BEGIN
  UPDATE licenses SET transfer_count = transfer_count + 1
  WHERE id = NEW.license_id AND OLD.transfer_pending = 0
    AND EXISTS (SELECT 1 FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1 AND id != NEW.id);
  UPDATE devices SET transfer_pending = 0
  WHERE id = CASE WHEN OLD.transfer_pending = 1 THEN NEW.id
                  ELSE (SELECT id FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1 AND id != NEW.id ORDER BY id LIMIT 1) END;
END;

CREATE TRIGGER devices_activated AFTER INSERT ON devices
WHEN NEW.active = 1
BEGIN
  UPDATE licenses SET transfer_count = transfer_count + 1
  WHERE id = NEW.license_id AND EXISTS (SELECT 1 FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1);
  UPDATE devices SET transfer_pending = 0
  WHERE id = (SELECT id FROM devices WHERE license_id = NEW.license_id AND transfer_pending = 1 ORDER BY id LIMIT 1);
END;

-- Variables a device reports (track_device_variables, or variables sent with activate_license);
-- one value per name, overwritten by the next report. created_at: when the current value was written.
CREATE TABLE device_variables (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  variable TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (device_id, variable)
);

-- Customers (migrations/0018): a customer of a company (the company of the products whose licenses
-- it holds), found again by e-mail, case-insensitively, within the company: at most one customer per
-- (company, e-mail). A customer without an e-mail is matched by nothing but its id.
-- customer_license_users finds a customer's licenses by e-mail.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  company_id INTEGER NOT NULL DEFAULT 1,
  email TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  company_name TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  reference TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  postcode TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX customers_by_email ON customers (company_id, email) WHERE email != '';

-- Custom fields a product defines, with the value every license has unless it sets its own.
CREATE TABLE product_custom_fields (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  name TEXT NOT NULL,
  data_type TEXT CHECK (data_type IN ('number', 'text', 'date/time')),
  default_value TEXT NOT NULL DEFAULT '',
  UNIQUE (product_id, name)
);

-- A product's versions (migrations/0022): what versions and installation_file answer. The files live
-- wherever installation_file points; requires_version is the minimum version to update from.
CREATE TABLE product_versions (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  version TEXT NOT NULL,
  environment TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL DEFAULT '',
  release_date TEXT NOT NULL,
  installation_file TEXT,
  hash_md5 TEXT,
  size TEXT,
  eula_link TEXT,
  release_notes_link TEXT,
  requires_version TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (product_id, version, environment, channel)
);
CREATE INDEX product_versions_by_release ON product_versions (product_id, release_date);

-- A license's own value of a product custom field.
CREATE TABLE license_custom_fields (
  license_id INTEGER NOT NULL REFERENCES licenses(id),
  product_custom_field_id INTEGER NOT NULL REFERENCES product_custom_fields(id),
  value TEXT NOT NULL,
  PRIMARY KEY (license_id, product_custom_field_id)
);

-- License API credentials: the api key clients name and the shared key they sign requests with.
-- A key belongs to a company and reaches only that company's products (migrations/0002).
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  api_key TEXT NOT NULL UNIQUE,
  shared_key TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  read_only INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  company_id INTEGER NOT NULL DEFAULT 1
);

-- A key's product allow-list: a key with rows here may use only those products (of its company);
-- a key without rows may use every product of its company.
CREATE TABLE api_key_products (
  api_key_id INTEGER NOT NULL REFERENCES api_keys(id),
  product_id INTEGER NOT NULL REFERENCES products(id),
  PRIMARY KEY (api_key_id, product_id)
);

-- One row per change of a counter's total, in `event`: an accepted consumption (the request's
-- event: consumption_add or offline_floating_consumptions_sync), a periodic reset (period_reset),
-- a vendor's manual reset (manual_reset), a migration's imported total (import). Written by the
-- counter objects through the audit queue (docs/architecture.md); event_id is unique, so a row
-- delivered twice is inserted once.
CREATE TABLE consumption_audit (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  license_id INTEGER NOT NULL,
  license_feature_id INTEGER,
  feature_code TEXT,
  hardware_id TEXT,
  consumptions INTEGER NOT NULL,
  total_after INTEGER NOT NULL,
  event TEXT NOT NULL,
  api_key_id INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX consumption_audit_by_license ON consumption_audit (license_id, created_at);
CREATE INDEX consumption_audit_by_feature ON consumption_audit (license_feature_id, created_at);

-- Audit data that could not be written to consumption_audit, kept whole where the vendor sees it
-- (docs/architecture.md "Dead letters"): a message the audit dead-letter queue received that is
-- not an audit message (reason malformed) or whose rows D1 refused while it answered
-- (write_failed), and a counter's audit row too large for any queue message (row_too_large, its
-- long strings cut here; the counter object keeps the whole row). dead_letter_id is the queue
-- message's id or the row's event_id, so a letter recorded twice is kept once.
CREATE TABLE audit_dead_letters (
  id INTEGER PRIMARY KEY,
  dead_letter_id TEXT NOT NULL UNIQUE,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  body TEXT NOT NULL,
  body_bytes INTEGER NOT NULL,
  received_at TEXT NOT NULL
);

-- The password guard (src/auth/password-guard.ts, docs/protocol.md "Password guessing"): attempts
-- at a license user's password, counted in D1 so that the count holds across every location.
-- One row per (company, username) with address '' counts attempts from everywhere; one row per
-- (company, username, client address) counts that address's and remembers until when a sign-in
-- from it succeeded (trusted_until). Usernames are matched as license_users matches them
-- (COLLATE NOCASE), whether or not a user of that name exists. Times are ms since the epoch.
CREATE TABLE password_attempts (
  company_id INTEGER NOT NULL,
  username TEXT NOT NULL COLLATE NOCASE,
  address TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  trusted_until INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (company_id, username, address)
);
CREATE INDEX password_attempts_by_window ON password_attempts (window_start);

-- The audit log's lifecycle (docs/audit-archive.md): rows older than the retention window move to
-- R2 as day-partitioned Parquet parts, and leave D1 in the same transaction that records the part.
-- The archiver reads the oldest day's rows in created_at order through consumption_audit_by_time.
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

-- The archiver's lease (one row, id 1): a run takes it by bumping `token` once the previous lease
-- has expired, and commits a part only while `token` is still its own, so two runs never archive
-- at once. pending_key is the object the holder is writing: a run that died leaves it, and the
-- next holder deletes it unless a part row names it. The row is created by the first run.
CREATE TABLE audit_archive_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  token INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  pending_key TEXT
);

-- Usage rollups, period totals and webhooks (docs/usage-and-webhooks.md, migrations/0017).

-- Sums of a counter's audit rows per UTC hour and per UTC day, written by the audit queue's consumer
-- in the same transaction as the rows, from the rows it inserts (a row delivered twice counts once).
-- license_feature_id 0 is the license's own counter. consumed/consumptions: the sum and number of
-- accepted consumptions; overage: the units of them past max_consumption, as the counter object
-- decided; adjusted/adjustments: periodic resets, manual resets and imports; refused_*: consumptions
-- the rules refused (feature_not_enough_consumptions, negative_consumptions_not_allowed);
-- total_after: the counter's total after its last row in the bucket (last_seq, its sequence number).
CREATE TABLE usage_hourly (
  license_id INTEGER NOT NULL,
  license_feature_id INTEGER NOT NULL,
  bucket_start TEXT NOT NULL,
  consumed INTEGER NOT NULL DEFAULT 0,
  consumptions INTEGER NOT NULL DEFAULT 0,
  overage INTEGER NOT NULL DEFAULT 0,
  adjusted INTEGER NOT NULL DEFAULT 0,
  adjustments INTEGER NOT NULL DEFAULT 0,
  refused_over_limit INTEGER NOT NULL DEFAULT 0,
  refused_negative INTEGER NOT NULL DEFAULT 0,
  total_after INTEGER,
  last_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (license_id, license_feature_id, bucket_start)
) WITHOUT ROWID;

CREATE TABLE usage_daily (
  license_id INTEGER NOT NULL,
  license_feature_id INTEGER NOT NULL,
  bucket_start TEXT NOT NULL,
  consumed INTEGER NOT NULL DEFAULT 0,
  consumptions INTEGER NOT NULL DEFAULT 0,
  overage INTEGER NOT NULL DEFAULT 0,
  adjusted INTEGER NOT NULL DEFAULT 0,
  adjustments INTEGER NOT NULL DEFAULT 0,
  refused_over_limit INTEGER NOT NULL DEFAULT 0,
  refused_negative INTEGER NOT NULL DEFAULT 0,
  total_after INTEGER,
  last_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (license_id, license_feature_id, bucket_start)
) WITHOUT ROWID;
CREATE INDEX usage_daily_by_day ON usage_daily (bucket_start);

-- The total a periodic counter held when its period ended (its consumption.period_reset event);
-- a period that ended at 0 has no row.
CREATE TABLE usage_periods (
  license_id INTEGER NOT NULL,
  license_feature_id INTEGER NOT NULL,
  period_start TEXT NOT NULL,
  period TEXT NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly', 'annually')),
  period_end TEXT NOT NULL,
  total_consumptions INTEGER NOT NULL,
  max_consumption INTEGER NOT NULL,
  overage INTEGER NOT NULL,
  PRIMARY KEY (license_id, license_feature_id, period_start)
) WITHOUT ROWID;

-- Where the vendor's webhooks go. secret: the Standard Webhooks signing secret ("whsec_" + base64);
-- events: a JSON array of event types; thresholds: a JSON array of the percentages of
-- consumption.threshold_reached to send.
CREATE TABLE webhook_endpoints (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  thresholds TEXT NOT NULL DEFAULT '[80,100]',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Events some endpoint subscribed to when they happened; payload is the exact JSON body sent
-- (type, timestamp, data), event_id its webhook-id.
CREATE TABLE webhook_events (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  payload TEXT NOT NULL
);

-- One event to one endpoint: the delivery log. status pending (waiting or retrying), delivered,
-- failed (its retries ran out: moved to the dead-letter queue); a resend makes it pending again.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL REFERENCES webhook_events(event_id),
  endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_response_code INTEGER,
  last_error TEXT,
  last_attempt_at TEXT,
  next_attempt_at TEXT,
  delivered_at TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries (status, next_attempt_at);

-- The scheduled scan for expired licenses (license.expired) reads licenses by validity_period.
CREATE INDEX licenses_by_validity ON licenses (validity_period);

-- How far each scheduled scan has got: its name → the time it scanned through.
CREATE TABLE scheduled_scans (
  name TEXT PRIMARY KEY,
  scanned_through TEXT NOT NULL
);

-- A customer's licenses (migrations/0018).
CREATE INDEX licenses_by_customer ON licenses (customer_id);
-- One trial per device and product (migrations/0021): trial_key writes one trial for concurrent requests.
CREATE UNIQUE INDEX licenses_one_trial_per_device ON licenses (product_id, trial_device) WHERE trial_device IS NOT NULL;

-- Named management keys (migrations/0019, docs/management-api.md "Management keys and roles"). A key
-- is shown once, when it is created; only its SHA-256 (hex) is kept, with its first characters
-- (key_prefix) to tell keys apart. Revoked keys stay, so the activity log's names keep their
-- meaning; names are never given twice.
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

-- One row per vendor action (migrations/0019, docs/management-api.md "The activity log"), written in
-- the same D1 transaction as the change where the change is a D1 write. actor: the management key's
-- name, the Cloudflare Access e-mail, or MANAGEMENT_KEY (the bootstrap secret); target_type and
-- target_id: what was acted on; license_id: the license the action concerns, if any; before and
-- after: JSON objects of the values that changed (NULL: nothing, as before a creation).
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
