/** A keyset page as the management API answers it: `{ data, next_cursor }` (null on the last page). */
import type { KeysetPage } from "../db/keyset-page";

export function pageBody<T>(page: KeysetPage<T>): { data: T[]; next_cursor: string | null } {
  return { data: page.items, next_cursor: page.nextCursor === null ? null : String(page.nextCursor) };
}
