import { describe, expect, it } from "vitest";
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
});
