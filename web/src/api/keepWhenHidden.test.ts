import { waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { keepCacheWhenHidden, makeQueryClient, persister, stopKeepingCache, writeCacheNow } from "./queryClient";

function goOutOfSight(): void {
  Object.defineProperty(document, "visibilityState", { configurable: true, value: "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}

afterEach(async () => {
  Object.defineProperty(document, "visibilityState", { configurable: true, value: "visible" });
  await persister.removeClient();
});

describe("keeping the cache when the app goes out of sight", () => {
  it("writes what arrived within the persister's throttle second to IndexedDB as soon as the app is hidden", async () => {
    const client = makeQueryClient();
    const stop = keepCacheWhenHidden(client);
    client.setQueryData(["overview"], { goals: [{ goal_id: "g1" }] });
    goOutOfSight();
    await waitFor(async () => {
      const kept = await persister.restoreClient();
      expect(kept?.clientState.queries.map((q) => q.queryHash)).toEqual(['["overview"]']);
    });
    stop();
  });

  it("writes nothing once the person has signed out", async () => {
    const client = makeQueryClient();
    client.setQueryData(["overview"], { goals: [] });
    stopKeepingCache();
    await writeCacheNow(client); // what going out of sight calls
    expect(await persister.restoreClient()).toBeUndefined();
  });
});
