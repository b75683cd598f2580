/**
 * Activating and deactivating a device, as the online calls (activate_license, deactivate_license)
 * and the offline ones (activate_offline, deactivate_offline) all do it: the same checks in the same
 * order, the same one-transaction activation (seats, transfers, a trial's end date), and the same
 * answers. The offline activation adds its own signatures (./routes/offline-activation.ts).
 */
import { licenseSignature } from "../auth/response-signing";
import { licenseChangeStatements, licenseTarget, liveFeatureStates, liveLicenseState, tellLicenseCounters } from "../counter/counter-stubs";
import type { SnapshotRead } from "../counter/snapshot";
import type { ApiKey } from "../db/api-keys";
import { installationFileOf, toLicenseDetails } from "../db/counter-snapshot";
import { MAX_DEVICE_VARIABLES, deviceVariablesStatement, variablesWritten, writeDeviceVariablesStatement } from "../db/device-variables";
import { activateDeviceStatements, activationOutcome, deactivateDeviceStatement, deactivated } from "../db/devices";
import type { LicenseContext, LicenseLookup } from "../db/license-context";
import type { LicenseUser } from "../db/license-users";
import type { VersionFilter } from "../db/product-versions";
import type { DeclaredErrors } from "../http/route";
import type { DeviceVariableResource } from "../models/device";
import { ApiError } from "../errors";
import { announce, deviceActivatedEvent } from "../webhooks/license-events";
import { sendDeliveries } from "../webhooks/webhook-consumer";
import { askPool } from "./ask-pool";
import { licenseBody } from "./license-body";
import { SIGN_IN_ERRORS, signInToLicense, type SignInCall } from "./license-user-sign-in";
import { expiredError, isExpired, isLicenseExpired, resolveLicenseIdentity } from "./resolve-license";

/** What activating answers besides the License API's common errors, online and offline (the route declarations). */
export const ACTIVATION_ERRORS = {
  ...SIGN_IN_ERRORS,
  license_not_started: "the license's start_date has not come",
  trial_expired: "the trial license has ended",
  vm_not_allowed: "the license has prevent_vm and the client says it runs in a virtual machine (is_vm)",
  license_transferred_max_times: "the activation would move the license to another device beyond max_transfers",
} satisfies DeclaredErrors;

export interface ActivationRequest {
  lookup: LicenseLookup;
  /** User-based products: the license user's password. */
  password: string | undefined;
  /** What the client says of its machine: a license with prevent_vm refuses a virtual machine. */
  isVm: boolean;
  /** Device variables to store with the activation. */
  variables: Record<string, string> | undefined;
  /** activate_offline: the license must allow offline activation. */
  offline: boolean;
  /** The client's build (environment and channel): which installation_file the answer names. */
  build: VersionFilter;
}

/** An activation as activate_license's and activate_offline's requests both describe it. */
export function activationRequest(
  lookup: LicenseLookup,
  body: {
    password?: string | undefined;
    is_vm?: boolean | undefined;
    variables?: Record<string, string> | undefined;
    env?: string | undefined;
    channel?: string | undefined;
  },
  offline: boolean,
): ActivationRequest {
  return {
    lookup,
    password: body.password,
    isVm: body.is_vm ?? false,
    variables: body.variables,
    offline,
    build: { environment: body.env, channel: body.channel },
  };
}

/**
 * Precedence: identity (unknown_product, api_key_product_not_allowed, license_not_found; on
 * user-based products the identifier, then missing_parameters without a password, then the
 * sign-in: too_many_password_attempts, invalid_password) → license_not_enabled →
 * offline_activation_not_allowed (offline) → license_not_started → license_expired / trial_expired
 * → blacklisted → vm_not_allowed → license_activated_max_times → license_transferred_max_times →
 * validation_error (variables over the device's bound; the device stays activated).
 * Activating an already active device again is allowed and takes no extra seat (nor a transfer).
 * Activating a floating cloud license takes no floating slot (a check does): the answer says
 * whether the device holds one (`floating_in_use`) and how many are in use.
 *
 * One D1 read before the write (`read`: the context, the license in full and the license user, in
 * one batch, by the route's wrapper) and one D1 batch that writes: the device, its variables, and
 * the license's change (its write version, its objects, and the license as it is afterwards), then
 * reads the device's variables back.
 */
export async function activateOnDevice(
  call: SignInCall,
  read: { context: LicenseContext; license: SnapshotRead | undefined; licenseUser: LicenseUser | null | undefined },
  activation: ActivationRequest,
) {
  const { env, ctx, apiKey } = call;
  const { context } = read;
  const { lookup } = activation;
  const { product, license, user } =
    lookup.username === undefined
      ? { ...resolveLicenseIdentity(context, lookup, apiKey), user: null }
      : await signInToLicense(call, context, { ...lookup, username: lookup.username }, activation.password, "activate", read.licenseUser);
  const nowMs = Date.now();
  if (!license.enabled) throw new ApiError("license_not_enabled");
  const before = toLicenseDetails(read.license!)!;
  if (activation.offline && !before.allowOfflineActivation) throw new ApiError("offline_activation_not_allowed");
  if (before.startDate !== null && !isExpired(before.startDate, nowMs))
    throw new ApiError("license_not_started", `The license can be activated from ${before.startDate}`);
  if (isLicenseExpired(license, nowMs)) throw expiredError(license);
  if (context.device?.blacklisted) throw new ApiError("blacklisted");
  if (before.preventVm && activation.isVm) throw new ApiError("vm_not_allowed");

  // device.activated when this makes the device active (not when it was active already), decided with the activation.
  const event = deviceActivatedEvent(
    { license_id: license.id, license_key: license.licenseKey, product: product.shortCode },
    lookup.hardwareId,
    nowMs,
  );
  const announced = announce(event, env.DB);
  const device = { licenseId: license.id, hardwareId: lookup.hardwareId };
  const variables = activation.variables && Object.keys(activation.variables).length > 0 ? activation.variables : null;
  const activating = activateDeviceStatements(env.DB, license.id, lookup.hardwareId, nowMs, announced);
  const written = variables ? [writeDeviceVariablesStatement(env.DB, device, variables, new Date(nowMs).toISOString())] : [];
  const change = licenseChangeStatements(env.DB, license.id);
  const results = await env.DB.batch([...activating, ...written, deviceVariablesStatement(env.DB, device), ...change.statements]);
  const { outcome, deliveries } = activationOutcome(results, announced.length);
  if (deliveries.length > 0) ctx.waitUntil(sendDeliveries(env, deliveries));
  if ("refused" in outcome) throw new ApiError(outcome.refused);
  // The license's counter objects learn of the device (and the license's activation, and a trial's
  // new end) before this answers, whatever it answers: the device is activated from here on.
  const after = (await tellLicenseCounters(env, change, results))!;
  if (variables && !variablesWritten(variables, results[activating.length]!)) {
    throw new ApiError("validation_error", `variables: a device holds at most ${MAX_DEVICE_VARIABLES} variables`);
  }
  const details = toLicenseDetails(after)!;
  // A trial's first activation set its validity_period.
  const current = { ...license, active: true, validityPeriod: details.validityPeriod };
  const [featureStates, licenseState, pool, signature] = await Promise.all([
    liveFeatureStates(env, license.id, details.features, product.defaultsVersion, after),
    liveLicenseState(env, current, product.defaultsVersion, after),
    license.floating.isFloatingCloud
      ? askPool(env, apiKey, lookup, licenseTarget(license.id), product.defaultsVersion, { kind: "status" })
      : null,
    licenseSignature(env.LICENSE_SIGNING_KEY, lookup.hardwareId, lookup.username ?? lookup.licenseKey ?? "", current.validityPeriod),
  ]);
  return licenseBody({
    license: current,
    details,
    deviceId: outcome.deviceId,
    hardwareId: lookup.hardwareId,
    user,
    featureStates,
    licenseState,
    includeExpiredFeatures: false,
    licenseSignature: signature,
    nowMs,
    activation: { variables: results[activating.length + written.length]!.results as DeviceVariableResource[] },
    pool,
    installationFile: installationFileOf(after, activation.build),
  });
}

/**
 * Frees the device's seat; answers "license_deactivated", as the SDK checks. Allowed whatever the
 * license's state (a disabled or expired license can still free a seat); a blacklisted device is told
 * so, an unknown or already inactive one is device_not_found. The seat it leaves makes the next
 * activation of another device a transfer (migrations/0021). One D1 batch: the device, and the
 * license's change (its write version, its objects, the license afterwards).
 */
export async function deactivateOnDevice(env: Env, apiKey: ApiKey, context: LicenseContext, lookup: LicenseLookup) {
  const { license } = resolveLicenseIdentity(context, lookup, apiKey);
  if (context.device?.blacklisted) throw new ApiError("blacklisted");
  const change = licenseChangeStatements(env.DB, license.id);
  const results = await env.DB.batch([deactivateDeviceStatement(env.DB, license.id, lookup.hardwareId), ...change.statements]);
  if (!deactivated(results[0]!)) throw new ApiError("device_not_found");
  await tellLicenseCounters(env, change, results);
  return "license_deactivated" as const;
}
