import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

async function signIn(page: Page, name: string, path = "/") {
  await page.goto(path); // no session: the app sends the person to the gateway's sign-in, then the provider's page
  await page.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(page).toHaveURL(new RegExp(`${path.replace(/\//g, "\\/")}$`));
}

test("Sam signs in, writes a goal in their own words with the SMART tips, and asks everyone to agree", async ({ page }) => {
  await signIn(page, "Sam");
  await expect(page.getByRole("heading", { name: "Hi Sam" })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Write a new goal" }).click();
  await page.getByLabel("Your goal").fill("be ok");
  // The goals service's own plain-language hint, asked for once typing pauses.
  await expect(page.getByText(/Say what you would be doing when this goal is reached/)).toBeVisible();
  await page.getByLabel("Your goal").fill("Go to the youth club on my own every Friday");
  await page.getByLabel("Why it matters to you").fill("I want to see my friends again");
  await expect(page.getByText("This goal looks clear and doable.")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Save and ask everyone to agree" }).click();

  await expect(page.getByRole("heading", { name: "Go to the youth club on my own every Friday" })).toBeVisible();
  await expect(page.getByText("Waiting for everyone to agree")).toBeVisible();
  await expect(page.getByText(/Therapist: hasn't answered yet/)).toBeVisible();
  await expectAccessible(page);
});

test("Sam checks in; the check-in reaches the progress service and shows among the recent ones", async ({ page }) => {
  await signIn(page, "Sam", "/checkins");
  await page.getByLabel("Anything on your mind?").fill("A good day at college.");
  await page.getByRole("button", { name: "Save check-in" }).click();
  await expect(page.getByText("Thanks for checking in.")).toBeVisible();
  // Sent through the offline queue: it leaves the queue only once the service has it, then lists it.
  await expect(page.getByText("A good day at college.")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/Waiting to be sent/)).toHaveCount(0);
});

test("Jo, Sam's parent, sees only what Sam shares, and signs out through the provider", async ({ page }) => {
  await signIn(page, "Jo");
  await expect(page.getByRole("heading", { name: "Shared with you" })).toBeVisible();
  await expect(page.getByText("Go to the youth club on my own every Friday")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in as Jo" })).toBeVisible();
  expect((await page.request.get("/auth/session")).status()).toBe(401);
});
