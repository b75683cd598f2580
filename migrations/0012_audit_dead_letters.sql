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
