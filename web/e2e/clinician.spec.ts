import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { REPORT_CLIENT } from "../src/clinician/reportFixture";
import { CLIENTS, FakeClinicianApi, TEAM } from "./fakeClinicianApi";

const test = base.extend<{ api: FakeClinicianApi }>({
  api: async ({ page }, use) => {
    const api = new FakeClinicianApi();
    await api.install(page);
    await use(api);
  },
});

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

const HEADINGS = {
  en: { caseload: "Caseload", outcomes: "Service outcomes", show: "Show outcomes", team: "Team ID", suppressed: "Suppressed (fewer than 5 clients in the period or in one of its months)" },
  cy: { caseload: "Llwyth achosion", outcomes: "Canlyniadau'r gwasanaeth", show: "Dangos canlyniadau", team: "ID y tîm", suppressed: "Wedi'i atal (llai na 5 o gleientiaid yn y cyfnod neu yn un o'i fisoedd)" },
};

for (const language of ["en", "cy"] as const) {
  const words = HEADINGS[language];

  test(`the caseload with a live safety signal meets WCAG 2.2 AA (${language})`, async ({ page, api }) => {
    api.locale = language;
    api.streamSignal = true;
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", language);
    await expect(page.getByRole("heading", { name: words.caseload, level: 1 })).toBeVisible();
    await expect(page.getByRole("rowheader", { name: CLIENTS[0] })).toBeVisible();
    await expect(page.getByRole("alert")).toBeVisible();
    await expectAccessible(page);
  });

  test(`the service outcomes meet WCAG 2.2 AA, a suppressed measure shown as suppressed (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.goto("/outcomes");
    await expect(page.getByRole("heading", { name: words.outcomes, level: 1 })).toBeVisible();
    await page.getByRole("textbox", { name: words.team }).fill(TEAM);
    await page.getByRole("button", { name: words.show }).click();
    await expect(page.getByRole("table")).toBeVisible();
    await expect(page.getByRole("cell", { name: words.suppressed }).first()).toBeVisible();
    await expectAccessible(page);
  });
}

for (const language of ["en", "cy"] as const) {
  test(`a client's report with its charts and tables meets WCAG 2.2 AA (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.goto(`/clients/${REPORT_CLIENT}`);
    await expect(page.locator("html")).toHaveAttribute("lang", language);
    await expect(page.getByRole("img").first()).toBeVisible();
    await expectAccessible(page);
  });
}

test("the reviews screen gives each suggested goal's reason and a way to act, accessibly", async ({ page, api }) => {
  void api;
  await page.goto("/reviews");
  await expect(page.getByText("no_progress_for_28_days")).toBeVisible();
  await expect(page.getByRole("link", { name: "See the goal and act" })).toBeVisible();
  await expectAccessible(page);
});

test("a client opens from the caseload", async ({ page, api }) => {
  void api;
  await page.goto("/");
  await page.getByRole("link", { name: CLIENTS[0] }).click();
  await expect(page.getByRole("link", { name: "Download the FHIR export" })).toBeVisible();
});

test("a safety signal from the stream stays on the caseload until marked seen", async ({ page, api }) => {
  api.streamSignal = true;
  await page.goto("/");
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("follow your service's safety procedure");
  await alert.getByRole("button", { name: "Mark as seen" }).click();
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(api.signalRead).toBe(true);
});

test("the caseload is sorted from the keyboard", async ({ page, api }) => {
  void api;
  await page.goto("/");
  const header = page.getByRole("columnheader", { name: /^Active goals/ });
  await header.getByRole("button").focus();
  await page.keyboard.press("Enter");
  await expect(header).toHaveAttribute("aria-sort", "ascending");
  await page.keyboard.press("Enter");
  await expect(header).toHaveAttribute("aria-sort", "descending");
});
