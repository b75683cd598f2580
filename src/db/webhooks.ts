/**
 * Webhook endpoints, the events sent to them and the delivery log (tables webhook_endpoints,
 * webhook_events, webhook_deliveries; docs/usage-and-webhooks.md).
 *
 * An event becomes deliveries in the D1 transaction that records what caused it: the audit queue's
 * consumer's write for the counter objects' events, the management write for a license or device
 * event. One delivery per event and endpoint (unique), so recording an event again creates nothing.
 */
import { firstRowWith } from "./batch";
import {
  WebhookEndpointResource,
  type CreateWebhookEndpointBody,
  type UpdateWebhookEndpointBody,
  type WebhookDeliveryResource,
} from "../models/webhook-endpoint";
import type { WebhookEventType } from "../webhooks/event-types";
import { readPage, type KeysetPage } from "./keyset-page";
import { insertStatement, resourceRows, setClause, type RowOf } from "./row-codec";

/** An event to record: what the endpoint receives is `{type, timestamp, data}`, with event_id as its webhook-id. */
export interface WebhookEventRecord {
  event_id: string;
  type: WebhookEventType;
  occurred_at: string;
  data: Record<string, unknown>;
}

/** The body an endpoint receives for an event, as stored and sent (Standard Webhooks' payload shape). */
export const webhookPayload = (event: WebhookEventRecord) =>
  JSON.stringify({ type: event.type, timestamp: event.occurred_at, data: event.data });

// An enabled endpoint wants an event (e.value, from json_each): its type is among the endpoint's
// events and, for a threshold, its percentage among the endpoint's thresholds.
const WANTS = `
  w.enabled = 1
  AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE json_each.value = json_extract(e.value, '$.type'))
  AND (json_extract(e.value, '$.type') <> 'consumption.threshold_reached'
       OR EXISTS (SELECT 1 FROM json_each(w.thresholds) WHERE json_each.value = json_extract(e.value, '$.data.threshold_percent')))`;

const recordEvents = (onlyIf: string) => `
INSERT INTO webhook_events (event_id, type, occurred_at, payload)
SELECT json_extract(e.value, '$.event_id'), json_extract(e.value, '$.type'), json_extract(e.value, '$.occurred_at'), json_extract(e.value, '$.payload')
FROM json_each(?1) AS e
WHERE EXISTS (SELECT 1 FROM webhook_endpoints AS w WHERE ${WANTS}) AND (${onlyIf})
ON CONFLICT (event_id) DO NOTHING`;

// Deliveries only of events recorded (an event whose condition did not hold has none).
const CREATE_DELIVERIES = `
INSERT INTO webhook_deliveries (event_id, endpoint_id, status, next_attempt_at, created_at)
SELECT json_extract(e.value, '$.event_id'), w.id, 'pending', ?2, ?2
FROM json_each(?1) AS e JOIN webhook_endpoints AS w ON ${WANTS}
WHERE EXISTS (SELECT 1 FROM webhook_events AS recorded WHERE recorded.event_id = json_extract(e.value, '$.event_id'))
ON CONFLICT (event_id, endpoint_id) DO NOTHING
RETURNING id`;

/**
 * A condition on D1 as it is before the write that causes the event: SQL over the parameters ?2,
 * ?3, … (`values`). The event is recorded only if it holds, so of two writes racing to make the
 * same change (D1 runs one transaction at a time), only the one that made it records the event.
 */
export interface EventCondition {
  sql: string;
  values: Array<string | number | null>;
}

/**
 * Statements that record `events` for every enabled endpoint that wants them; run them in the batch
 * of the write that caused the events (before it, when there is an `onlyIf`). The last statement's
 * results are the new deliveries' ids (`{id}` rows): send them to the webhook queue once the batch
 * committed (enqueueDeliveries).
 */
export function webhookEventStatements(
  db: D1Database,
  events: readonly WebhookEventRecord[],
  nowIso: string,
  onlyIf?: EventCondition,
): D1PreparedStatement[] {
  if (events.length === 0) return [];
  const json = JSON.stringify(events.map((event) => ({ ...event, payload: webhookPayload(event) })));
  return [
    db.prepare(recordEvents(onlyIf?.sql ?? "true")).bind(json, ...(onlyIf?.values ?? [])),
    db.prepare(CREATE_DELIVERIES).bind(json, nowIso),
  ];
}

/** The new deliveries' ids from the results of a batch whose last statements are webhookEventStatements. */
export const createdDeliveries = (results: ReadonlyArray<D1Result<unknown>>, index: number): number[] =>
  ((results[index]?.results ?? []) as Array<{ id: number }>).map((row) => row.id);

/** A delivery with what sending it needs. */
export interface DeliveryToSend {
  id: number;
  event_id: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  url: string;
  secret: string;
  endpoint_enabled: number;
  payload: string;
}

export async function deliveryToSend(db: D1Database, deliveryId: number): Promise<DeliveryToSend | null> {
  return db
    .prepare(
      `SELECT d.id, d.event_id, d.status, d.attempts, w.url, w.secret, w.enabled AS endpoint_enabled, e.payload
       FROM webhook_deliveries AS d JOIN webhook_endpoints AS w ON w.id = d.endpoint_id JOIN webhook_events AS e ON e.event_id = d.event_id
       WHERE d.id = ?`,
    )
    .bind(deliveryId)
    .first<DeliveryToSend>();
}

/** What one attempt found. */
export interface AttemptResult {
  deliveryId: number;
  at: string;
  /** The endpoint's HTTP status; null when no answer came (network error, timeout). */
  responseCode: number | null;
  error: string | null;
  delivered: boolean;
  /** When the next attempt is due (null: none, delivered). */
  nextAttemptAt: string | null;
}

export async function recordAttempt(db: D1Database, result: AttemptResult): Promise<void> {
  await db
    .prepare(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?2, last_response_code = ?3, last_error = ?4,
         status = CASE WHEN ?5 THEN 'delivered' ELSE status END, delivered_at = CASE WHEN ?5 THEN ?2 ELSE delivered_at END,
         next_attempt_at = ?6
       WHERE id = ?1`,
    )
    .bind(result.deliveryId, result.at, result.responseCode, result.error, result.delivered ? 1 : 0, result.nextAttemptAt)
    .run();
}

/** The delivery's retries ran out (its message reached the dead-letter queue): failed, unless delivered meanwhile. */
export async function markFailed(db: D1Database, deliveryIds: readonly number[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await db
    .prepare(
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL
       WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending'`,
    )
    .bind(JSON.stringify(deliveryIds))
    .run();
}

/**
 * Pending deliveries whose next attempt is overdue by more than `graceMs` (their queue message was
 * lost: the consumer committed the delivery but failed to enqueue it), up to `limit`; marked due
 * again from `nowIso`, so the next sweep does not take them twice.
 */
export async function takeOverdueDeliveries(db: D1Database, nowMs: number, graceMs: number, limit: number): Promise<number[]> {
  const { results } = await db
    .prepare(
      `UPDATE webhook_deliveries SET next_attempt_at = ?1
       WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at < ?2 ORDER BY next_attempt_at LIMIT ?3)
       RETURNING id`,
    )
    .bind(new Date(nowMs).toISOString(), new Date(nowMs - graceMs).toISOString(), limit)
    .all<{ id: number }>();
  return results.map((row) => row.id);
}

const endpoints = resourceRows(WebhookEndpointResource);

/** The id of the endpoint the same batch inserted (the largest: endpoints are never deleted). */
export const INSERTED_ENDPOINT_ID = "SELECT MAX(id) FROM webhook_endpoints";

/** Inserts an endpoint with its signing secret, with `also` (its activity entry) in the same transaction; answers it as the API shows it. */
export async function insertWebhookEndpoint(
  db: D1Database,
  values: CreateWebhookEndpointBody,
  secret: string,
  also: D1PreparedStatement[] = [],
): Promise<WebhookEndpointResource> {
  const row = await firstRowWith<RowOf<WebhookEndpointResource>>(
    db,
    insertStatement(db, "webhook_endpoints", { ...values, secret }, `RETURNING ${endpoints.columns}`),
    also,
  );
  return endpoints.decode(row!);
}

export async function webhookEndpoint(db: D1Database, id: number): Promise<WebhookEndpointResource | null> {
  const row = await db
    .prepare(`SELECT ${endpoints.columns} FROM webhook_endpoints WHERE id = ?`)
    .bind(id)
    .first<RowOf<WebhookEndpointResource>>();
  return row && endpoints.decode(row);
}

/** Endpoints in id order after `cursor`. */
export async function listWebhookEndpoints(db: D1Database, cursor: number, limit: number): Promise<KeysetPage<WebhookEndpointResource>> {
  return readPage(
    db.prepare(`SELECT ${endpoints.columns} FROM webhook_endpoints WHERE id > ? ORDER BY id LIMIT ?`).bind(cursor, limit + 1),
    limit,
    endpoints.decode,
  );
}

/** Changes the fields sent, with `also` (its activity entry) in the same transaction; null when there is no such endpoint. */
export async function updateWebhookEndpoint(
  db: D1Database,
  id: number,
  change: UpdateWebhookEndpointBody,
  also: D1PreparedStatement[] = [],
): Promise<WebhookEndpointResource | null> {
  const set = setClause(change);
  const row = await firstRowWith<RowOf<WebhookEndpointResource>>(
    db,
    db.prepare(`UPDATE webhook_endpoints SET ${set.sql} WHERE id = ? RETURNING ${endpoints.columns}`).bind(...set.values, id),
    also,
  );
  return row && endpoints.decode(row);
}

const DELIVERY_COLUMNS = `d.id, d.endpoint_id, d.event_id, e.type AS event_type, e.occurred_at, d.status, d.attempts, d.last_response_code,
  d.last_error, d.last_attempt_at, d.next_attempt_at, d.delivered_at, d.created_at`;

/**
 * An endpoint's deliveries, newest first: ids below `cursor` (0: from the newest). The next
 * cursor is the last id of the page, as for every list, read the other way.
 */
export async function listWebhookDeliveries(
  db: D1Database,
  endpointId: number,
  filters: { status?: WebhookDeliveryResource["status"] | undefined },
  cursor: number,
  limit: number,
): Promise<KeysetPage<WebhookDeliveryResource>> {
  return readPage(
    db
      .prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries AS d JOIN webhook_events AS e ON e.event_id = d.event_id
         WHERE d.endpoint_id = ?1 AND (?2 = 0 OR d.id < ?2) AND (?3 IS NULL OR d.status = ?3)
         ORDER BY d.id DESC LIMIT ?4`,
      )
      .bind(endpointId, cursor, filters.status ?? null, limit + 1),
    limit,
    (row: WebhookDeliveryResource) => row,
  );
}

export async function webhookDelivery(db: D1Database, id: number): Promise<WebhookDeliveryResource | null> {
  return db
    .prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries AS d JOIN webhook_events AS e ON e.event_id = d.event_id WHERE d.id = ?`)
    .bind(id)
    .first<WebhookDeliveryResource>();
}

/** Makes a delivery pending again, due now (a resend), with `also` (its activity entry) in the same transaction; null when there is no such delivery. */
export async function reopenDelivery(
  db: D1Database,
  id: number,
  nowIso: string,
  also: D1PreparedStatement[] = [],
): Promise<WebhookDeliveryResource | null> {
  const reopened = await firstRowWith<{ id: number }>(
    db,
    db.prepare("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?2 WHERE id = ?1 RETURNING id").bind(id, nowIso),
    also,
  );
  return reopened ? webhookDelivery(db, id) : null;
}

/** A license as its webhook events describe it; null when there is no such license. */
export async function licenseSubject(db: D1Database, licenseId: number): Promise<LicenseSubject | null> {
  return db
    .prepare(
      "SELECT l.id AS license_id, l.license_key, p.short_code AS product FROM licenses AS l JOIN products AS p ON p.id = l.product_id WHERE l.id = ?",
    )
    .bind(licenseId)
    .first<LicenseSubject>();
}

/** A device and its license as their webhook events describe them; null when there is no such device. */
export async function deviceSubject(
  db: D1Database,
  deviceId: number,
): Promise<{ license: LicenseSubject; device: { device_id: number; hardware_id: string } } | null> {
  const row = await db
    .prepare(
      `SELECT d.id AS device_id, d.hardware_id, l.id AS license_id, l.license_key, p.short_code AS product
       FROM devices AS d JOIN licenses AS l ON l.id = d.license_id JOIN products AS p ON p.id = l.product_id WHERE d.id = ?`,
    )
    .bind(deviceId)
    .first<LicenseSubject & { device_id: number; hardware_id: string }>();
  return (
    row && {
      license: { license_id: row.license_id, license_key: row.license_key, product: row.product },
      device: { device_id: row.device_id, hardware_id: row.hardware_id },
    }
  );
}

/** A license as its events describe it. */
export interface LicenseSubject {
  license_id: number;
  license_key: string | null;
  product: string;
}
