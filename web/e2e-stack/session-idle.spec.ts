import { expect, test } from "@playwright/test";

// Started by tests/e2e/test_web_session_idle_in_a_browser.py against a gateway whose sessions end after
// ACCORD_E2E_IDLE_SECONDS without a request.
const BASE_URL = process.env.ACCORD_WEB_BASE_URL ?? "";
const IDLE_SECONDS = Number(process.env.ACCORD_E2E_IDLE_SECONDS ?? "0");

test.beforeAll(() => {
  expect(BASE_URL && IDLE_SECONDS, "run through tests/e2e/test_web_session_idle_in_a_browser.py").toBeTruthy();
});

test("a session left idle past its timeout sends Sam to sign in, and the goal being typed is still there", async ({
  page,
}) => {
  await page.goto("/goals/new");
  await page.getByRole("button", { name: "Sign in as Sam" }).click();
  await expect(page).toHaveURL(/\/goals\/new$/);
  const statement = page.getByLabel("Your goal", { exact: true });
  await statement.fill("Say hello to one new person at college each week");
  await page.getByLabel("Why it matters to you").fill("I'd like more friends there");
  // No request from this page for longer than the gateway's idle timeout (a wait, not a timed assertion: the time the
  // session must be left alone). The SMART check asked for once typing pauses (600 ms) is the last request, so the
  // wait has a margin for it. Asking the gateway whether the session is still there would itself keep it alive.
  await page.waitForTimeout((IDLE_SECONDS + 3) * 1000);

  await page.getByRole("button", { name: "Save draft" }).click();
  await page.getByRole("button", { name: "Sign in as Sam" }).click(); // the API's 401 sent Sam to sign in
  await expect(page).toHaveURL(/\/goals\/new$/);
  await expect(statement).toHaveValue("Say hello to one new person at college each week");
  await expect(page.getByLabel("Why it matters to you")).toHaveValue("I'd like more friends there");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("heading", { name: "Say hello to one new person at college each week" })).toBeVisible();
  await expect(page.getByText("Draft", { exact: true })).toBeVisible();
});
