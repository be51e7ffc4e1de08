import { type Locator, type Page } from "@playwright/test";
import { expect, expectAccessible, test } from "./clinicianTest";
import { REPORT_CLIENT } from "../src/clinician/reportFixture";

// What fits where, measured in the browser: the caseload's columns at a laptop's 1280 px, the client page's table of
// values at a 390 px phone, in English and in (longer) Welsh. Each test sets its own window size, so none is named to
// match the desktop project's grep (playwright.config.ts): one run each.

/** The page itself never scrolls sideways. */
async function expectNoSidewaysPage(page: Page, width: number) {
  await page.evaluate(() => document.fonts.ready);
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
  expect(widths.window).toBe(width);
  expect(widths.page).toBeLessThanOrEqual(widths.window);
}

/** `inner`'s box lies within `outer`'s (a pixel's rounding allowed). */
async function expectWithin(inner: Locator, outer: Locator) {
  const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
  expect(a!.x).toBeGreaterThanOrEqual(b!.x - 1);
  expect(a!.x + a!.width).toBeLessThanOrEqual(b!.x + b!.width + 1);
}

const CASELOAD = {
  en: { caption: "Your clients, Client (ascending)", needs: "What needs you", step: "Next step: talk about it at the next session." },
  cy: { caption: "Eich cleientiaid, Cleient (esgynnol)", needs: "Beth sydd angen sylw", step: "Y cam nesaf: siarad amdano yn y sesiwn nesaf." },
};

const VALUES = {
  en: { caption: "Values recorded for this goal", last: "Recorded by", role: "therapist" },
  cy: { caption: "Gwerthoedd a gofnodwyd ar gyfer y nod hwn", last: "Cofnodwyd gan", role: "therapist" },
};

for (const language of ["en", "cy"] as const) {
  test(`at a 1280 px window every caseload column shows, the warnings last, with nothing scrolling sideways; axe-core finds nothing (${language})`, async ({ page, api }) => {
    api.locale = language;
    const words = CASELOAD[language];
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto("/");
    const region = page.getByRole("main").getByRole("region", { name: words.caption, exact: true });
    const needs = region.getByRole("columnheader", { name: words.needs, exact: true });
    // The early warning's next step, the last words of the last column.
    const step = region.getByText(words.step, { exact: true });
    await expect(needs).toBeVisible();
    await expect(step).toBeVisible();
    await expectNoSidewaysPage(page, 1280);
    // Nothing is hidden behind the table's own scrolling either: the last column and its warning lie inside it.
    const scrolling = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(scrolling.scroll).toBeLessThanOrEqual(scrolling.client);
    await expectWithin(needs, region);
    await expectWithin(step, region);
    expect((await needs.boundingBox())!.x + (await needs.boundingBox())!.width).toBeLessThanOrEqual(1280);
    await expectAccessible(page);
  });

  test(`on a 390 px phone the caseload scrolls inside its own named, keyboard-reachable region, never the page (${language})`, async ({ page, api }) => {
    api.locale = language;
    const words = CASELOAD[language];
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/");
    const region = page.getByRole("main").getByRole("region", { name: words.caption, exact: true });
    await expect(region.getByRole("columnheader", { name: words.needs, exact: true })).toBeAttached();
    await expect(region).toHaveAttribute("tabindex", "0");
    await expectNoSidewaysPage(page, 390);
    await expectWithin(region, page.getByRole("main"));
    await region.focus();
    await expect(region).toBeFocused();
  });

  test(`on a 390 px phone a goal's table of values fits its card, every column in view; axe-core finds nothing (${language})`, async ({ page, api }) => {
    api.locale = language;
    const words = VALUES[language];
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/clients/${REPORT_CLIENT}`);
    const card = page.getByRole("main").getByRole("region", { name: words.caption, exact: true });
    const table = card.getByRole("table", { name: words.caption, exact: true });
    const last = table.getByRole("columnheader", { name: words.last, exact: true });
    await expect(table.getByRole("cell", { name: words.role, exact: true })).toBeVisible();
    await expectNoSidewaysPage(page, 390);
    await expectWithin(card, page.getByRole("main"));
    await expectWithin(table, card);
    await expectWithin(last, card);
    await expectAccessible(page);
  });
}
