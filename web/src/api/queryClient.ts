import { createAsyncStoragePersister } from "@tanstack/query-async-storage-persister";
import { dehydrate, QueryClient, type Query } from "@tanstack/react-query";
import { createStore, del, get, set } from "idb-keyval";
import { ApiError } from "./problem";

/** Quiet retries: a conflict the server calls retryable (another service catching up) and a dropped connection.
 * A refusal (4xx) is shown, not retried. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError) return error.retryable ? failures < 5 : error.status >= 500 && failures < 2;
  return error instanceof TypeError && failures < 2; // fetch's network failure
}

export function retryDelay(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000);
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay,
        staleTime: 30_000,
        gcTime: 7 * 24 * 3600_000, // kept (and persisted) for a week so the last data seen opens offline
        networkMode: "offlineFirst",
      },
      mutations: { retry: shouldRetry, retryDelay },
    },
  });
}

const cacheStore = createStore("accord-cache", "queries");
const CACHE_KEY = "accord-query-cache";

/** The query cache persisted to IndexedDB: the last data seen shows when the app opens offline. */
export const persister = createAsyncStoragePersister({
  storage: {
    getItem: (key: string) => get<string>(key, cacheStore).then((v) => v ?? null),
    setItem: (key: string, value: string) => set(key, value, cacheStore),
    removeItem: (key: string) => del(key, cacheStore),
  },
  key: CACHE_KEY,
});

export const PERSIST_MAX_AGE = 7 * 24 * 3600_000;

export const persistOptions = {
  persister,
  maxAge: PERSIST_MAX_AGE,
  dehydrateOptions: {
    // Whatever was last seen is kept, also when the latest refetch failed (offline): by default only queries whose
    // last fetch succeeded are persisted, and one offline visit would wipe the kept data.
    // "No session" is never kept: after signing in, the app must not come back to a remembered sign-out.
    shouldDehydrateQuery: (query: Query) => query.state.data !== undefined && query.state.data !== null,
  },
};

let keeping = true;

/** The cache written to IndexedDB now, in the persister's own format (it reads it back); nothing after sign-out. */
export function writeCacheNow(client: QueryClient): Promise<void> {
  if (!keeping) return Promise.resolve();
  const kept = { buster: "", timestamp: Date.now(), clientState: dehydrate(client, persistOptions.dehydrateOptions) };
  return set(CACHE_KEY, JSON.stringify(kept), cacheStore);
}

/** Writes the cache at once when the app goes out of sight (switched away from, closed), past the persister's
 * one-second throttle: data that arrived in the last second before would otherwise be lost, and the app would open
 * offline without it. Started only once the kept data is restored, so a half-restored cache never overwrites it. */
export function keepCacheWhenHidden(client: QueryClient): () => void {
  const onChange = () => {
    if (document.visibilityState === "hidden") void writeCacheNow(client);
  };
  document.addEventListener("visibilitychange", onChange);
  return () => document.removeEventListener("visibilitychange", onChange);
}

/** Signing out: nothing more is written, not even as the page goes away. */
export function stopKeepingCache(): void {
  keeping = false;
}
