import { expect, test } from "@playwright/test";
import { EPISODE, FakeApi, PROPOSED } from "./fakeApi";

/** The queries (by hash) that the persisted query cache in IndexedDB holds with data. Runs in the page. */
function keptQueries(): Promise<string[]> {
  return new Promise((resolve) => {
    const open = indexedDB.open("accord-cache");
    open.onerror = () => resolve([]);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("queries")) return resolve([]);
      const read = db.transaction("queries").objectStore("queries").get("accord-query-cache");
      read.onerror = () => resolve([]);
      read.onsuccess = () => {
        if (typeof read.result !== "string") return resolve([]);
        const kept = JSON.parse(read.result) as { clientState: { queries: { queryHash: string; state: { data?: unknown } }[] } };
        resolve(kept.clientState.queries.filter((q) => q.state.data !== undefined).map((q) => q.queryHash));
      };
    };
  });
}

// The service worker is on here (the other tests block it), and the fake API answers on the context, so it also
// sees what the worker fetches.
test.use({ serviceWorkers: "allow" });
test("the app opens offline with the last data seen, and says it is offline", async ({ page, context }) => {
  const api = new FakeApi();
  await api.install(context);
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Take the bus to college on my own three days a week" })).toBeVisible();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.reload(); // now controlled by the worker, with the app shell precached
  await expect(page.getByRole("heading", { name: "Hi Sam" })).toBeVisible();
  // Offline, the app has only what the persister wrote to IndexedDB (throttled: at most once a second, so the goals
  // fetched on this visit land there up to a second after they show). Wait until the kept cache holds both lists
  // Today draws from. (expect.poll, not waitForFunction: waitForFunction takes the Promise an async predicate returns
  // as a truthy answer and stops at the first read, which is how this test used to go offline too early.)
  await expect
    .poll(() => page.evaluate(keptQueries), { intervals: [200] })
    .toEqual(expect.arrayContaining(['["overview"]', `["goals",["${EPISODE}"]]`]));

  api.offline = true;
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText("You're offline.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Take the bus to college on my own three days a week" })).toBeVisible();
  await expect(page.getByText("3 recorded. First 2, latest 5, aiming for 8.")).toBeVisible();
});

/** The query cache as the app last wrote it to IndexedDB, as text. Runs in the page. */
function keptText(): Promise<string> {
  return new Promise((resolve) => {
    const open = indexedDB.open("accord-cache");
    open.onerror = () => resolve("");
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("queries")) return resolve("");
      const read = db.transaction("queries").objectStore("queries").get("accord-query-cache");
      read.onerror = () => resolve("");
      read.onsuccess = () => resolve(typeof read.result === "string" ? read.result : "");
    };
  });
}

// The real-stack journey's sequence: Today seen while a goal waits for agreement; the goal's page opened later, after
// everyone agreed (a new visit); then offline, a reload, and Today. Today's kept list learns the agreed goal from the
// goal's own page (keepGoalListsCurrent). Going offline only once the agreed goal is in IndexedDB matters: the journey
// once reloaded before that (its wait did not wait) and Today showed the goal as still proposed.
test("a goal agreed since Today was last seen online is on Today when it opens offline", async ({ page, context }) => {
  const api = new FakeApi();
  await api.install(context);
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Take the bus to college on my own three days a week" })).toBeVisible();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await expect
    .poll(() => page.evaluate(keptQueries), { intervals: [200] })
    .toEqual(expect.arrayContaining([`["goals",["${EPISODE}"]]`]));

  api.proposedAgreed = true;
  await page.goto(`/goals/${PROPOSED}`);
  await expect(page.getByText("Everyone has agreed this goal.")).toBeVisible();
  await expect.poll(() => page.evaluate(keptText), { intervals: [200] }).toContain('"revision":2');

  api.offline = true;
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText("You're offline.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Speak up once in each seminar" })).toBeVisible();
  await page.getByRole("link", { name: "Today", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Hi Sam" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Speak up once in each seminar", exact: true })).toBeVisible();
});
