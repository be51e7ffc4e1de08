import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stubApi } from "../clinician/testing";
import { setLanguage } from "../i18n";
import { renderScreen } from "../test/render";
import { DownloadMyData } from "./DownloadMyData";
import { exportOf, SERVICES } from "../clinician/rightsFixture";

const SAM = { subject: "11111111-1111-1111-1111-111111111111", roles: ["client"], tenant_id: "t", name: "Sam", csrf_token: "c" };
const EXPORT_ID = "22222222-2222-2222-2222-222222222222";
function exportWith(ready: number) {
  return exportOf(SAM.subject, EXPORT_ID, ready, null);
}

afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  await setLanguage("en");
});

describe("download my data", () => {
  it("asks for the young person's own export, shows the parts ready of those expected, then a link per part", async () => {
    const user = userEvent.setup();
    let polls = 0;
    const calls = stubApi(
      {
        "POST /api/v1/goals/exports": () => Response.json(exportWith(1), { status: 202 }),
        [`GET /api/v1/goals/exports/${EXPORT_ID}`]: () => exportWith(++polls >= 2 ? 4 : 2),
      },
      SAM,
    );
    renderScreen(<DownloadMyData clientId={SAM.subject} />);
    await user.click(screen.getByRole("button", { name: "Prepare my data" }));
    expect(await screen.findByText(/of 4 parts done/)).toBeVisible();
    expect(screen.getByRole("progressbar", { name: "Getting your data ready" })).toHaveAttribute("max", "4");
    expect(screen.getByRole("button", { name: "Prepare my data" })).toBeDisabled(); // one export at a time

    expect(await screen.findByText("Your data is ready. Download it all in one file, or one part at a time.", {}, { timeout: 8000 })).toBeVisible();
    const archive = screen.getByRole("link", { name: "Download everything in one file (zip)" });
    expect(archive).toHaveAttribute("href", `/api/v1/exports/archive?export_id=${EXPORT_ID}`);
    expect(archive).toHaveAttribute("download");
    const parts = within(screen.getByRole("list", { name: "Or one part at a time:" })).getAllByRole("link");
    expect(parts.map((l) => l.getAttribute("href"))).toEqual(SERVICES.map((s) => `/api/v1/${s}/exports/${EXPORT_ID}/part`));
    expect(screen.getByRole("link", { name: "Download your goals and care episodes (records: 3)" })).toHaveAttribute("download");
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ client_id: SAM.subject });
  });

  it("finds the export in progress again after a reload and shows its links once it is ready", async () => {
    let polls = 0;
    const calls = stubApi(
      {
        "GET /api/v1/goals/exports": () => ({ items: [exportWith(2)] }),
        [`GET /api/v1/goals/exports/${EXPORT_ID}`]: () => exportWith(++polls >= 2 ? 4 : 2),
      },
      SAM,
    );
    renderScreen(<DownloadMyData clientId={SAM.subject} />);
    expect(await screen.findByText(/2 of 4 parts done/)).toBeVisible();
    expect(await screen.findByText("Your data is ready. Download it all in one file, or one part at a time.", {}, { timeout: 8000 })).toBeVisible();
    expect(screen.getAllByRole("link")).toHaveLength(5); // the whole export, and each of its four parts
    const found = calls.find((c) => c.path === "/api/v1/goals/exports")!.query;
    expect([found.get("client_id"), found.get("limit")]).toEqual([SAM.subject, "1"]); // only the newest is followed
    expect(calls.some((c) => c.method === "POST")).toBe(false); // nothing asked for again
  });

  it("says so when the export could not be started", async () => {
    const user = userEvent.setup();
    stubApi({ "POST /api/v1/goals/exports": () => Response.json({ title: "x", status: 500 }, { status: 500 }) }, SAM);
    renderScreen(<DownloadMyData clientId={SAM.subject} />);
    await user.click(screen.getByRole("button", { name: "Prepare my data" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Something went wrong");
  });

  it("speaks Welsh to a Welsh reader", async () => {
    await setLanguage("cy");
    stubApi({}, SAM);
    renderScreen(<DownloadMyData clientId={SAM.subject} />);
    expect(screen.getByRole("heading", { name: "Lawrlwytho fy nata" })).toBeVisible();
    expect(screen.getByRole("button", { name: "Paratoi fy nata" })).toBeVisible();
  });
});
