/** The management API's 404 for a named resource: `orNotFound(await findLicense(db, 7), "License", 7)`. */
import { ApiError } from "../errors";

export function orNotFound<T>(value: T | null, what: string, id: number | string): T {
  if (value === null) throw new ApiError("not_found", `${what} ${JSON.stringify(id)} not found`);
  return value;
}
