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

/** One page: `statement` selects the rows after the cursor in id order, at most `limit` + 1 of them. */
export async function readPage<Row extends { id: number }, T>(
  statement: D1PreparedStatement,
  limit: number,
  decode: (row: Row) => T,
): Promise<KeysetPage<T>> {
  const { results } = await statement.all<Row>();
  const rows = results.slice(0, limit);
  return { items: rows.map(decode), nextCursor: results.length > limit ? (rows.at(-1)?.id ?? null) : null };
}
