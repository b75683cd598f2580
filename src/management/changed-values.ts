/**
 * What a change changed, for the activity log: the fields a PATCH sets, each with its value before
 * and after, leaving out those it sets to the value they had.
 */
export function changedValues(stored: object, changes: object): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const old = stored as Record<string, unknown>;
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const was = old[field] ?? null;
    if (JSON.stringify(was) === JSON.stringify(value)) continue;
    before[field] = was;
    after[field] = value;
  }
  return { before, after };
}
