import { createAsyncStoragePersister } from "@tanstack/query-async-storage-persister";
import { dehydrate, QueryClient, type Query, type QueryKey } from "@tanstack/react-query";
import type { Goal } from "./types";
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
  const client = new QueryClient({
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
  keepGoalListsCurrent(client);
  return client;
}

/** A goal read or changed on its own page (["goal", id]) is put into the goal lists of its episode
 * (["goals", episodeIds], Today and the family's home) and taken out of them when the server refuses it: a list
 * not on screen is otherwise never refetched, and the stale list is what the app would open with offline. The list
 * stays stale, so it is still read again when it is next shown online. */
export function keepGoalListsCurrent(client: QueryClient): () => void {
  const cache = client.getQueryCache();
  return cache.subscribe((event) => {
    if (event.type !== "updated") return;
    const key = (event.query as Query).queryKey;
    if (key[0] !== "goal") return;
    const { action } = event;
    const goal = action.type === "success" ? (action.data as Goal | undefined) : undefined;
    const goalId = String(key[1]);
    if (!goal && !(action.type === "error" && isGone(action.error))) return;
    for (const list of cache.findAll({ queryKey: ["goals"] })) {
      const goals = list.state.data as Goal[] | undefined;
      if (!goals) continue;
      const others = goals.filter((g) => g.goal_id !== goalId);
      let next: Goal[];
      if (goal) {
        const episodes = list.queryKey[1];
        if (!Array.isArray(episodes) || !episodes.includes(goal.episode_id)) continue;
        next = others.length < goals.length ? goals.map((g) => (g.goal_id === goalId ? goal : g)) : [...goals, goal];
      } else {
        if (others.length === goals.length) continue;
        next = others;
      }
      client.setQueryData(list.queryKey, next, { updatedAt: list.state.dataUpdatedAt });
      void client.invalidateQueries({ queryKey: list.queryKey, exact: true, refetchType: "none" });
    }
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
    // Nor is what the server now refuses (a goal made private again): it must not open from the device either.
    shouldDehydrateQuery: (query: Query) =>
      query.state.data !== undefined && query.state.data !== null && !isGone(query.state.error),
  },
};

/** Once the kept data is back from IndexedDB (what the first screen shows, also offline), every query on screen is
 * read again: a new visit shows the server's answer, not data kept from up to `staleTime` ago in another tab or
 * before a reload. Offline, the reads wait for the network and the kept data stays on screen. `fresh`: what came
 * with the page itself (the first screen's data, src/firstScreen.ts) is this visit's answer, not read again. */
export function refreshAfterRestore(client: QueryClient, fresh: (key: QueryKey) => boolean = () => false): Promise<void> {
  return client.invalidateQueries({ predicate: (query) => !fresh(query.queryKey) });
}

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
