// The management API (/api/v1) of a locally started service, as a vendor's script calls it.
import { createHmac } from "node:crypto";
import type { LocalService } from "./local-service";

export function vendorApi(service: LocalService) {
  return async function manage<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${service.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Api-Key ${service.managementKey}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
}

/** The error the SDK threw (its parsed error body), or null when the call succeeded. */
export const sdkError = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

/**
 * Someone online with the application's API key (a support desk, a vendor's offline portal): posts
 * an offline request file to activate_offline, as the SDK's LicenseAPI.activateOffline does, and
 * hands the answer back, as base64, as the activation file the offline machine's SDK reads.
 */
export function offlinePortal(service: LocalService) {
  return async function activationFile(requestFile: string): Promise<string> {
    const date = new Date().toUTCString();
    const signature = createHmac("sha256", service.credentials.sharedKey).update(`licenseSpring\ndate: ${date}`).digest("base64");
    const response = await fetch(`${service.apiPath}/activate_offline`, {
      method: "POST",
      headers: {
        Date: date,
        Authorization: `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${service.credentials.apiKey}"`,
        "Content-Type": "text/plain",
      },
      body: requestFile,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`activate_offline → ${response.status} ${text}`);
    return Buffer.from(text).toString("base64");
  };
}
