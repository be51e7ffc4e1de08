import { useQuery } from "@tanstack/react-query";
import { loadSession } from "../auth/session";
import { api, unwrap } from "./client";
import type { Goal } from "./types";

export const keys = {
  session: ["session"] as const,
  overview: ["overview"] as const,
  episodes: ["episodes"] as const,
  goals: ["goals"] as const,
  goal: (id: string) => ["goal", id] as const,
  progress: (id: string) => ["progress", id] as const,
  preferences: ["preferences"] as const,
  unread: ["unread"] as const,
  inbox: ["inbox"] as const,
  emails: ["emails"] as const,
};

export function useSession() {
  return useQuery({ queryKey: keys.session, queryFn: loadSession, staleTime: Infinity, gcTime: Infinity });
}

export function useOverview() {
  return useQuery({ queryKey: keys.overview, queryFn: () => unwrap(api.GET("/api/v1/me/overview")) });
}

export function useEpisodes() {
  return useQuery({
    queryKey: keys.episodes,
    queryFn: () => unwrap(api.GET("/api/v1/episodes", { params: { query: { limit: 20 } } })),
  });
}

/** Every goal I can see in my care episodes, whatever its state (the overview lists active ones only). */
export function useMyGoals() {
  const episodes = useEpisodes();
  const ids = (episodes.data?.items ?? []).filter((e) => e.status === "open").map((e) => e.episode_id);
  return useQuery({
    queryKey: [...keys.goals, ids],
    enabled: episodes.isSuccess,
    queryFn: async (): Promise<Goal[]> => {
      const pages = await Promise.all(
        ids.map((id) =>
          unwrap(
            api.GET("/api/v1/episodes/{episode_id}/goals", {
              params: { path: { episode_id: id }, query: { limit: 50 } },
            }),
          ),
        ),
      );
      return pages.flatMap((p) => p.items);
    },
  });
}

export function useGoal(id: string) {
  return useQuery({
    queryKey: keys.goal(id),
    queryFn: () => unwrap(api.GET("/api/v1/goals/{goal_id}", { params: { path: { goal_id: id } } })),
  });
}

export function useGoalProgress(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.progress(id),
    enabled,
    queryFn: () => unwrap(api.GET("/api/v1/progress/goals/{goal_id}", { params: { path: { goal_id: id } } })),
  });
}

export function usePreferences(enabled = true) {
  return useQuery({
    queryKey: keys.preferences,
    enabled,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/preferences")),
  });
}

export function useUnread(enabled = true) {
  return useQuery({
    queryKey: keys.unread,
    enabled,
    refetchInterval: 60_000,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/inbox/unread-count")),
  });
}

export function useInbox() {
  return useQuery({
    queryKey: keys.inbox,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/inbox", { params: { query: { limit: 50 } } })),
  });
}

export function useEmails() {
  return useQuery({
    queryKey: keys.emails,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/contact-points")),
  });
}
