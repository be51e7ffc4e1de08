import path from "node:path";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { REPORT_CLIENT } from "../src/clinician/reportFixture";
import { ACTIVE, FakeApi } from "./fakeApi";
import { erasureOf } from "../src/clinician/rightsFixture";
import { FakeClinicianApi, OTHER_THERAPIST } from "./fakeClinicianApi";

// The README's pictures of the main screens, taken with the fake APIs at the phone and the desktop size (one run per
// project in playwright.config.ts). Each waits for what the screen is there to show before the picture is taken.

/** docs/screenshots/<screen>-<phone|desktop>.png at the repository's root (testDir is web/e2e) when
 * ACCORD_UPDATE_SCREENSHOTS=1; otherwise the test's own output folder, so an ordinary test run (dates in the pictures
 * come from the clock) leaves the committed pictures alone. */
function shotPath(testInfo: TestInfo, screen: string): string {
  const size = testInfo.project.name === "desktop" ? "desktop" : "phone";
  const name = `${screen}-${size}.png`;
  if (process.env.ACCORD_UPDATE_SCREENSHOTS !== "1") return testInfo.outputPath(name);
  return path.join(testInfo.project.testDir, "..", "..", "docs", "screenshots", name);
}

/** What fits the window; `fullPage` where what the screen is for (the caseload's table) is below it. */
async function shoot(page: Page, testInfo: TestInfo, screen: string, fullPage = false): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: shotPath(testInfo, screen), fullPage, animations: "disabled", caret: "hide" });
}

async function asYoungPerson(page: Page, person: FakeApi["person"] = "sam"): Promise<void> {
  const api = new FakeApi();
  api.person = person;
  await api.install(page);
}

test("screenshot: the young person's Today", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Hi Sam" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Take the bus to college on my own three days a week" }).first()).toBeVisible();
  await shoot(page, testInfo, "today");
});

test("screenshot: writing a goal, with a SMART tip", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto("/goals/new");
  await expect(page.getByRole("heading", { name: "Write a goal" })).toBeVisible();
  await page.getByLabel("Your goal").fill("Go to the climbing wall with a friend every Saturday");
  const tip = page.getByText("Add a few words on why this goal matters to you.");
  await expect(tip).toBeVisible();
  await tip.scrollIntoViewIfNeeded();
  await shoot(page, testInfo, "goal-draft");
});

test("screenshot: a goal's page with its chart", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto(`/goals/${ACTIVE}`);
  await expect(page.getByText("3 recorded. First 2, latest 5, aiming for 8.").first()).toBeVisible();
  await shoot(page, testInfo, "goal");
});

test("screenshot: check-in", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto("/checkins");
  await expect(page.getByRole("heading", { name: "Check in", exact: true })).toBeVisible();
  await expect(page.getByText("Went to the park with Alex.")).toBeVisible();
  await shoot(page, testInfo, "checkin");
});

test("screenshot: the help-now panel after a PHQ-9", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto("/questionnaires");
  await page.getByRole("button", { name: "How you've been feeling (PHQ-9)" }).click();
  const groups = page.getByRole("group");
  for (let i = 0; i < 9; i++)
    await groups.nth(i).getByRole("radio", { name: i === 8 ? "Several days" : "Not at all" }).check();
  await page.getByRole("button", { name: "Send my answers" }).click();
  await expect(page.getByRole("heading", { name: "Help now" })).toBeFocused();
  await expect(page.getByRole("link", { name: /Samaritans/ })).toBeVisible();
  await shoot(page, testInfo, "help-now");
});

test("screenshot: the inbox", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto("/inbox");
  await expect(page.getByRole("heading", { name: "Inbox", exact: true })).toBeVisible();
  await expect(page.getByText("Something to celebrate")).toBeVisible();
  await shoot(page, testInfo, "inbox");
});

test("screenshot: settings", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Settings", exact: true })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Cymraeg" })).toBeVisible();
  await shoot(page, testInfo, "settings");
});

test("screenshot: the family member's home", async ({ page }, testInfo) => {
  await asYoungPerson(page, "jo");
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Shared with you" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Take the bus to college on my own three days a week" })).toBeVisible();
  await shoot(page, testInfo, "family");
});

test("screenshot: the therapist's caseload with a live safety signal", async ({ page }, testInfo) => {
  const api = new FakeClinicianApi();
  api.streamSignal = true;
  await api.install(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Caseload", level: 1 })).toBeVisible();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "Sam" })).toBeVisible();
  await shoot(page, testInfo, "caseload", true);
});

test("screenshot: a supervisor's team caseload", async ({ page }, testInfo) => {
  await new FakeClinicianApi().install(page);
  await page.goto("/team");
  await expect(page.getByRole("heading", { name: "Team caseloads", level: 1 })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "Sam" })).toBeVisible();
  await shoot(page, testInfo, "team-caseload", true);
});

test("screenshot: a client's page", async ({ page }, testInfo) => {
  await new FakeClinicianApi().install(page);
  await page.goto(`/clients/${REPORT_CLIENT}`);
  await expect(page.getByRole("img").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Download the FHIR export" })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Take the bus to college/ })).toBeVisible();
  await expect(page.getByText("Went to the park with Alex.")).toBeVisible();
  // The report is long: the picture starts at the progress chart, with the safety signals and goal just above it.
  await page.getByRole("heading", { name: "Safety signals" }).evaluate((heading) => heading.scrollIntoView({ block: "start" }));
  await shoot(page, testInfo, "client");
});

test("screenshot: a client's questionnaire scores with reliable change, and shared check-ins", async ({ page }, testInfo) => {
  await new FakeClinicianApi().install(page);
  await page.goto(`/clients/${REPORT_CLIENT}`);
  await expect(page.getByRole("cell", { name: "Reliable improvement" })).toBeVisible();
  await expect(page.getByText("Went to the park with Alex.")).toBeVisible();
  await page.getByRole("heading", { name: "PHQ-9 and GAD-7" }).evaluate((heading) => heading.scrollIntoView({ block: "start" }));
  await shoot(page, testInfo, "client-scores");
});

test("screenshot: the supervisor's service outcomes", async ({ page }, testInfo) => {
  await new FakeClinicianApi().install(page);
  await page.goto("/outcomes");
  await expect(page.getByRole("heading", { name: "Service outcomes", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Show outcomes" }).click(); // the first of the supervisor's teams
  await expect(page.getByRole("cell", { name: "Suppressed (fewer than 5 clients in the period or in one of its months)" }).first()).toBeVisible();
  await shoot(page, testInfo, "outcomes");
});

test("screenshot: a young person asking for their data to be erased", async ({ page }, testInfo) => {
  await asYoungPerson(page);
  await page.goto("/settings");
  const part = page.getByRole("region", { name: "Asking for your data to be erased", exact: true });
  await part.getByRole("button", { name: "Ask for my data to be erased" }).click();
  await expect(part.getByRole("group", { name: "Send your request?" })).toBeVisible();
  await part.getByRole("heading", { level: 2 }).evaluate((heading) => heading.scrollIntoView({ block: "start" }));
  await shoot(page, testInfo, "erasure-ask");
});

test("screenshot: a supervisor lifting a restriction on a client's page", async ({ page }, testInfo) => {
  const api = new FakeClinicianApi();
  api.erasures.push(
    erasureOf(REPORT_CLIENT, "e5000000-0000-4000-8000-000000000008", OTHER_THERAPIST, { decision: "approved", applied: 4, may_lift: true }),
  );
  await api.install(page);
  await page.goto(`/clients/${REPORT_CLIENT}`);
  const erasure = page.getByRole("region", { name: "Erasing their data", exact: true });
  await erasure.getByRole("button", { name: "Lift the restriction" }).click();
  await expect(erasure.getByRole("form", { name: "Lifting the restriction" })).toBeVisible();
  await erasure.getByRole("heading", { name: /^Request of / }).evaluate((heading) => heading.scrollIntoView({ block: "start" }));
  await shoot(page, testInfo, "erasure-lift");
});
