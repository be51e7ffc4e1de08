import { expect, expectAccessible, test } from "./clinicianTest";
import { REPORT_CLIENT } from "../src/clinician/reportFixture";
import { ALEX, CLIENTS, JO } from "./fakeClinicianApi";

const HEADINGS = {
  en: { caseload: "Caseload", outcomes: "Service outcomes", show: "Show outcomes", suppressed: "Suppressed (fewer than 5 clients in the period or in one of its months)", teams: "Team caseloads", unnamed: "Client 000004 (name not added yet)" },
  cy: { caseload: "Llwyth achosion", outcomes: "Canlyniadau'r gwasanaeth", show: "Dangos canlyniadau", suppressed: "Wedi'i atal (llai na 5 o gleientiaid yn y cyfnod neu yn un o'i fisoedd)", teams: "Llwythi achosion y tîm", unnamed: "Cleient 000004 (heb ychwanegu enw eto)" },
};

for (const language of ["en", "cy"] as const) {
  const words = HEADINGS[language];

  test(`the caseload with a live safety signal meets WCAG 2.2 AA (${language})`, async ({ page, api }) => {
    api.locale = language;
    api.streamSignal = true;
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", language);
    await expect(page.getByRole("heading", { name: words.caseload, level: 1 })).toBeVisible();
    await expect(page.getByRole("rowheader", { name: "Sam" })).toBeVisible();
    await expect(page.getByRole("rowheader", { name: words.unnamed, exact: true })).toBeVisible();
    expect(await page.locator("main").innerText()).not.toContain(CLIENTS[1]); // in words, never by id
    await expect(page.getByRole("alert")).toBeVisible();
    await expectAccessible(page);
  });

  test(`the service outcomes meet WCAG 2.2 AA, a suppressed measure shown as suppressed (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.goto("/outcomes");
    await expect(page.getByRole("heading", { name: words.outcomes, level: 1 })).toBeVisible();
    await page.getByRole("button", { name: words.show }).click(); // the first of the supervisor's teams
    await expect(page.getByRole("table")).toBeVisible();
    await expect(page.getByRole("cell", { name: words.suppressed }).first()).toBeVisible();
    await expectAccessible(page);
  });
}

for (const language of ["en", "cy"] as const) {
  test(`a supervisor's team caseload, read-only with a team picker, meets WCAG 2.2 AA (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.goto("/team");
    const words = HEADINGS[language];
    await expect(page.getByRole("heading", { name: words.teams, level: 1 })).toBeVisible();
    await expect(page.getByRole("rowheader", { name: "Sam" })).toBeVisible();
    await expect(page.getByRole("table").getByRole("link")).toHaveCount(0); // no client's record behind a team's row
    await expect(page.getByRole("combobox")).toHaveCount(1);
    await expectAccessible(page);
  });

  test(`a client's report with its charts and tables meets WCAG 2.2 AA (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.goto(`/clients/${REPORT_CLIENT}`);
    await expect(page.locator("html")).toHaveAttribute("lang", language);
    await expect(page.getByRole("img").first()).toBeVisible();
    // The goal's status, achievement, agreement step and history action in words, never the services' codes.
    const words = {
      en: ["Agreed and under way", "Getting better", "Response recorded", "Proposed a change"],
      cy: ["Wedi'i gytuno ac ar y gweill", "Yn gwella", "Ymateb wedi'i gofnodi", "Cynnig newid"],
    }[language];
    for (const word of words) await expect(page.getByText(word, { exact: true })).toBeVisible();
    for (const code of ["GoalAgreementRecorded", "proposed revision", "improving"]) await expect(page.getByText(code)).toHaveCount(0);
    await expectAccessible(page);
  });
}

for (const [language, phq, gad] of [
  ["en", /^PHQ-9 chart: 2 scores, latest 9 \(Mild\)/, /^GAD-7 chart: 3 scores, latest 16 \(Severe\)/],
  ["cy", /^Siart PHQ-9: 2 sgôr, y diwethaf 9 \(Ysgafn\)/, /^Siart GAD-7: 3 sgôr, y diwethaf 16 \(Difrifol\)/],
] as const) {
  test(`a client's PHQ-9 and GAD-7 charts show their bands, caseness and reliable change, fit a phone and are accessible (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/clients/${REPORT_CLIENT}`);
    const phqChart = page.getByRole("img", { name: phq });
    const gadChart = page.getByRole("img", { name: gad });
    await expect(phqChart).toBeVisible();
    await expect(gadChart).toBeVisible();
    await expect(phqChart.locator("[data-band]")).toHaveCount(5);
    await expect(gadChart.locator(".reliable-deterioration[data-response]")).toHaveCount(1);
    // The chart scales to the phone's width rather than overflowing it.
    const box = await phqChart.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await expectAccessible(page);
  });
}

test("the reviews screen gives each suggested goal's reason and a way to act, accessibly", async ({ page, api }) => {
  void api;
  await page.goto("/reviews");
  await expect(page.getByText("No entries for 28 days — a chance to check in together")).toBeVisible();
  await expect(page.getByText("no_progress_for_28_days")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "See the goal and act" })).toBeVisible();
  await expectAccessible(page);
});

test("a client's report says why a review is suggested in plain words, never the service's code, accessibly", async ({ page, api }) => {
  void api;
  await page.goto(`/clients/${REPORT_CLIENT}`);
  await expect(page.getByText("No entries for 28 days — a chance to check in together")).toBeVisible();
  await expect(page.getByText("no_progress_for_28_days")).toHaveCount(0);
  await expectAccessible(page);
});

const EPISODE_WORDS = {
  en: { sam: "Episode of Sam", unnamed: "Episode of client 000004 (name not added yet)", people: ["Sam", "You", "Jo"], jo: "Family (parent)" },
  cy: { sam: "Cyfnod Sam", unnamed: "Cyfnod cleient 000004 (heb ychwanegu enw eto)", people: ["Sam", "Chi", "Jo"], jo: "Teulu (parent)" },
};

for (const language of ["en", "cy"] as const) {
  test(`care episodes name each person, never by id, and meet WCAG 2.2 AA (${language})`, async ({ page, api }) => {
    api.locale = language;
    const words = EPISODE_WORDS[language];
    await page.goto("/episodes");
    const sam = page.getByRole("region", { name: words.sam });
    await expect(sam.getByRole("rowheader")).toHaveText(words.people);
    await expect(sam.getByRole("row", { name: /^Jo/ })).toContainText(words.jo);
    await expect(page.getByRole("region", { name: words.unnamed, exact: true })).toBeVisible();
    const text = await page.locator("main").innerText();
    for (const id of [...CLIENTS, ALEX, JO]) expect(text).not.toContain(id);
    await expectAccessible(page);
  });
}

const DELIVERY = {
  en: { group: "Updates about your clients", digest: "Together in one daily digest", save: "Save settings", saved: "Settings saved." },
  cy: { group: "Diweddariadau am eich cleientiaid", digest: "Gyda'i gilydd mewn un crynodeb dyddiol", save: "Cadw'r gosodiadau", saved: "Gosodiadau wedi'u cadw." },
};

for (const language of ["en", "cy"] as const) {
  test(`a therapist's settings offer a daily digest of updates, saved through the API, and meet WCAG 2.2 AA (${language})`, async ({ page, api }) => {
    api.locale = language;
    const words = DELIVERY[language];
    await page.goto("/settings");
    const group = page.getByRole("group", { name: words.group });
    await expect(group.getByRole("radio", { name: words.digest })).not.toBeChecked();
    await expectAccessible(page);
    await group.getByRole("radio", { name: words.digest }).check();
    await page.getByRole("button", { name: words.save }).click();
    await expect(page.getByText(words.saved)).toBeVisible();
    expect(api.clinicianDelivery).toBe("digest");
    await expect(page.getByRole("group", { name: words.group }).getByRole("radio", { name: words.digest })).toBeChecked();
  });
}

test("a client opens from the caseload", async ({ page, api }) => {
  void api;
  await page.goto("/");
  await page.getByRole("link", { name: "Sam", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Sam", level: 1 })).toBeVisible();
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

test("a supervisor of two teams picks the other team and sees its caseload, and no client's record is fetched", async ({ page, api }) => {
  void api;
  const asked: string[] = [];
  page.on("request", (request) => asked.push(new URL(request.url()).pathname));
  await page.goto("/team");
  await expect(page.getByRole("rowheader", { name: "Sam" })).toBeVisible();
  await page.getByRole("combobox", { name: "Team" }).selectOption({ label: "Team 2 (d0000000)" });
  await expect(page.getByText("No clients match these choices.")).toBeVisible();
  // Read-only means the figures alone: no report, check-in or goal of a client reaches a supervisor's browser.
  expect(asked.filter((p) => /\/(clients|goals)\//.test(p))).toEqual([]);
});

// The page itself never scrolls sideways on a phone: wide tables scroll inside their own region.
for (const [screen, path] of [
  ["the caseload", "/"],
  ["the team caseload", "/team"],
  ["a client's page", `/clients/${REPORT_CLIENT}`],
  ["the reviews", "/reviews"],
  ["the episodes", "/episodes"],
  ["the service outcomes", "/outcomes"],
] as const) {
  test(`${screen} is no wider than a 390 px phone`, async ({ page, api }) => {
    void api;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    if (path === "/outcomes") {
      await page.getByRole("button", { name: "Show outcomes" }).click();
      await expect(page.getByRole("table")).toBeVisible();
    } else if (path === "/reviews") {
      await expect(page.getByRole("link", { name: "See the goal and act" })).toBeVisible();
    } else if (path !== "/episodes") {
      await expect(page.getByRole("table").first()).toBeVisible();
    }
    if (path.startsWith("/clients/")) await expect(page.getByRole("table", { name: /Every version/ })).toBeVisible();
    await page.evaluate(() => document.fonts.ready);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
    expect(widths.window).toBe(390);
    expect(widths.page).toBeLessThanOrEqual(widths.window);
  });
}

test("the caseload shows an early warning with its suggested next step, reached with the keyboard alone", async ({ page, api }) => {
  void api;
  await page.goto("/");
  const row = page.getByRole("rowheader", { name: HEADINGS.en.unnamed, exact: true }).locator("xpath=ancestor::tr");
  await expect(row.getByText("Their session feedback is falling.")).toBeVisible();
  await expect(row.getByText("Next step: talk about it at the next session.")).toBeVisible();
  // The client's record is a keyboard stop in the row: Tab reaches it (the warning is text, not a control).
  const link = page.getByRole("link", { name: "Sam", exact: true });
  for (let i = 0; i < 40 && !(await link.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(link).toBeFocused();
  await expectAccessible(page);
});
