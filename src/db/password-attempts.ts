/**
 * The password guard's counts (table password_attempts; the rules are src/auth/password-guard.ts).
 * Each attempt is added in one D1 batch, a single transaction, before the password is checked:
 * concurrent attempts each see the counts with every earlier one included.
 */
import { PASSWORD_GUARD, type AttemptCount } from "../auth/password-guard";

/** Whose password is being tried, from where. */
export interface PasswordAttempt {
  companyId: number;
  username: string;
  /** The client address (src/auth/rate-limit.ts clientAddress), or "unknown" without one. */
  address: string;
}

/** The per-user count's row has this address. */
const EVERY_ADDRESS = "";

interface CountRow {
  attempts: number;
  window_start: number;
  trusted_until: number;
}

// Adds one attempt to a count, starting a new window when the current one has ended (?5: its length).
const COUNT_ATTEMPT = `
INSERT INTO password_attempts (company_id, username, address, attempts, window_start) VALUES (?1, ?2, ?3, 1, ?4)
ON CONFLICT (company_id, username, address) DO UPDATE SET
  attempts = CASE WHEN window_start <= ?4 - ?5 THEN 1 ELSE attempts + 1 END,
  window_start = CASE WHEN window_start <= ?4 - ?5 THEN ?4 ELSE window_start END
RETURNING attempts, window_start, trusted_until`;

// Rows whose every window has ended and whose address is no longer trusted say nothing any more.
// A few go with each attempt, so the table stays as small as the attempts of the last day.
const PURGE = `
DELETE FROM password_attempts WHERE rowid IN (
  SELECT rowid FROM password_attempts WHERE window_start <= ?1 AND trusted_until <= ?2 LIMIT 8)`;

const toCount = (row: CountRow | undefined): AttemptCount => ({
  attempts: row?.attempts ?? 1,
  windowStart: row?.window_start ?? 0,
  trustedUntil: row?.trusted_until ?? 0,
});

/** Counts one attempt, from the attempt's address and for the user from everywhere; the counts after it. */
export async function countPasswordAttempt(
  db: D1Database,
  attempt: PasswordAttempt,
  nowMs: number,
): Promise<{ byAddress: AttemptCount; byUser: AttemptCount }> {
  const { PER_ADDRESS, PER_USER } = PASSWORD_GUARD;
  const count = (address: string, windowMs: number) =>
    db.prepare(COUNT_ATTEMPT).bind(attempt.companyId, attempt.username, address, nowMs, windowMs);
  const [byAddress, byUser] = await db.batch<CountRow>([
    count(attempt.address, PER_ADDRESS.windowMs),
    count(EVERY_ADDRESS, PER_USER.windowMs),
    db.prepare(PURGE).bind(nowMs - PER_USER.windowMs, nowMs),
  ]);
  return { byAddress: toCount(byAddress!.results[0]), byUser: toCount(byUser!.results[0]) };
}

/**
 * A sign-in succeeded: the address's count starts again and the address is trusted for
 * TRUSTED_FOR_MS; the per-user count gives this attempt back (the others' stay).
 */
export async function settleSignIn(db: D1Database, attempt: PasswordAttempt, nowMs: number): Promise<void> {
  await db.batch([
    db
      .prepare("UPDATE password_attempts SET attempts = 0, trusted_until = ?4 WHERE company_id = ?1 AND username = ?2 AND address = ?3")
      .bind(attempt.companyId, attempt.username, attempt.address, nowMs + PASSWORD_GUARD.TRUSTED_FOR_MS),
    db
      .prepare("UPDATE password_attempts SET attempts = max(attempts - 1, 0) WHERE company_id = ?1 AND username = ?2 AND address = ?3")
      .bind(attempt.companyId, attempt.username, EVERY_ADDRESS),
  ]);
}
