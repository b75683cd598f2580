/**
 * Keyset pagination for the management lists: rows are read in id order after a cursor (the last
 * id of the previous page), one more than asked, so "is there a next page" costs nothing extra and
 * rows added meanwhile never shift a page (as OFFSET would).
 */
export interface KeysetPage<T> {
  items: T[];
  /** The id to pass as the next cursor, or null on the last page. */
  nextCursor: number | null;
}

export function keysetPage<T extends { id: number }>(rows: T[], limit: number): KeysetPage<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
