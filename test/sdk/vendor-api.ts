// The management API (/api/v1) of a locally started service, as a vendor's script calls it.
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
