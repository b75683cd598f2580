/**
 * POST /api/v4/activate_offline and POST /api/v4/deactivate_offline: activation and deactivation
 * for machines without a network. The machine's SDK writes a request file (base64 of a signed
 * JSON request); someone online posts it here as the body (text/plain), as the SDK's
 * LicenseAPI.activateOffline does; the activation's answer, as base64, is the activation file
 * the offline machine's SDK reads (LicenseManager.activateOffline). docs/protocol.md "Offline activation".
 */
import { hmacBase64 } from "../../auth/request-signature";
import { signText, signingKeys } from "../../auth/response-signing";
import { verifyOfflineRequest, type OfflineRequest } from "../../auth/offline-request";
import type { ApiKey } from "../../db/api-keys";
import { ApiError } from "../../errors";
import { readTextBody } from "../../http/read-text-body";
import { ACTIVATION_ERRORS, activationRequest, activateOnDevice, deactivateOnDevice } from "../device-activation";
import { licenseApiRoute } from "../license-api-route";
import { DeactivatedBody, OfflineLicenseBody } from "../response-schemas";
import { OfflineActivationBody, OfflineDeactivationBody } from "../schemas";

/** The request file is the body: its text, as the offline schemas read it. */
const requestFile = {
  read: async (request: Request) => ({ file: await readTextBody(request) }),
  description: "The offline request file the SDK wrote: base64 of its JSON request (schema 1 or 2), as text",
};

/**
 * The file must be signed for the API key that sends it, with that key's shared key: the
 * application holding the key made it. Otherwise signature_mismatch, before anything about the
 * license is told.
 */
async function checkRequestFile(offline: OfflineRequest & { apiKey: string | undefined }, apiKey: ApiKey): Promise<void> {
  if (offline.apiKey === undefined)
    throw new ApiError("signature_mismatch", "The offline request names no api_key (OAuth client credentials are not supported)");
  if (offline.apiKey !== apiKey.apiKey) throw new ApiError("signature_mismatch", "The offline request was made for another API key");
  if (!(await verifyOfflineRequest(offline, apiKey.sharedKey)))
    throw new ApiError("signature_mismatch", "The offline request's signature does not verify with this API key's shared key");
}

/**
 * After the file's signature, activate_license's checks in its order, with
 * offline_activation_not_allowed after license_not_enabled (../device-activation.ts). The answer is
 * activate_license's license object, plus what the SDK's ActivateOfflineResponse adds: `date`,
 * `offline_signature` (HMAC-SHA256 under the shared key over
 * `licenseSpring\ndate: <date>\n<key or username>\n<hardware_id>\n<api_key>`, as the SDK's
 * checkOfflineSignature rebuilds it) and `license_signature_v2`: RSA-SHA256 over the JSON text of
 * the answer without license_signature and license_signature_v2, which is what the SDK verifies
 * (in a file it has no response header to read).
 */
export const activateOffline = licenseApiRoute({
  method: "post",
  path: "/api/v4/activate_offline",
  operationId: "activateOffline",
  errors: {
    ...ACTIVATION_ERRORS,
    offline_activation_not_allowed: "the license does not allow offline activation (allow_offline_activation)",
    signature_mismatch: "the request file is not signed with the sending API key's shared key",
  },
  summary: "Activate a device from an offline request file; the answer, as base64, is the activation file",
  body: OfflineActivationBody,
  textBody: requestFile,
  response: OfflineLicenseBody,
  reads: "context",
  readsLicense: true,
  async handler({ request, env, ctx, apiKey, body, lookup, context, license: read, licenseUser }) {
    await checkRequestFile(body.offline, apiKey);
    const license = await activateOnDevice(
      { request, env, ctx, apiKey },
      { context, license: read, licenseUser },
      activationRequest(lookup, body, true),
    );
    const date = new Date().toUTCString();
    const offlineSignature = await hmacBase64(
      apiKey.sharedKey,
      `licenseSpring\ndate: ${date}\n${lookup.username ?? lookup.licenseKey ?? ""}\n${lookup.hardwareId}\n${apiKey.apiKey}`,
    );
    const { license_signature: _v1, ...unsigned } = license;
    const signedPart = { ...unsigned, date, offline_signature: offlineSignature };
    const { privateKey } = await signingKeys(env.LICENSE_SIGNING_KEY);
    return {
      ...license,
      date,
      offline_signature: offlineSignature,
      license_signature_v2: await signText(privateKey, JSON.stringify(signedPart)),
    };
  },
});

/** After the file's signature, deactivate_license's checks; answers "license_deactivated". */
export const deactivateOffline = licenseApiRoute({
  method: "post",
  path: "/api/v4/deactivate_offline",
  operationId: "deactivateOffline",
  errors: { signature_mismatch: "the request file is not signed with the sending API key's shared key" },
  summary: "Deactivate a device from an offline deactivation request file",
  body: OfflineDeactivationBody,
  textBody: requestFile,
  response: DeactivatedBody,
  reads: "context",
  async handler({ env, apiKey, body, lookup, context }) {
    await checkRequestFile(body.offline, apiKey);
    return deactivateOnDevice(env, apiKey, context, lookup);
  },
});
