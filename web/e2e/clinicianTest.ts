import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { FakeClinicianApi } from "./fakeClinicianApi";

/** Playwright's `test` with the fake clinician API installed on the page: every clinician spec starts from it. */
export const test = base.extend<{ api: FakeClinicianApi }>({
  api: async ({ page }, use) => {
    const api = new FakeClinicianApi();
    await api.install(page);
    await use(api);
  },
});

export { expect };

/** No WCAG 2.2 AA violation that axe-core finds on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}
