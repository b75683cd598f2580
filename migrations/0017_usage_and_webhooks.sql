-- Usage rollups, period totals and webhooks (docs/usage-and-webhooks.md).

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

-- When the audit row the total_consumptions mirror comes from was written: a periodic counter whose
-- mirror predates its current period holds 0 now.
ALTER TABLE license_features ADD COLUMN total_at TEXT;
ALTER TABLE licenses ADD COLUMN total_at TEXT;

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
