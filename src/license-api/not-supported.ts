/**
 * LicenseSpring License API calls the official SDKs make that this server does not implement.
 * Each answers one documented error body, `not_supported`, naming the HTTP call (which every SDK
 * shares; `callers` is for the docs), instead of a bare not_found: the SDK throws the parsed body to
 * the application, so its developer reads what is missing. Paths no SDK calls stay not_found. The table in docs/sdk-compatibility.md lists every
 * SDK method with its status; test/api/not-supported.test.ts checks both lists agree.
 *
 * The answer needs no authentication: it is the same for everyone and says only what the
 * documentation says. HTTP 400, like every other client-side answer (5xx stays "our fault").
 */
import { ApiError } from "../errors";

export interface UnsupportedCall {
  /** Under /api/v4/. */
  path: string;
  /** Who calls it (Node SDK methods unless noted). */
  callers: string;
  /** Why it is not served, for the message. */
  reason: string;
}

export const UNSUPPORTED_CALLS: readonly UnsupportedCall[] = [
  { path: "check_bundle", callers: "LicenseAPI.checkBundle, BundleManager.checkBundle", reason: "product bundles are not supported" },
  {
    path: "activate_bundle",
    callers: "LicenseAPI.activateBundle, BundleManager.activateBundle",
    reason: "product bundles are not supported",
  },
  {
    path: "deactivate_bundle",
    callers: "LicenseAPI.deactivateBundle, BundleManager.deactivateBundle",
    reason: "product bundles are not supported",
  },
  { path: "sso_url", callers: "LicenseAPI.getSSOUrl, LicenseManager.getSSOUrl", reason: "single sign-on is not supported" },
  { path: "oauth_url", callers: "the Python SDK (OAuth client credentials)", reason: "OAuth client credentials are not supported" },
  {
    path: "consumption_sync",
    callers: "newer LicenseSpring SDKs (not @licensespring/node-sdk 1.4.17)",
    reason: "batched consumption sync is not supported: send add_consumption / add_feature_consumption",
  },
  {
    path: "consumption_sync_offline",
    callers: "newer LicenseSpring SDKs, the offline portal",
    reason: "batched consumption sync is not supported: send add_consumption / add_feature_consumption",
  },
];

/** The handler every unsupported path is routed to. */
export function notSupported(call: UnsupportedCall): () => never {
  return () => {
    throw new ApiError(
      "not_supported",
      `/api/v4/${call.path} is not supported by this server: ${call.reason}. See docs/sdk-compatibility.md`,
    );
  };
}
