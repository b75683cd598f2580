/** Loading what a view shows: the value, the failure (shown in place), and a reload after each change. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { failureText } from "./notices";

/** Loading state shared by both loaders: `track` runs one load and records whether it failed. */
function useLoading() {
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  async function track(work: () => Promise<void>) {
    setLoading(true);
    try {
      await work();
      setError(null);
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setLoading(false);
    }
  }
  return { error, loading, track };
}

export interface Resource<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const { error, loading, track } = useLoading();
  const reload = useCallback(() => track(async () => setData(await load())), deps);
  useEffect(() => {
    setData(undefined);
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/**
 * A paginated list: the first page, then "Load more" appends the next (keyset cursors, so rows
 * added meanwhile never shift a page).
 */
export function usePages<T>(loadPage: (cursor: string | null) => Promise<{ data: T[]; next_cursor: string | null }>, deps: unknown[]) {
  const [rows, setRows] = useState<T[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const { error, loading, track } = useLoading();
  const load = useCallback(
    (cursor: string | null) =>
      track(async () => {
        const page = await loadPage(cursor);
        setRows((previous) => (cursor === null ? page.data : [...(previous ?? []), ...page.data]));
        setNext(page.next_cursor);
      }),
    deps,
  );
  useEffect(() => {
    setRows(undefined);
    void load(null);
  }, [load]);
  return { rows, error, loading, hasMore: next !== null, more: () => load(next), reload: () => load(null) };
}
