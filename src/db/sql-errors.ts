/** Tells a UNIQUE violation (a conflict the caller caused) from any other D1 failure (our bug). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/i.test(error.message);
}
