import { expect, expectAccessible, test } from "./clinicianTest";
import { REPORT_CLIENT } from "../src/clinician/reportFixture";
import { EXPORT_ID } from "./fakeClinicianApi";

test("staff record a client's subject access export and erasure request on a recorded request, accessibly", async ({ page, api }) => {
  expect(api.erasures.some((e) => e.client_id === REPORT_CLIENT)).toBe(false);
  await page.goto(`/clients/${REPORT_CLIENT}`);
  const rights = page.getByRole("region", { name: "Data rights", exact: true });
  const copy = rights.getByRole("region", { name: "A copy of their data (subject access)" });
  await copy.getByRole("button", { name: "Prepare the copy" }).click();
  const reference = copy.getByRole("textbox", { name: "Reference of the recorded request" });
  await expect(reference).toHaveAccessibleDescription(/Please add the reference of the request/);
  await expectAccessible(page);

  await reference.fill("SAR-12");
  await copy.getByRole("button", { name: "Prepare the copy" }).click();
  await expect(copy.getByRole("status")).toHaveText("Preparing the copy: 2 of 4 parts done.");
  await expect(copy.getByRole("status")).toHaveText("The copy for request SAR-12 is ready to download.", { timeout: 10_000 });
  await expect(copy.getByRole("link", { name: "Download the copy (zip)" })).toHaveAttribute(
    "href",
    `/api/v1/exports/archive?export_id=${EXPORT_ID}`,
  );

  const erasure = rights.getByRole("region", { name: "Erasing their data" });
  await erasure.getByRole("textbox", { name: "Reference of the recorded request" }).fill("DPA-3");
  await erasure.getByRole("button", { name: "Record an erasure request" }).click();
  await expect(erasure.getByRole("group", { name: "Before you record this request" })).toBeVisible();
  await erasure.getByRole("button", { name: "Yes, record the request" }).click();
  await expect(erasure.getByText("The erasure request is recorded. It now waits for a supervisor's decision.")).toBeVisible();
  await expect(erasure.getByText("Waiting for a supervisor's decision", { exact: true })).toBeVisible();
  await expectAccessible(page);
});

for (const [language, words] of [
  ["en", { nav: "Erasure requests", approve: "Approve", yes: "Yes, approve the erasure" }],
  ["cy", { nav: "Ceisiadau i ddileu", approve: "Cymeradwyo", yes: "Ie, cymeradwyo'r dileu" }],
] as const) {
  test(`a supervisor approves a waiting erasure request another recorded, never their own, accessibly (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.goto(`/clients/${REPORT_CLIENT}`);
    // Alex records one himself first: it waits beside the other, without a choice for him.
    const erasure = page.getByRole("region", { name: language === "en" ? "Erasing their data" : "Dileu ei ddata", exact: true });
    await erasure.getByRole("textbox").fill("DPA-3");
    await erasure.getByRole("button").first().click();
    await erasure.getByRole("group").getByRole("button").first().click();
    await expect(erasure.getByRole("status")).toBeVisible();

    await page.getByRole("navigation").getByRole("link", { name: words.nav, exact: true }).click();
    const list = page.getByRole("list", { name: words.nav, exact: true });
    await expect(list.locator(":scope > li")).toHaveCount(2);
    const [own, other] = [list.locator(":scope > li").nth(0), list.locator(":scope > li").nth(1)];
    await expect(own.getByRole("heading", { name: "Sam", exact: true })).toBeVisible(); // by the name they prefer
    await expect(own.getByRole("button")).toHaveCount(0);
    await other.getByRole("button", { name: words.approve, exact: true }).click();
    await expectAccessible(page);
    await other.getByRole("button", { name: words.yes }).click();
    await expect(list.locator(":scope > li")).toHaveCount(1);
    await expect(list.getByRole("button")).toHaveCount(0);
    expect(api.erasures.find((e) => e.decision === "approved")?.client_id).not.toBe(REPORT_CLIENT);
  });
}
