// The audit log as the tests read it: a counter object's outbox is sent to the audit queue, the
// real local queue delivers it to the Worker's consumer, which writes D1; the helpers wait for that.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter, licenseCounter } from "../../src/counter/counter-stubs";
import type { AuditRow } from "../../src/db/consumption-audit";

/** Polls `done` every 25 ms until it holds; fails after `timeoutMs`. */
export async function eventually(done: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const countFeatureRows = async (licenseFeatureId: number) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit WHERE license_feature_id = ?")
    .bind(licenseFeatureId)
    .first<number>("n")) ?? 0;
const countLicenseRows = async (licenseId: number) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit WHERE license_id = ? AND license_feature_id IS NULL")
    .bind(licenseId)
    .first<number>("n")) ?? 0;

/** Sends the feature counter's outbox and waits until D1 has every audit row it ever wrote. */
export async function flushAudit(licenseFeatureId: number): Promise<void> {
  const counter = featureCounter(env, licenseFeatureId);
  await counter.flushAudit();
  const written = await counter.auditRowsWritten();
  await eventually(
    async () => (await countFeatureRows(licenseFeatureId)) >= written,
    `${written} audit rows of feature ${licenseFeatureId} in D1`,
  );
}

/** The same for a license's own counter. */
export async function flushLicenseAudit(licenseId: number): Promise<void> {
  const counter = licenseCounter(env, licenseId);
  await counter.flushAudit();
  const written = await counter.auditRowsWritten();
  await eventually(async () => (await countLicenseRows(licenseId)) >= written, `${written} audit rows of license ${licenseId} in D1`);
}

/** License-level audit rows (license_feature_id NULL) of one license, in order. */
export async function licenseAuditRows(licenseId: number): Promise<AuditRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM consumption_audit WHERE license_id = ? AND license_feature_id IS NULL ORDER BY id",
  )
    .bind(licenseId)
    .all<AuditRow>();
  return results;
}

export async function auditRows(licenseFeatureId: number): Promise<AuditRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM consumption_audit WHERE license_feature_id = ? ORDER BY id")
    .bind(licenseFeatureId)
    .all<AuditRow>();
  return results;
}

/**
 * Makes the object's audit queue refuse every send (true) or work again (false): a queue outage
 * injected where it would surface, the object's own binding.
 */
export async function queueDown(counter: DurableObjectStub<ConsumptionCounter>, down: boolean): Promise<void> {
  await runInDurableObject(counter, (instance: ConsumptionCounter) => {
    const holder = instance as unknown as { env: Env; realEnv?: Env };
    holder.realEnv ??= holder.env;
    holder.env = down
      ? {
          ...holder.realEnv,
          AUDIT_QUEUE: {
            send: () => Promise.reject(new Error("queue unavailable")),
            sendBatch: () => Promise.reject(new Error("queue unavailable")),
          } as unknown as Queue,
        }
      : holder.realEnv;
  });
}
