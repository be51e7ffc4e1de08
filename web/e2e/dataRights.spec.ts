import { expect, expectAccessible, test } from "./clinicianTest";
import { REPORT_CLIENT } from "../src/clinician/reportFixture";
import { erasureOf } from "../src/clinician/rightsFixture";
import { EXPORT_ID, OTHER_THERAPIST } from "./fakeClinicianApi";

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

for (const [language, words] of [
  [
    "en",
    {
      rights: "Data rights",
      erasure: "Erasing their data",
      list: "Their erasure requests, newest first:",
      lift: "Lift the restriction",
      form: "Lifting the restriction",
      reason: "Why the restriction ends",
      needed: /Please say why the restriction ends/,
      done: "The restriction is lifted. Their records can be seen and used again.",
      lifted: /^Lifted on /,
    },
  ],
  [
    "cy",
    {
      rights: "Hawliau data",
      erasure: "Dileu ei ddata",
      list: "Ei geisiadau i ddileu, y diweddaraf yn gyntaf:",
      lift: "Codi'r cyfyngiad",
      form: "Codi'r cyfyngiad",
      reason: "Pam mae'r cyfyngiad yn dod i ben",
      needed: /Dywedwch pam mae'r cyfyngiad yn dod i ben/,
      done: "Mae'r cyfyngiad wedi'i godi. Gellir gweld a defnyddio ei gofnodion eto.",
      lifted: /^Codwyd ar /,
    },
  ],
] as const) {
  test(`a supervisor sees every erasure request about a client and lifts an approved one's restriction with the keyboard, accessibly (${language})`, async ({ page, api }) => {
    api.locale = language;
    const approved = "e5000000-0000-4000-8000-000000000008";
    api.erasures.push(
      erasureOf(REPORT_CLIENT, "e5000000-0000-4000-8000-000000000007", OTHER_THERAPIST, { requested_at: "2026-11-28T09:00:00Z" }),
      erasureOf(REPORT_CLIENT, approved, OTHER_THERAPIST, { decision: "approved", applied: 4, may_lift: true }),
    );
    await page.goto(`/clients/${REPORT_CLIENT}`);
    const erasure = page
      .getByRole("region", { name: words.rights, exact: true })
      .getByRole("region", { name: words.erasure, exact: true });
    const list = erasure.getByRole("list", { name: words.list, exact: true });
    await expect(list.locator(":scope > li")).toHaveCount(2); // newest first: the waiting one, then the approved one
    await expect(list.locator(":scope > li").first().getByRole("button")).toHaveCount(0);

    const lift = list.getByRole("button", { name: words.lift, exact: true });
    await lift.focus();
    await page.keyboard.press("Enter");
    const form = erasure.getByRole("form", { name: words.form, exact: true });
    const reason = form.getByRole("textbox", { name: words.reason, exact: true });
    await reason.focus();
    await page.keyboard.press("Tab"); // to "Yes, lift the restriction", the reason left empty
    await page.keyboard.press("Enter");
    await expect(reason).toHaveAttribute("aria-invalid", "true");
    await expect(reason).toHaveAccessibleDescription(words.needed);
    await expect(form.getByRole("alert")).toHaveText(words.needed);
    await expectAccessible(page);

    await reason.focus();
    await page.keyboard.type(language === "en" ? "The disputed entry was corrected" : "Cywirwyd y cofnod");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect(erasure.getByRole("status")).toHaveText(words.done);
    await expect(list.getByText(words.lifted)).toBeVisible();
    await expect(list.getByRole("button", { name: words.lift, exact: true })).toHaveCount(0);
    expect(api.erasures.find((e) => e.request_id === approved)?.lifted_at).not.toBeNull();
    await expectAccessible(page);
  });
}

// The client's page is hidden while their records are restricted: the supervisor's own screen lists the restrictions
// they may lift (in Welsh here; the client's page above runs in both languages, and Vitest covers the English words).
test("a supervisor lifts a restriction from the erasure requests screen, where the restricted client's page is not linked, accessibly (cy)", async ({ page, api }) => {
  api.locale = "cy";
  const approved = "e5000000-0000-4000-8000-000000000008";
  api.erasures.push(erasureOf(REPORT_CLIENT, approved, OTHER_THERAPIST, { decision: "approved", applied: 4, may_lift: true }));
  await page.goto("/erasure-requests");
  const restrictions = page.getByRole("region", { name: "Cyfyngiadau ar waith", exact: true });
  const item = restrictions.getByRole("list", { name: "Cyfyngiadau ar waith", exact: true }).locator(":scope > li");
  await expect(item).toHaveCount(1);
  await expect(item.getByRole("link")).toHaveCount(0);
  await item.getByRole("button", { name: "Codi'r cyfyngiad", exact: true }).click();
  await item.getByRole("textbox", { name: "Pam mae'r cyfyngiad yn dod i ben", exact: true }).fill("Cywirwyd y cofnod");
  await expectAccessible(page);
  await item.getByRole("button", { name: "Ie, codi'r cyfyngiad", exact: true }).click();
  await expect(restrictions.getByRole("status")).toHaveText("Mae'r cyfyngiad wedi'i godi. Gellir gweld a defnyddio ei gofnodion eto.");
  await expect(restrictions.getByText("Nid oes cyfyngiadau ar waith y gallwch eu codi.", { exact: true })).toBeVisible();
  await expectAccessible(page);
});

// What went at the end of the retention period: the table scrolls inside itself, the page never sideways (the mobile
// project is a 390 px phone).
for (const [language, words] of [
  ["en", { title: "Records removed at the end of their retention period", caption: "Removed care episodes, newest first", waiting: "Reports and health record: waiting", more: "Show more removals" }],
  ["cy", { title: "Cofnodion a ddilëwyd ar ddiwedd eu cyfnod cadw", caption: "Cyfnodau gofal a ddilëwyd, y diweddaraf yn gyntaf", waiting: "Adroddiadau a chofnod iechyd: yn aros", more: "Dangos rhagor o ddileadau" }],
] as const) {
  test(`a supervisor follows each part's removal of their teams' expired episodes and loads more, no wider than the screen, accessibly (${language})`, async ({ page, api }) => {
    api.locale = language;
    await page.goto("/erasure-requests");
    const removals = page.getByRole("region", { name: words.title, exact: true });
    const table = removals.getByRole("table", { name: words.caption, exact: true });
    await expect(table.getByRole("rowheader")).toHaveCount(2);
    await expect(table.getByRole("row").nth(1).getByText(words.waiting, { exact: true })).toBeVisible();
    await expectAccessible(page);

    await removals.getByRole("button", { name: words.more, exact: true }).click();
    await expect(table.getByRole("rowheader")).toHaveCount(3);
    await expect(removals.getByRole("button", { name: words.more, exact: true })).toHaveCount(0);
    await page.evaluate(() => document.fonts.ready);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    await expectAccessible(page);
  });
}
