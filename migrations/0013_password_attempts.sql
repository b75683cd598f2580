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
