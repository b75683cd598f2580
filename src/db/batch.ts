/**
 * A write and what must commit with it (its activity entry, src/db/activity.ts) in one D1 batch:
 * one transaction, so that both happen or neither does.
 */
export async function firstRowWith<Row>(db: D1Database, statement: D1PreparedStatement, also: D1PreparedStatement[]): Promise<Row | null> {
  const [result] = await db.batch<Row>([statement, ...also]);
  return result!.results[0] ?? null;
}
