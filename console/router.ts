/**
 * Hash routes ("#/licenses/12?tab=devices"): the console is static files, so every view lives at
 * /console/ and a reload or a shared link opens the same view without any server-side routing.
 */
import { useEffect, useState } from "preact/hooks";

export interface Route {
  /** The path's segments: "#/licenses/12" → ["licenses", "12"]. */
  segments: string[];
  query: URLSearchParams;
}

function current(): Route {
  const [path = "", search = ""] = location.hash.replace(/^#/, "").split("?", 2);
  return { segments: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** The href of a view: href("licenses", 12) → "#/licenses/12"; query values that are empty are left out. */
export function href(...parts: Array<string | number | Record<string, string | number | undefined>>): string {
  const segments: string[] = [];
  const params = new URLSearchParams();
  for (const part of parts) {
    if (typeof part === "object") {
      for (const [name, value] of Object.entries(part)) if (value !== undefined && value !== "") params.set(name, String(value));
    } else segments.push(encodeURIComponent(String(part)));
  }
  const query = params.toString();
  return `#/${segments.join("/")}${query ? `?${query}` : ""}`;
}

export function navigate(target: string): void {
  location.hash = target;
}
