import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { EPISODE, FakeApi, SESSION } from "./fakeApi";

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

const PATH = `/feedback/${EPISODE}/${SESSION}`;

test("the session feedback check meets WCAG 2.2 AA", async ({ page, api }) => {
  void api;
  await page.goto(PATH);
  await expect(page.getByRole("heading", { name: "How was today's session?", level: 1 })).toBeVisible();
  await expectAccessible(page);
});

test("a young person answers the session feedback check on a phone with the keyboard alone, once", async ({ page, api }) => {
  await page.goto(PATH);
  await expect(page.getByRole("group", { name: "I felt heard and respected" })).toBeVisible();
  // From the page's first focusable element: Tab until the first question's first choice has the focus.
  const first = page.getByRole("radio", { name: "0" }).first();
  for (let i = 0; i < 30 && !(await first.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(first).toBeFocused();
  for (const [i, answer] of [8, 6, 7, 7].entries()) {
    if (i > 0) await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    for (let step = 0; step < answer; step++) await page.keyboard.press("ArrowRight");
  }
  await page.keyboard.press("Tab");
  await page.keyboard.type("Felt a bit rushed");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Send" })).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(page.getByRole("status").filter({ hasText: "Thank you" })).toBeVisible();
  const sent = api.received.filter((r) => r.method === "POST" && r.path.endsWith(`/sessions/${SESSION}/feedback`));
  expect(sent).toHaveLength(1);
  expect(sent[0]!.body).toEqual({ scores: { heard: 8, what_i_wanted: 6, way_we_worked: 7, overall: 7 }, comment: "Felt a bit rushed" });
  expect(sent[0]!.csrf).toBe("csrf-e2e");

  // Opened again (the invitation's link): already answered, nothing to send twice.
  await page.goto(PATH);
  await expect(page.getByText("You've already answered for this session.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send" })).toHaveCount(0);
});
