/**
 * Feedback for every action: a success notice (polite live region, fades after a while) or an
 * error notice (alert region, stays until dismissed), at the top of the page where the eye and a
 * screen reader find it. `useAction` wraps an action so that both always happen.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiFailure } from "../api";

export interface Notice {
  id: number;
  kind: "success" | "error";
  text: string;
}

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<(notices: Notice[]) => void>();

function publish(next: Notice[]) {
  notices = next;
  for (const listener of listeners) listener(notices);
}

export function dismiss(id: number): void {
  publish(notices.filter((notice) => notice.id !== id));
}

/** Error notices belong to the view where the action failed: leaving it clears them. */
export function dismissErrors(): void {
  if (notices.some((notice) => notice.kind === "error")) publish(notices.filter((notice) => notice.kind !== "error"));
}

function push(kind: Notice["kind"], text: string): void {
  const notice = { id: nextId++, kind, text };
  // The same text repeated is one notice; of successes, only the latest two stay (errors stay until dismissed).
  const others = notices.filter((other) => other.text !== text);
  const successes = others.filter((other) => other.kind === "success");
  const dropped = kind === "success" ? new Set(successes.slice(0, Math.max(0, successes.length - 1)).map((other) => other.id)) : new Set();
  publish([...others.filter((other) => !dropped.has(other.id)), notice]);
  if (kind === "success") setTimeout(() => dismiss(notice.id), 8_000);
}

export const notify = {
  success: (text: string) => push("success", text),
  error: (text: string) => push("error", text),
};

/** What a failure says to the vendor: the API's message (it names the field and the fix). */
export function failureText(error: unknown): string {
  if (error instanceof ApiFailure) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export type Outcome<T> = { ok: true; result: T } | { ok: false; error: string };

/**
 * Runs `action`; on success shows `done` (a text, or built from the result), on failure shows
 * "<what> failed: <the API's message>". Answers the outcome, and tracks `busy` so the control that
 * started it can be disabled meanwhile.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  async function run<T>(what: string, action: () => Promise<T>, done: string | ((result: T) => string)): Promise<Outcome<T>> {
    setBusy(true);
    try {
      const result = await action();
      notify.success(typeof done === "function" ? done(result) : done);
      return { ok: true, result };
    } catch (failure) {
      const error = failureText(failure);
      notify.error(`${what} failed: ${error}`);
      return { ok: false, error };
    } finally {
      setBusy(false);
    }
  }
  return { busy, run };
}

export function Notices() {
  const [shown, setShown] = useState(notices);
  useEffect(() => {
    listeners.add(setShown);
    return () => void listeners.delete(setShown);
  }, []);
  const item = (notice: Notice) => (
    <div key={notice.id} class={`notice ${notice.kind}`} data-notice={notice.kind}>
      <span>{notice.text}</span>
      <button type="button" class="link" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
        ×
      </button>
    </div>
  );
  return (
    <div class="notices">
      <div role="status" aria-live="polite">
        {shown.filter((notice) => notice.kind === "success").map(item)}
      </div>
      <div role="alert">{shown.filter((notice) => notice.kind === "error").map(item)}</div>
    </div>
  );
}
