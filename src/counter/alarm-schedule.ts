/**
 * The counter object's one storage alarm, shared by its jobs: each asks for the alarm "no later
 * than" a time (the audit delivery's safety net and retries, the floating pool's next lease end)
 * and the alarm is the earliest asked for. When it runs, the object does every job and each asks
 * again from what storage holds, so an alarm that fires early, or for a purpose that has gone
 * away, costs one empty run and nothing else.
 */
export class AlarmSchedule {
  readonly #storage: DurableObjectStorage;
  /** When the alarm is set, kept in memory so asking costs no storage read: null, not set; undefined, unknown (a write failed). */
  #at: number | null | undefined;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** Reads the stored alarm; the object calls it once, before any request. */
  async load(): Promise<void> {
    this.#at = await this.#storage.getAlarm();
  }

  /** Makes sure the alarm runs no later than `at` (null: nothing asked). It only ever moves earlier here. */
  wantBy(at: number | null): void {
    if (at === null) return;
    if (typeof this.#at === "number" && this.#at <= at) return;
    this.#at = at;
    this.#storage.setAlarm(at).catch((error: unknown) => {
      this.#at = undefined;
      console.warn(`could not set the alarm: ${String(error)}`);
    });
  }

  /** The alarm is running: it is no longer scheduled, and the jobs ask again. */
  fired(): void {
    this.#at = null;
  }
}
