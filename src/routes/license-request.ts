/**
 * How every license endpoint starts: read and validate the request, authenticate, and resolve
 * product → license → device → feature, with the API key and the license context read in one D1
 * round trip. The precedence stays what the README documents: authentication errors first (even
 * for a malformed body), then request-shape errors, then the license errors the handler decides.
 */
import type { LicenseApiRequest } from "../auth/with-license-auth";
import type { ApiKey } from "../db/api-keys";
import { licenseContextStatement, toLicenseContext, type LicenseContext, type LicenseLookup } from "../db/license-context";

export interface LicenseRequest<T> {
  apiKey: ApiKey;
  body: T;
  lookup: LicenseLookup;
  context: LicenseContext;
}

export async function startLicenseRequest<T>(
  request: LicenseApiRequest,
  env: Env,
  parse: () => Promise<T> | T,
  lookupOf: (body: T) => LicenseLookup,
): Promise<LicenseRequest<T>> {
  let parsed: { ok: true; body: T } | { ok: false; error: unknown };
  try {
    parsed = { ok: true, body: await parse() };
  } catch (error) {
    parsed = { ok: false, error };
  }
  const lookup = parsed.ok ? lookupOf(parsed.body) : null;
  const { apiKey, rows } = await request.authenticate(lookup ? [licenseContextStatement(env.DB, lookup)] : []);
  if (!parsed.ok) throw parsed.error;
  return { apiKey, body: parsed.body, lookup: lookup!, context: toLicenseContext(rows[0], lookup!) };
}

/** The identity fields every license endpoint takes, as a lookup. */
export function identityLookup(body: {
  product: string;
  license_key?: string | undefined;
  username?: string | undefined;
  license_id?: number | undefined;
  hardware_id: string;
  feature?: string | undefined;
}): LicenseLookup {
  return { product: body.product, licenseKey: body.license_key, username: body.username, licenseId: body.license_id, hardwareId: body.hardware_id, featureCode: body.feature };
}
