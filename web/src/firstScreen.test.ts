import { describe, expect, it, vi } from "vitest";
import { keys } from "./api/hooks";
import { makeQueryClient, refreshAfterRestore } from "./api/queryClient";
import { loadSession, OWNER_KEY, type Session } from "./auth/session";
import { DATA_BLOCK_ID, isSeeded, readFirstScreen, seedFirstScreen, type FirstScreen } from "./firstScreen";

const sam: Session = {
  subject: "sam-1",
  roles: ["client"],
  tenant_id: "t1",
  name: "Sam </script><b>",
  csrf_token: "csrf",
  expires_at: "2030-01-01T00:00:00+00:00",
  idle_expires_at: "2030-01-01T00:00:00+00:00",
};
const overview = {
  goals: [{ goal_id: "g1", status: "active" }],
  progress: { g1: { goal_id: "g1", latest: 6 } },
  unread_notifications: 2,
  missing: [],
};

/** The block as the gateway writes it: JSON with "<" escaped, in a non-executable script element. */
function pageWith(seed: unknown): Document {
  const doc = document.implementation.createHTMLDocument("page");
  const json = JSON.stringify(seed).replace(/</g, "\\u003c");
  doc.body.innerHTML = `<div id="root"></div><script type="application/json" id="${DATA_BLOCK_ID}">${json}</script>`;
  return doc;
}

describe("the first screen's data block", () => {
  it("is read back exactly, a name with markup in it included", () => {
    const seed = { session: sam, overview, preferences: null, language: "cy" };
    expect(readFirstScreen(pageWith(seed))).toEqual(seed);
  });

  it("is absent from the plain shell and ignored when it cannot be read", () => {
    expect(readFirstScreen(document.implementation.createHTMLDocument("plain"))).toBeNull();
    const broken = pageWith({});
    broken.getElementById(DATA_BLOCK_ID)!.textContent = "{not json";
    expect(readFirstScreen(broken)).toBeNull();
  });

  it("seeds the session, the overview, each goal's progress and the unread count, so none is fetched again", async () => {
    localStorage.clear();
    const fetch = vi.spyOn(globalThis, "fetch");
    const client = makeQueryClient();
    const seeded = seedFirstScreen(client, {
      session: sam,
      overview,
      preferences: { locale: "cy", time_zone: "Europe/London", channels: [] },
      language: "cy",
    } as unknown as FirstScreen);
    expect(client.getQueryData(keys.session)).toEqual(sam);
    expect(client.getQueryData(keys.overview)).toEqual(overview);
    expect(client.getQueryData(keys.progress("g1"))).toEqual({ goal_id: "g1", latest: 6 });
    expect(client.getQueryData(keys.unread)).toEqual({ unread: 2 });
    expect(client.getQueryData(keys.preferences)).toMatchObject({ locale: "cy" });
    expect(await loadSession()).toEqual(sam); // the CSRF token for a first write, without asking
    expect(fetch).not.toHaveBeenCalled();

    // Restoring the kept cache reads everything else again, never what came with the page.
    client.setQueryData(keys.episodes, { items: [] });
    await refreshAfterRestore(client, (key) => isSeeded(seeded ?? [], key));
    expect(client.getQueryState(keys.overview)?.isInvalidated).toBe(false);
    expect(client.getQueryState(keys.session)?.isInvalidated).toBe(false);
    expect(client.getQueryState(keys.episodes)?.isInvalidated).toBe(true);
  });

  it("is not used when the data kept on this device is another person's", () => {
    localStorage.setItem(OWNER_KEY, "someone-else");
    const client = makeQueryClient();
    expect(seedFirstScreen(client, { session: sam, overview, preferences: null, language: "en" } as unknown as FirstScreen)).toBeNull();
    expect(client.getQueryData(keys.overview)).toBeUndefined();
    localStorage.clear();
  });
});
