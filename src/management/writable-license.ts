/** The license a change is made to: 404 when there is none, 409 while it is archived (an archived license is frozen until restored). */
import { findLicense } from "../db/licenses";
import { ApiError } from "../errors";
import type { LicenseResource } from "../models/license";
import { orNotFound } from "./or-not-found";

export async function writableLicense(env: Env, licenseId: number): Promise<LicenseResource> {
  const license = orNotFound(await findLicense(env.DB, licenseId), "License", licenseId);
  if (license.archived_at !== null)
    throw new ApiError("conflict", `License ${licenseId} is archived: restore it first (POST /api/v1/licenses/${licenseId}/restore)`);
  return license;
}
