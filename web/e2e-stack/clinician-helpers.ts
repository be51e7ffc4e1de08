import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";

/** The demo people's subjects and the two teams, as the Python side knows them (accord.shared.devinfra.demo_users):
 * passed by the test or benchmark that starts the stack, so that nothing here repeats an id. */
export interface People {
  casey: string;
  morgan: string;
  alex: string;
  robin: string;
  kim: string;
  priya: string;
  team: string;
  other_team: string;
}

export function peopleFromEnv(): People | null {
  const raw = process.env.ACCORD_E2E_PEOPLE;
  return raw ? (JSON.parse(raw) as People) : null;
}

export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** A new browser context (its own cookies: one person), signed in through the development provider at `path`. */
export async function signedIn(browser: Browser, name: string, path = "/", options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(path); // no session: the app sends the person to the gateway's sign-in, then the provider's page
  await page.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(page).toHaveURL(new RegExp(`${path.replace(/\//g, "\\/")}$`));
  return page;
}

/** Records, in the page, when the safety-signal banner appears (Date.now(), the same clock as the test's): read
 * with `safetySignalSeenAt`. Installed before the app's own scripts run. */
export async function watchForSafetySignals(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __safetySignals: number[] };
    w.__safetySignals = [];
    let shown = 0;
    new MutationObserver(() => {
      const count = document.querySelectorAll(".safety-signals li").length;
      for (; shown < count; shown++) w.__safetySignals.push(Date.now());
      shown = Math.max(shown, count);
    }).observe(document, { childList: true, subtree: true });
  });
}

/** Reloads the caseload and returns how many unread safety signals it shows once its inbox has loaded. Counted from
 * the inbox's response, then awaited on the page: the response arrives before React renders it, so counting the list
 * as soon as the response is in can read 0 where the page is about to show one. */
export async function safetySignalsShownAfterReload(page: Page): Promise<number> {
  const inboxLoaded = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/notifications/inbox");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Caseload", level: 1 })).toBeVisible();
  const response = await inboxLoaded;
  expect(response.status()).toBe(200);
  const { items } = (await response.json()) as { items: { kind: string; read_at: string | null }[] };
  const unread = items.filter((item) => item.kind === "safety_signal" && item.read_at === null).length;
  await expect(page.locator(".safety-signals li")).toHaveCount(unread);
  return unread;
}

/** When the `n`th safety signal (1-based) appeared on the page, by the page's clock. */
export async function safetySignalSeenAt(page: Page, n: number): Promise<number> {
  const handle = await page.waitForFunction(
    (k) => (window as unknown as { __safetySignals: number[] }).__safetySignals[k - 1],
    n,
    { timeout: 60_000 },
  );
  return (await handle.jsonValue()) as number;
}

/** The young person fills in a PHQ-9 whose item 9 (thoughts of self-harm) is above 0, up to the last click. */
export async function fillPhq9WithItem9AboveZero(page: Page) {
  await page.goto("/questionnaires");
  await page.getByRole("button", { name: "How you've been feeling (PHQ-9)" }).click();
  const questions = page.locator("fieldset.question");
  await expect(questions).toHaveCount(9);
  for (let i = 0; i < 9; i++) await questions.nth(i).getByLabel(i === 8 ? "Several days" : "Not at all").check();
}

export const SEND_ANSWERS = "Send my answers";
