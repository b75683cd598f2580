// The design floor: the cost of the design itself, without any of the service's code. Per request:
//   1. the HMAC verification of the request's signature (license-crypto.js, as the crypto floor);
//   2. one RPC to a SQLite-backed Durable Object, one object per license feature (named after the
//      body's license_key and feature, so the spread case reaches as many objects as the service's),
//      whose method runs, in one `ctx.storage.transactionSync`, `UPDATE counter SET total = total + ?`
//      and one INSERT of an audit-row-shaped outbox row, and returns the new total;
//   3. the RSA-2048 signature over a body shaped like the service's add_feature_consumption answer.
// No D1, no validation beyond what picking the object needs, no rules, no flush of the outbox: what
// any implementation of "one object per counter, audit row in the same transaction, signed answer"
// has to pay. The service's figures are read against this Worker's (bench/README.md).
// Bindings: SHARED_KEY, LICENSE_SIGNING_KEY (as the crypto floor), DESIGN_COUNTER (class DesignCounter).
import { DurableObject } from "cloudflare:workers";
import { badSignature, consumptionAnswer, signedResponse, verifyRequest } from "./license-crypto.js";

/**
 * @typedef {{ licenseKey: string, feature: string, hardwareId: string, consumptions: number }} Consumption
 * @typedef {import("./license-crypto.js").CryptoEnv & { DESIGN_COUNTER: DurableObjectNamespace<DesignCounter> }} Env
 */

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
      );`);
  }

  /** @param {Consumption} consumption @returns {number} the new total */
  consume(consumption) {
    return this.ctx.storage.transactionSync(() => {
      const total = /** @type {number} */ (
        this.sql.exec("UPDATE counter SET total = total + ? WHERE id = 1 RETURNING total", consumption.consumptions).one().total
      );
      this.sql.exec(
        `INSERT INTO outbox (event_id, license_key, feature_code, hardware_id, consumptions, total_after, event, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'consumption', ?)`,
        crypto.randomUUID(),
        consumption.licenseKey,
        consumption.feature,
        consumption.hardwareId,
        consumption.consumptions,
        total,
        new Date().toISOString(),
      );
      return total;
    });
  }
}

export default {
  /** @param {Request} request @param {Env} env */
  async fetch(request, env) {
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
    const stub = env.DESIGN_COUNTER.get(env.DESIGN_COUNTER.idFromName(`${consumption.licenseKey}:${consumption.feature}`));
    const total = await stub.consume(consumption);
    return signedResponse(consumptionAnswer(total), env);
  },
};
