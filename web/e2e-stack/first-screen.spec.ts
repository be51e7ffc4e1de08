import { expect, test, type Page } from "@playwright/test";

// Started by tests/e2e/test_web_first_screen_in_a_browser.py, which gives Sam an agreed goal first. The gateway renders
// Sam's Today into the page itself (services/gateway/.../first_screen.py): usable with no JavaScript at all, and the
// app takes it over without asking for the overview again.
const BASE_URL = process.env.ACCORD_WEB_BASE_URL ?? "";
const GOAL_ID = process.env.ACCORD_E2E_GOAL_ID ?? "";
const GOAL_TITLE = process.env.ACCORD_E2E_GOAL_TITLE ?? "";

test.beforeAll(() => {
  expect(BASE_URL && GOAL_ID && GOAL_TITLE, "run through tests/e2e/test_web_first_screen_in_a_browser.py").toBeTruthy();
});

/** Signing in from the provider's page, which is a plain form: it needs no JavaScript either. */
async function signInAsSam(page: Page) {
  await page.goto("/auth/login?return_to=%2F");
  await page.getByRole("button", { name: "Sign in as Sam" }).click();
  await expect(page).toHaveURL(`${BASE_URL}/`);
}

test("with JavaScript off, Sam signs in and sees his Today with a working link to record progress", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE_URL, serviceWorkers: "block" });
  const page = await context.newPage();
  await signInAsSam(page);
  await expect(page.getByRole("heading", { level: 1, name: "Hi Sam" })).toBeVisible();
  const card = page.locator(".goal-card").filter({ has: page.getByRole("link", { name: GOAL_TITLE, exact: true }) });
  await expect(card).toBeVisible(); // the title typed with markup and quotes in it, shown as text
  const record = card.getByRole("link", { name: "Record progress" });
  await expect(record).toBeVisible();
  await record.click();
  await expect(page).toHaveURL(`${BASE_URL}/goals/${GOAL_ID}#record`); // the app's own recording page
  await context.close();
});

test("with JavaScript on, the app takes the rendered Today over without asking for the session or overview again", async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: BASE_URL, serviceWorkers: "block" });
  const page = await context.newPage();
  const asked: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path === "/api/v1/me/overview" || path === "/auth/session") asked.push(path);
  });
  await signInAsSam(page);
  // The app has rendered over the gateway's markup once React owns the root element.
  await page.waitForFunction(() =>
    Object.keys(document.getElementById("root") ?? {}).some((key) => key.startsWith("__reactContainer")),
  );
  await expect(page.getByRole("heading", { level: 1, name: "Hi Sam" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(asked).toEqual([]);

  // And the app works from there: Record progress opens the goal's page inside the app.
  const card = page.locator(".goal-card").filter({ has: page.getByRole("link", { name: GOAL_TITLE, exact: true }) });
  await card.getByRole("link", { name: "Record progress" }).click();
  await expect(page).toHaveURL(`${BASE_URL}/goals/${GOAL_ID}#record`);
  await expect(page.getByRole("heading", { level: 1, name: GOAL_TITLE })).toBeVisible();
  await context.close();
});
