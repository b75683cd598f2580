/**
 * The console's only way to the service: the management API (/api/v1, described by
 * /api/openapi.json). The key signed in with lives in sessionStorage (this tab only) and travels as
 * "Authorization: Api-Key <key>". Every failure becomes an ApiFailure carrying the API's own
 * `code` and `message`, which the page shows as they are.
 */

const KEY_STORAGE = "edge-license-api.management-key";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A paginated list as the management API answers it. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

let signedOutListener: (message: string | null) => void = () => {};

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  signIn(key: string) {
    sessionStorage.setItem(KEY_STORAGE, key);
  },
  signOut(message: string | null = null) {
    sessionStorage.removeItem(KEY_STORAGE);
    signedOutListener(message);
  },
  onSignOut(listener: (message: string | null) => void) {
    signedOutListener = listener;
  },
};

/** Query parameters: undefined, null and "" are left out. */
export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method: string, path: string, body: unknown, key: string | null): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Api-Key ${key ?? ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, undefined, "The service cannot be reached. Check the connection and try again.");
  }
}

async function failure(response: Response): Promise<ApiFailure> {
  const body = (await response.json().catch(() => null)) as { code?: string; message?: string } | null;
  return new ApiFailure(response.status, body?.code, body?.message ?? `The service answered HTTP ${response.status}.`);
}

/**
 * Calls the management API and answers its JSON. A 401 (no or malformed key) signs the tab out; a
 * 403 does not, since a key that may read may still be refused a write it has no role for.
 */
export async function api<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body, session.key());
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401) session.signOut(error.message);
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query) => api<T>("GET", withQuery(path, query));
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body);
export const patch = <T>(path: string, body: unknown) => api<T>("PATCH", path, body);

/** Checks a key before the tab keeps it: any read the key may make. */
export async function checkKey(key: string): Promise<void> {
  const response = await send("GET", "/api/v1/products?limit=1", undefined, key);
  if (!response.ok) throw await failure(response);
}

/** Downloads an export (CSV, NDJSON) with the key, then hands it to the browser as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await send("GET", path, undefined, session.key());
  if (!response.ok) throw await failure(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
