// The audit log as the tests read it: flushed from a counter object, then read from D1.
import { env } from "cloudflare:workers";
import { featureCounter } from "../../src/counter/counter-stubs";

export async function flushAudit(licenseFeatureId: number): Promise<void> {
  await featureCounter(env, licenseFeatureId).flushAudit();
}

export interface AuditRow {
  event_id: string;
  license_id: number;
  license_feature_id: number | null;
  feature_code: string | null;
  hardware_id: string | null;
  consumptions: number;
  total_after: number;
  event: string;
  api_key_id: number | null;
  created_at: string;
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

export async function auditRows(licenseFeatureId: number) {
  const { results } = await env.DB.prepare("SELECT * FROM consumption_audit WHERE license_feature_id = ? ORDER BY id")
    .bind(licenseFeatureId)
    .all<{
      event_id: string;
      license_id: number;
      license_feature_id: number;
      feature_code: string;
      hardware_id: string;
      consumptions: number;
      total_after: number;
      event: string;
      api_key_id: number;
      created_at: string;
    }>();
  return results;
}
