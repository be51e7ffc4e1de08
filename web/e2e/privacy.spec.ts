import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { ACTIVE, EXPORT, FakeApi, SAM } from "./fakeApi";

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

for (const [language, words] of [
  [
    "en",
    {
      part: "Asking for your data to be erased",
      kept: /they are not deleted, but they are hidden/,
      ask: "Ask for my data to be erased",
      confirm: "Send your request?",
      yes: "Yes, send my request",
      sent: /^Thanks, your request has been sent\./,
      yours: "Your requests",
      waiting: /: your service hasn't decided yet\.$/,
    },
  ],
  [
    "cy",
    {
      part: "Gofyn i'ch data gael ei ddileu",
      kept: /nid ydynt yn cael eu dileu, ond maen nhw'n cael eu cuddio/,
      ask: "Gofyn i'm data gael ei ddileu",
      confirm: "Anfon eich cais?",
      yes: "Ie, anfon fy nghais",
      sent: /^Diolch, mae eich cais wedi'i anfon\./,
      yours: "Eich ceisiadau",
      waiting: /: nid yw eich gwasanaeth wedi penderfynu eto\.$/,
    },
  ],
] as const) {
  test(`the young person asks for their data to be erased from Settings with the keyboard and sees it waiting, accessibly (${language})`, async ({ page, api }) => {
    api.preferences.locale = language;
    await page.goto("/settings");
    const part = page.getByRole("region", { name: words.part, exact: true });
    await expect(part.getByText(words.kept)).toBeVisible();

    await part.getByRole("button", { name: words.ask, exact: true }).focus();
    await page.keyboard.press("Enter");
    const confirm = part.getByRole("group", { name: words.confirm, exact: true });
    await expect(confirm).toBeVisible();
    await expectAccessible(page);
    await confirm.getByRole("button", { name: words.yes, exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect(part.getByRole("status")).toHaveText(words.sent);
    await expect(part.getByRole("list", { name: words.yours, exact: true }).getByRole("listitem")).toHaveText(words.waiting);
    await expect(part.getByRole("button", { name: words.ask, exact: true })).toHaveCount(0); // one waiting at a time
    const sent = api.received.filter((r) => r.method === "POST" && r.path === "/api/v1/goals/erasure-requests");
    expect(sent.map((r) => r.body)).toEqual([{ client_id: SAM }]);
    expect(sent[0]!.csrf).not.toBeNull();
    await expectAccessible(page);
  });
}
