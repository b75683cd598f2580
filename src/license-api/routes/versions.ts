/**
 * GET /api/v4/versions and GET /api/v4/installation_file: what an application may update to. The
 * license must be one the device may use (check_license's checks), and active: LicenseSpring's
 * active_license_required stands for license_not_active here. Versions are the product's enabled
 * ones for the client's environment and channel (each, when sent), newest release first.
 */
import { releasedVersions } from "../../db/product-versions";
import { ApiError } from "../../errors";
import type { DeclaredErrors } from "../../http/route";
import { licenseApiRoute } from "../license-api-route";
import type { ContextCall } from "../license-api-route";
import { resolveLicense, type ResolvedLicense } from "../resolve-license";
import { InstallationFileBody, VersionsBody } from "../response-schemas";
import { InstallationFileQuery, VersionsQuery } from "../schemas";
import { installationFileBody } from "../version-body";

/** check_license's checks, with active_license_required for a license never activated. */
function activeLicense({
  apiKey,
  lookup,
  context,
}: Pick<ContextCall<undefined, undefined>, "apiKey" | "lookup" | "context">): ResolvedLicense {
  try {
    return resolveLicense(context, lookup, apiKey, Date.now());
  } catch (error) {
    if (error instanceof ApiError && error.code === "license_not_active") throw new ApiError("active_license_required");
    throw error;
  }
}

const NOT_ACTIVE = { active_license_required: "the license has not been activated yet" } satisfies DeclaredErrors;

export const versions = licenseApiRoute({
  method: "get",
  path: "/api/v4/versions",
  operationId: "listVersions",
  errors: NOT_ACTIVE,
  summary: "The product's versions for the client's environment and channel, newest release first",
  query: VersionsQuery,
  response: VersionsBody,
  reads: "context",
  async handler({ env, apiKey, query, lookup, context }) {
    const { product } = activeLicense({ apiKey, lookup, context });
    const found = await releasedVersions(env.DB, product.id, { environment: query.env, channel: query.channel });
    return found.map((version) => ({ version: version.version, release_date: version.release_date }));
  },
});

export const installationFile = licenseApiRoute({
  method: "get",
  path: "/api/v4/installation_file",
  operationId: "getInstallationFile",
  errors: {
    ...NOT_ACTIVE,
    version_not_found: "no enabled version (or not the one named) for the client's environment and channel",
  },
  summary: "A version's installation file (the newest when no version is named); version_not_found when there is none",
  query: InstallationFileQuery,
  response: InstallationFileBody,
  reads: "context",
  async handler({ env, apiKey, query, lookup, context }) {
    const { product } = activeLicense({ apiKey, lookup, context });
    const [version] = await releasedVersions(
      env.DB,
      product.id,
      { environment: query.env, channel: query.channel, version: query.version },
      1,
    );
    if (!version)
      throw new ApiError(
        "version_not_found",
        query.version === undefined
          ? "The product has no version for this environment and channel"
          : `No version ${JSON.stringify(query.version)} for this environment and channel`,
      );
    return installationFileBody(version, product.companyId);
  },
});
