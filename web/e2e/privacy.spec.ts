import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { ACTIVE, EXPORT, FakeApi } from "./fakeApi";

const test = base.extend<{ api: FakeApi }>({
  api: async ({ page }, use) => {
    const api = new FakeApi();
    await api.install(page);
    await use(api);
  },
});

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

test("the young person downloads their data from Settings, watching the parts arrive, accessibly", async ({ page, api }) => {
  await page.goto("/settings");
  await page.getByRole("button", { name: "Prepare my data" }).click();
  await expect(page.getByRole("status").filter({ hasText: /of 4 parts done/ })).toBeVisible();
  await expect(page.getByText("Your data is ready. Download it all in one file, or one part at a time.")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("link", { name: "Download everything in one file (zip)", exact: true })).toHaveAttribute(
    "href",
    `/api/v1/exports/archive?export_id=${EXPORT}`,
  );
  const links = page.getByRole("list", { name: "Or one part at a time:" }).getByRole("link");
  await expect(links).toHaveCount(4);
  await expect(links.first()).toHaveAttribute("href", `/api/v1/goals/exports/${EXPORT}/part`);
  const started = api.received.filter((r) => r.method === "POST" && r.path === "/api/v1/goals/exports");
  expect(started).toHaveLength(1);
  expect(started[0]!.csrf).not.toBeNull();
  await expectAccessible(page);

  // After a reload the export is not forgotten: its links are there again without asking for a new one.
  await page.reload();
  await expect(page.getByText("Your data is ready. Download it all in one file, or one part at a time.")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("link", { name: /^Download / })).toHaveCount(5); // the whole export and its four parts
  expect(api.received.filter((r) => r.method === "POST" && r.path === "/api/v1/goals/exports")).toHaveLength(1);
});

test("following a confirmation link confirms the address once and a second visit says it was used, accessibly", async ({ page, api }) => {
  void api;
  await page.goto("/confirm-email?token=abcdefghijklmnopqrstuvwxyz012345");
  await expect(page.getByText("sam.new@example.org is confirmed")).toBeVisible();
  await expect(page).toHaveURL(/\/confirm-email$/); // the token is out of the address bar
  await expectAccessible(page);
  await page.goto("/confirm-email?token=abcdefghijklmnopqrstuvwxyz012345");
  await expect(page.getByRole("alert")).toHaveText(/This link has already been used/);
  await expectAccessible(page);
});

test("the young person sees who they have let see a goal, and when, beside the setting, accessibly", async ({ page, api }) => {
  void api;
  await page.goto(`/goals/${ACTIVE}`);
  await page.getByText("Who you've let see this goal, and when").click();
  await expect(page.getByText(/1 October 2026: you let .+ see this goal\./)).toBeVisible();
  await expectAccessible(page);
});
