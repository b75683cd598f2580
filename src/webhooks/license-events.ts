/**
 * The license and device events (docs/usage-and-webhooks.md "Events"): what their data holds, and
 * the scheduled scan that finds licenses expired since it last ran. A license expires by the clock,
 * with no write to hang the event on, so the scan is what notices; its event id is derived from the
 * license and its expiry, so a scan run twice over the same time records each expiry once.
 */
import { activationConditions } from "../db/devices";
import { webhookEventStatements, type EventCondition, type LicenseSubject, type WebhookEventRecord } from "../db/webhooks";

/** The most licenses one scan records; the rest wait for the next run (it continues where this one stopped). */
const EXPIRIES_PER_SCAN = 500;
const SCAN = "license_expired";

/**
 * Records license.expired for every license whose validity_period passed after the scan's last run
 * and at or before `nowMs`, in one D1 transaction with the scan's new position. Answers the new
 * deliveries' ids (for the webhook queue). The first run starts from now: licenses that expired
 * before webhooks existed are not announced.
 */
export async function scanExpiredLicenses(db: D1Database, nowMs: number): Promise<number[]> {
  const now = new Date(nowMs).toISOString();
  const from =
    (await db.prepare("SELECT scanned_through FROM scheduled_scans WHERE name = ?").bind(SCAN).first<string>("scanned_through")) ?? now;
  const { results } = await db
    .prepare(
      `SELECT l.id AS license_id, l.license_key, p.short_code AS product, l.validity_period
       FROM licenses AS l JOIN products AS p ON p.id = l.product_id
       WHERE l.validity_period > ?1 AND l.validity_period <= ?2
       ORDER BY l.validity_period, l.id LIMIT ?3`,
    )
    .bind(from, now, EXPIRIES_PER_SCAN)
    .all<LicenseSubject & { validity_period: string }>();
  // A full page may not have reached `now`: continue from the last expiry it holds (ties at that
  // instant are announced again by the next run, and recorded once: the event id is the same).
  const through = results.length === EXPIRIES_PER_SCAN ? results.at(-1)!.validity_period : now;
  const events: WebhookEventRecord[] = results.map(({ validity_period, ...license }) => ({
    event_id: `license.expired:${license.license_id}:${validity_period}`,
    type: "license.expired",
    occurred_at: validity_period,
    data: { ...license, validity_period },
  }));
  const statements = [
    db
      .prepare(
        "INSERT INTO scheduled_scans (name, scanned_through) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET scanned_through = excluded.scanned_through",
      )
      .bind(SCAN, through),
    ...webhookEventStatements(db, events, now),
  ];
  const written = await db.batch<{ id: number }>(statements);
  return events.length > 0 ? (written.at(-1)?.results ?? []).map((row) => row.id) : [];
}

/** The statements that record an event on its condition (run them first in the write's batch). */
export const announce = ({ event, onlyIf }: { event: WebhookEventRecord; onlyIf: EventCondition }, db: D1Database) =>
  webhookEventStatements(db, [event], event.occurred_at, onlyIf);

/** A license's disabling, recorded only if it is enabled before the write that disables it. */
export function licenseDisabledEvent(license: LicenseSubject, nowMs: number): { event: WebhookEventRecord; onlyIf: EventCondition } {
  return {
    event: { event_id: crypto.randomUUID(), type: "license.disabled", occurred_at: new Date(nowMs).toISOString(), data: { ...license } },
    onlyIf: { sql: "EXISTS (SELECT 1 FROM licenses WHERE id = ?2 AND enabled = 1)", values: [license.license_id] },
  };
}

/** A device's blacklisting, recorded only if it is not blacklisted before the write. */
export function deviceBlacklistedEvent(
  license: LicenseSubject,
  device: { device_id: number; hardware_id: string },
  nowMs: number,
): { event: WebhookEventRecord; onlyIf: EventCondition } {
  return {
    event: {
      event_id: crypto.randomUUID(),
      type: "device.blacklisted",
      occurred_at: new Date(nowMs).toISOString(),
      data: { ...license, ...device },
    },
    onlyIf: { sql: "EXISTS (SELECT 1 FROM devices WHERE id = ?2 AND blacklisted = 0)", values: [device.device_id] },
  };
}

/**
 * A device's activation, recorded only if the activation write that follows makes an inactive (or
 * new) device active: it is neither active nor blacklisted now, a seat is free and, if it is a
 * transfer, one more is allowed (the same conditions the activation's insert decides by,
 * src/db/devices.ts).
 */
export function deviceActivatedEvent(
  license: LicenseSubject,
  hardwareId: string,
  nowMs: number,
): { event: WebhookEventRecord; onlyIf: EventCondition } {
  const { seatFree, transferAllowed } = activationConditions("?2", "?3");
  return {
    event: {
      event_id: crypto.randomUUID(),
      type: "device.activated",
      occurred_at: new Date(nowMs).toISOString(),
      data: { ...license, hardware_id: hardwareId },
    },
    onlyIf: {
      sql: `NOT EXISTS (SELECT 1 FROM devices WHERE license_id = ?2 AND hardware_id = ?3 AND (active = 1 OR blacklisted = 1))
            AND ${seatFree} AND ${transferAllowed}`,
      values: [license.license_id, hardwareId],
    },
  };
}
