// The design floor: the cost of the design itself, without any of the service's code. Per
// add_feature_consumption (POST):
//   1. the HMAC verification of the request's signature (license-crypto.js, as the crypto floor);
//   2. one RPC to a SQLite-backed Durable Object, one object per license feature (named after the
//      body's license_key and feature, so the spread case reaches as many objects as the service's),
//      whose method runs, in one `ctx.storage.transactionSync`, `UPDATE counter SET total = total + ?`
//      and one INSERT of an audit-row-shaped outbox row, and returns the new total; after the
//      answer it sends that row to the audit queue (one send per consumption), when the Worker has
//      one (AUDIT_QUEUE), and this Worker's queue handler writes each batch it receives to D1 (DB)
//      in one statement: the audit row's way to D1, as the design needs it;
//   3. the RSA-2048 signature over a body shaped like the service's add_feature_consumption answer.
// Per check_license (GET): the HMAC verification, one RPC to the license's object (named after the
// query's license_key), which answers the license's features from its own storage, then one RPC to
// each feature's object in parallel for its total (and the license_signature every check carries,
// a second RSA signature, meanwhile), and the RSA signature over a license-shaped body:
// one object hop and one parallel fan-out, as the design allows a check.
// No validation beyond what picking the object needs, no rules, no retries, no outbox bookkeeping:
// what any implementation of "one object per counter, audit row in the same transaction, signed
// answer" has to pay. The service's figures are read against this Worker's (bench/README.md).
// Bindings: SHARED_KEY, LICENSE_SIGNING_KEY (as the crypto floor), DESIGN_COUNTER (class
// DesignCounter); optionally AUDIT_QUEUE (a producer, consumed by this Worker) and DB (D1).
import { DurableObject } from "cloudflare:workers";
import { badSignature, consumptionAnswer, licenseAnswer, signText, signedResponse, verifyRequest } from "./license-crypto.js";

/**
 * @typedef {{ licenseKey: string, feature: string, hardwareId: string, consumptions: number }} Consumption
 * @typedef {{ event_id: string, license_key: string, feature_code: string, hardware_id: string, consumptions: number, total_after: number, created_at: string }} AuditRow
 * @typedef {import("./license-crypto.js").CryptoEnv & { DESIGN_COUNTER: DurableObjectNamespace<DesignCounter>, AUDIT_QUEUE?: Queue<AuditRow>, DB?: D1Database }} Env
 */

/** The features every license of the bench carries (the license object's answer). */
const LICENSE_FEATURES = ["metered"];

/** @extends {DurableObject<Env>} */
export class DesignCounter extends DurableObject {
  /** @param {DurableObjectState} ctx @param {Env} env */
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), total INTEGER NOT NULL);
      INSERT OR IGNORE INTO counter (id, total) VALUES (1, 0);
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        license_key TEXT NOT NULL,
        feature_code TEXT NOT NULL,
        hardware_id TEXT NOT NULL,
        consumptions INTEGER NOT NULL,
        total_after INTEGER NOT NULL,
        event TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS features (code TEXT PRIMARY KEY);`);
  }

  /** @param {Consumption} consumption @returns {number} the new total */
  consume(consumption) {
    const row = this.ctx.storage.transactionSync(() => {
      const total = /** @type {number} */ (
        this.sql.exec("UPDATE counter SET total = total + ? WHERE id = 1 RETURNING total", consumption.consumptions).one().total
      );
      /** @type {AuditRow} */
      const audit = {
        event_id: crypto.randomUUID(),
        license_key: consumption.licenseKey,
        feature_code: consumption.feature,
        hardware_id: consumption.hardwareId,
        consumptions: consumption.consumptions,
        total_after: total,
        created_at: new Date().toISOString(),
      };
      this.sql.exec(
        `INSERT INTO outbox (event_id, license_key, feature_code, hardware_id, consumptions, total_after, event, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'consumption', ?)`,
        audit.event_id,
        audit.license_key,
        audit.feature_code,
        audit.hardware_id,
        audit.consumptions,
        audit.total_after,
        audit.created_at,
      );
      return audit;
    });
    const queue = this.env.AUDIT_QUEUE;
    if (queue) this.ctx.waitUntil(queue.send(row));
    return row.total_after;
  }

  /** The license object's answer to a check: its features, from its own storage. @returns {string[]} */
  features() {
    if (this.sql.exec("SELECT COUNT(*) AS n FROM features").one().n === 0)
      for (const code of LICENSE_FEATURES) this.sql.exec("INSERT INTO features (code) VALUES (?)", code);
    return this.sql
      .exec("SELECT code FROM features ORDER BY code")
      .toArray()
      .map((row) => /** @type {string} */ (row.code));
  }

  /** A feature object's total, for a check. @returns {number} */
  total() {
    return /** @type {number} */ (this.sql.exec("SELECT total FROM counter WHERE id = 1").one().total);
  }
}

/** @param {Env} env @param {string} name */
const objectNamed = (env, name) => env.DESIGN_COUNTER.get(env.DESIGN_COUNTER.idFromName(name));

export default {
  /** @param {Request} request @param {Env} env */
  async fetch(request, env) {
    if (request.method === "GET") return check(request, env);
    const body = /** @type {{ license_key?: unknown, feature?: unknown, hardware_id?: unknown, consumptions?: unknown }} */ (
      await request.json()
    );
    if (!(await verifyRequest(request, env))) return badSignature();
    const consumption = {
      licenseKey: String(body.license_key),
      feature: String(body.feature),
      hardwareId: String(body.hardware_id),
      consumptions: Number(body.consumptions),
    };
    const total = await objectNamed(env, `${consumption.licenseKey}:${consumption.feature}`).consume(consumption);
    return signedResponse(consumptionAnswer(total), env);
  },

  /** The audit rows' way to D1: each batch in one statement. @param {MessageBatch<AuditRow>} batch @param {Env} env */
  async queue(batch, env) {
    if (!env.DB) return;
    const rows = batch.messages.map((message) => message.body);
    await env.DB.prepare(
      `INSERT INTO design_audit (event_id, license_key, feature_code, hardware_id, consumptions, total_after, created_at)
       SELECT value ->> 'event_id', value ->> 'license_key', value ->> 'feature_code', value ->> 'hardware_id',
              value ->> 'consumptions', value ->> 'total_after', value ->> 'created_at' FROM json_each(?)
       ON CONFLICT (event_id) DO NOTHING`,
    )
      .bind(JSON.stringify(rows))
      .run();
  },
};

/** check_license: the license's object, then each feature's object in parallel. @param {Request} request @param {Env} env */
async function check(request, env) {
  if (!(await verifyRequest(request, env))) return badSignature();
  const query = new URL(request.url).searchParams;
  const licenseKey = query.get("license_key") ?? "";
  const features = await objectNamed(env, licenseKey).features();
  const [signature, ...totals] = await Promise.all([
    signText(`${query.get("hardware_id") ?? ""}#${licenseKey}#`.toLowerCase(), env),
    ...features.map((code) => objectNamed(env, `${licenseKey}:${code}`).total()),
  ]);
  const featureTotals = features.map((code, i) => ({ code, total: /** @type {number} */ (totals[i]) }));
  return signedResponse(licenseAnswer(featureTotals, /** @type {string} */ (signature)), env);
}
