import { createAsyncStoragePersister } from "@tanstack/query-async-storage-persister";
import { QueryClient, type Query } from "@tanstack/react-query";
import { createStore, del, get, set } from "idb-keyval";
import { ApiError, isGone } from "./problem";

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

/** The query cache persisted to IndexedDB: the last data seen shows when the app opens offline. */
export const persister = createAsyncStoragePersister({
  storage: {
    getItem: (key: string) => get<string>(key, cacheStore).then((v) => v ?? null),
    setItem: (key: string, value: string) => set(key, value, cacheStore),
    removeItem: (key: string) => del(key, cacheStore),
  },
  key: "accord-query-cache",
});

export const PERSIST_MAX_AGE = 7 * 24 * 3600_000;

export const persistOptions = {
  persister,
  maxAge: PERSIST_MAX_AGE,
  dehydrateOptions: {
    // Whatever was last seen is kept, also when the latest refetch failed (offline): by default only queries whose
    // last fetch succeeded are persisted, and one offline visit would wipe the kept data.
    // "No session" is never kept: after signing in, the app must not come back to a remembered sign-out.
    // Nor is what the server now refuses (a goal made private again): it must not open from the device either.
    shouldDehydrateQuery: (query: Query) =>
      query.state.data !== undefined && query.state.data !== null && !isGone(query.state.error),
  },
};
