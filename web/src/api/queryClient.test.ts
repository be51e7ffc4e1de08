import { QueryObserver } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./problem";
import { makeQueryClient, persistOptions, refreshAfterRestore } from "./queryClient";

describe("what is kept on the device for offline use", () => {
  it("keeps data whose latest refetch failed, but never a remembered 'no session'", async () => {
    const client = makeQueryClient();
    client.setQueryData(["overview"], { goals: [] });
    await client
      .fetchQuery({ queryKey: ["overview"], queryFn: () => Promise.reject(new Error("offline")), retry: false, staleTime: 0 })
      .catch(() => undefined);
    client.setQueryData(["session"], null);
    client.setQueryData(["unread"], { unread: 1 });
    const keep = persistOptions.dehydrateOptions.shouldDehydrateQuery;
    const decisions = Object.fromEntries(
      client.getQueryCache().getAll().map((q) => [String(q.queryKey[0]), keep(q)]),
    );
    expect(client.getQueryState(["overview"])?.status).toBe("error");
    expect(decisions).toEqual({ overview: true, session: false, unread: true });
  });

  it("forgets a goal the server now refuses, so a goal made private again does not open from the device", async () => {
    const client = makeQueryClient();
    for (const [id, error] of [
      ["private-now", new ApiError(404, { title: "Not found", status: 404 })],
      ["offline-now", new TypeError("Failed to fetch")],
    ] as const) {
      client.setQueryData(["goal", id], { goal_id: id });
      await client
        .fetchQuery({ queryKey: ["goal", id], queryFn: () => Promise.reject(error), retry: false, staleTime: 0 })
        .catch(() => undefined);
    }
    const keep = persistOptions.dehydrateOptions.shouldDehydrateQuery;
    const decisions = Object.fromEntries(client.getQueryCache().getAll().map((q) => [String(q.queryKey[1]), keep(q)]));
    expect(decisions).toEqual({ "private-now": false, "offline-now": true });
  });

  it("puts a goal read or changed on its own page into its episode's goal lists, which stay due for a refetch", () => {
    const client = makeQueryClient();
    const list = ["goals", ["episode-1"]];
    client.setQueryData(list, [{ goal_id: "other", episode_id: "episode-1", status: "active" }]);
    client.setQueryData(["goal", "g1"], { goal_id: "g1", episode_id: "episode-1", status: "proposed" });
    client.setQueryData(["goal", "g1"], { goal_id: "g1", episode_id: "episode-1", status: "active" });
    client.setQueryData(["goal", "g2"], { goal_id: "g2", episode_id: "episode-2", status: "active" });

    expect(client.getQueryData(list)).toEqual([
      { goal_id: "other", episode_id: "episode-1", status: "active" },
      { goal_id: "g1", episode_id: "episode-1", status: "active" },
    ]);
    expect(client.getQueryState(list)?.isInvalidated).toBe(true);
  });

  it("takes a goal the server now refuses out of the goal lists", async () => {
    const client = makeQueryClient();
    const list = ["goals", ["episode-1"]];
    client.setQueryData(list, [{ goal_id: "g1", episode_id: "episode-1" }, { goal_id: "g2", episode_id: "episode-1" }]);
    await client
      .fetchQuery({
        queryKey: ["goal", "g1"],
        queryFn: () => Promise.reject(new ApiError(404, { title: "Not found", status: 404 })),
        retry: false,
      })
      .catch(() => undefined);
    expect(client.getQueryData(list)).toEqual([{ goal_id: "g2", episode_id: "episode-1" }]);
  });

  it("reads a query on screen again once the kept data is restored, however fresh the kept copy", async () => {
    const client = makeQueryClient();
    client.setQueryData(["goal", "g1"], { goal_id: "g1", status: "proposed" }); // kept a moment ago: still fresh
    const read = vi.fn(() => Promise.resolve({ goal_id: "g1", status: "active" }));
    const onScreen = new QueryObserver(client, { queryKey: ["goal", "g1"], queryFn: read });
    const unsubscribe = onScreen.subscribe(() => undefined);
    expect(read).not.toHaveBeenCalled();

    await refreshAfterRestore(client);
    expect(read).toHaveBeenCalledTimes(1);
    expect(client.getQueryData(["goal", "g1"])).toEqual({ goal_id: "g1", status: "active" });
    unsubscribe();
  });
});
