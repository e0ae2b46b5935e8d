/** Small Preact hooks: live IndexedDB queries, the hash route, the current language. */
import { liveQuery } from "dexie";
import { useEffect, useState } from "preact/hooks";
import { onLangChange } from "./i18n";

/**
 * The result of a Dexie query, kept up to date as the database changes. Dexie observes the
 * reads a query makes; a read made only after awaiting another async function's (native) promise may go
 * unobserved, so a query that calls several such functions starts them together (Promise.all).
 */
export function useLive<T>(query: () => Promise<T>, deps: unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const subscription = liveQuery(query).subscribe({
      next: (v) => setValue(() => v),
      error: (e: unknown) => console.error("live query failed", e instanceof Error ? `${e.name}: ${e.message}` : e),
    });
    return () => subscription.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return value;
}

export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parseHash(): Route {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path = "", query = ""] = raw.split("?");
  return { path: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const update = () => setRoute(parseHash());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}

export function navigate(hash: string): void {
  location.hash = hash;
}

/** Re-render when the language changes. */
export function useLangVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => onLangChange(() => setVersion((v) => v + 1)), []);
  return version;
}
