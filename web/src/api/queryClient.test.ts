import { describe, expect, it } from "vitest";
import { ApiError } from "./problem";
import { makeQueryClient, persistOptions } from "./queryClient";

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
});
