import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { ACTIVE, FakeApi, PROPOSED } from "./fakeApi";

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

const SCREENS: [string, string][] = [
  ["/", "Hi Sam"],
  [`/goals/${ACTIVE}`, "Take the bus to college on my own three days a week"],
  [`/goals/${PROPOSED}`, "Speak up once in each seminar"],
  ["/goals/new", "Write a goal"],
  ["/checkins", "Your recent check-ins"],
  ["/questionnaires", "Questionnaires"],
  ["/inbox", "Inbox"],
  ["/settings", "Settings"],
  ["/help", "Help now"],
];

for (const [path, heading] of SCREENS) {
  test(`the young person's screen ${path} meets WCAG 2.2 AA`, async ({ page, api }) => {
    void api;
    await page.goto(path);
    await expect(page.getByRole("heading", { name: heading, exact: true }).first()).toBeVisible();
    await expectAccessible(page);
  });
}

test("the family member sees only the goal shared with them, with no way to record on it, accessibly", async ({ page, api }) => {
  api.person = "jo";
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Shared with you" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Take the bus to college on my own three days a week" })).toBeVisible();
  await expect(page.getByText("Speak up once in each seminar")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Record progress" })).toHaveCount(0);
  await expectAccessible(page);
});

test("a goal's progress and a step just reached show, the chart with words beside it", async ({ page, api }) => {
  void api;
  await page.goto(`/goals/${ACTIVE}`);
  await expect(page.getByText("You reached a step: Bus with Mum")).toBeVisible();
  await expect(page.getByText("3 recorded. First 2, latest 5, aiming for 8.").first()).toBeVisible();
});

test("progress is recorded with the keyboard alone and reaches the server once, with the CSRF token", async ({ page, api }) => {
  await page.goto(`/goals/${ACTIVE}`);
  await expect(page.getByRole("heading", { name: "Record progress" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to main content" })).toBeFocused();
  await page.keyboard.press("Enter");
  const rating = page.getByLabel(/How close do you feel to this goal/);
  for (let i = 0; i < 40 && !(await rating.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(rating).toBeFocused();
  await page.keyboard.type("6");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Saved. Nice one.")).toBeVisible();
  const sent = api.received.filter((r) => r.path === "/api/v1/progress/entries/batch");
  expect(sent).toHaveLength(1);
  expect(sent[0]!.csrf).toBe("csrf-e2e");
  expect(api.storedEntries.size).toBe(1);
});

test("progress recorded offline waits on the device and is sent once when the network returns", async ({ page, context, api }) => {
  await page.goto(`/goals/${ACTIVE}`);
  await expect(page.getByRole("heading", { name: "Record progress" })).toBeVisible();
  api.offline = true;
  await context.setOffline(true);
  await page.getByLabel(/How close do you feel to this goal/).fill("7");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Saved on this device. It'll be sent when you're back online.")).toBeVisible();
  await expect(page.getByText("Waiting to be sent: 1")).toBeVisible();
  expect(api.storedEntries.size).toBe(0);

  api.offline = false;
  await context.setOffline(false);
  await expect(page.getByText("Waiting to be sent: 1")).toHaveCount(0);
  expect(api.storedEntries.size).toBe(1);
  expect(api.received.filter((r) => r.path === "/api/v1/progress/entries/batch")).toHaveLength(1);
});

test("a PHQ-9 with item 9 above 0 brings the help-now panel at once, without a score", async ({ page, api }) => {
  void api;
  await page.goto("/questionnaires");
  await page.getByRole("button", { name: "How you've been feeling (PHQ-9)" }).click();
  const groups = page.getByRole("group");
  for (let i = 0; i < 9; i++)
    await groups.nth(i).getByRole("radio", { name: i === 8 ? "Several days" : "Not at all" }).check();
  await page.getByRole("button", { name: "Send my answers" }).click();
  await expect(page.getByRole("heading", { name: "Help now" })).toBeFocused();
  await expect(page.getByRole("link", { name: /Samaritans/ })).toBeVisible();
  await expect(page.locator("main")).not.toContainText(/moderate|14/);
  await expectAccessible(page);
});

test("the young person agrees a proposed goal with a comment", async ({ page, api }) => {
  await page.goto(`/goals/${PROPOSED}`);
  await expect(page.getByText("Sounds good to me")).toBeVisible();
  await page.getByLabel("A comment (optional)").fill("Let's try it");
  await page.route("**/api/v1/goals/*/agreements", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(api.goals()[1]) }),
  );
  const request = page.waitForRequest("**/api/v1/goals/*/agreements");
  await page.getByRole("button", { name: "I agree" }).click();
  expect((await request).postDataJSON()).toEqual({ decision: "agree", comment: "Let's try it" });
});

test("switching to Welsh in settings saves the preference and the app speaks Welsh", async ({ page, api }) => {
  await page.goto("/settings");
  await page.getByRole("radio", { name: "Cymraeg" }).check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("heading", { name: "Gosodiadau" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Heddiw", exact: true })).toBeVisible();
  expect(api.preferences.locale).toBe("cy");
  await expect(page.locator("html")).toHaveAttribute("lang", "cy");
  await expectAccessible(page);
});

test("a page that does not exist says so kindly, with the way back", async ({ page, api }) => {
  void api;
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { name: "We couldn't find that page" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to Today" })).toBeVisible();
});
