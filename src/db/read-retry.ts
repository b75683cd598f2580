/**
 * Reads from D1 are retried once after a short pause: a read has no side effect, and a single
 * transient failure (a D1 restart, a dropped connection) should not become a failed request.
 * Writes are never retried here; each write path has its own idempotency story.
 */
export async function readWithRetry<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    await scheduler.wait(25);
    return read();
  }
}
