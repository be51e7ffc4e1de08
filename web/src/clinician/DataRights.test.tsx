import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLanguage } from "../i18n";
import { renderScreen } from "../test/render";
import { DataRights } from "./DataRights";
import { erasureOf, exportOf, problem } from "./rightsFixture";
import { stubApi, THERAPIST } from "./testing";

const CLIENT = "5a000000-0000-4000-8000-000000000001";
const EXPORT_ID = "e7000000-0000-4000-8000-000000000001";
const REQUEST_ID = "e5000000-0000-4000-8000-000000000001";
const NONE = () => ({ items: [] });

afterEach(async () => {
  vi.unstubAllGlobals();
  await setLanguage("en");
});

function show() {
  renderScreen(<DataRights clientId={CLIENT} />);
}

describe("a client's data rights, for staff", () => {
  it("asks for the recorded request's reference next to its field when it is missing, then records the export with it and shows its progress", async () => {
    const user = userEvent.setup();
    const calls = stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": NONE,
      "POST /api/v1/goals/exports": ({ body }) =>
        (body as { request_reference?: string }).request_reference
          ? Response.json(exportOf(CLIENT, EXPORT_ID, 1), { status: 202 })
          : problem(422, "request_reference", "Staff must name the recorded request"),
      [`GET /api/v1/goals/exports/${EXPORT_ID}`]: () => exportOf(CLIENT, EXPORT_ID, 2),
    });
    show();
    const exportPart = within(await screen.findByRole("region", { name: "A copy of their data (subject access)" }));
    await user.click(exportPart.getByRole("button", { name: "Prepare the copy" }));
    const reference = exportPart.getByRole("textbox", { name: "Reference of the recorded request" });
    await waitFor(() => expect(reference).toHaveAttribute("aria-invalid", "true"));
    expect(reference).toHaveAccessibleDescription(/Please add the reference of the request/);

    await user.type(reference, "SAR-12");
    await user.click(exportPart.getByRole("button", { name: "Prepare the copy" }));
    expect(await exportPart.findByText("Preparing the copy: 2 of 4 parts done.")).toBeVisible();
    expect(exportPart.getByRole("progressbar", { name: "Preparing the copy" })).toHaveAttribute("max", "4");
    expect(exportPart.getByRole("button", { name: "Prepare the copy" })).toBeDisabled(); // one export at a time
    expect(reference).not.toHaveAttribute("aria-invalid");
    const posts = calls.filter((c) => c.method === "POST").map((c) => c.body);
    expect(posts).toEqual([{ client_id: CLIENT }, { client_id: CLIENT, request_reference: "SAR-12" }]);
  });

  it("offers the whole export as one download once every part is ready", async () => {
    stubApi({
      "GET /api/v1/goals/exports": () => ({ items: [exportOf(CLIENT, EXPORT_ID, 4)] }),
      [`GET /api/v1/goals/exports/${EXPORT_ID}`]: () => exportOf(CLIENT, EXPORT_ID, 4),
      "GET /api/v1/goals/erasure-requests": NONE,
    });
    show();
    expect(await screen.findByText("The copy for request SAR-12 is ready to download.")).toBeVisible();
    const archive = screen.getByRole("link", { name: "Download the copy (zip)" });
    expect(archive).toHaveAttribute("href", `/api/v1/exports/archive?export_id=${EXPORT_ID}`);
    expect(archive).toHaveAttribute("download");
  });

  it("says plainly what an erasure does before recording it, records nothing on going back, then shows the request waiting", async () => {
    const user = userEvent.setup();
    let recorded = false;
    const calls = stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": () => ({
        items: recorded ? [erasureOf(CLIENT, REQUEST_ID, THERAPIST.subject)] : [],
      }),
      "POST /api/v1/goals/erasure-requests": () => {
        recorded = true;
        return Response.json(erasureOf(CLIENT, REQUEST_ID, THERAPIST.subject), { status: 202 });
      },
    });
    show();
    const erasure = within(await screen.findByRole("region", { name: "Erasing their data" }));
    await user.type(erasure.getByRole("textbox", { name: "Reference of the recorded request" }), "DPA-3");
    await user.click(erasure.getByRole("button", { name: "Record an erasure request" }));
    const confirm = within(erasure.getByRole("group", { name: "Before you record this request" }));
    expect(confirm.getByText(/clinical records .* are kept, as the law requires, but restricted/)).toBeVisible();
    expect(confirm.getByText(/Data that only the app holds .* is erased/)).toBeVisible();
    expect(confirm.getByText(/analytics is broken for good/)).toBeVisible();
    expect(confirm.getByText(/A supervisor of their team decides/)).toBeVisible();
    await user.click(confirm.getByRole("button", { name: "Go back" }));
    expect(erasure.queryByRole("group")).toBeNull();
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);

    await user.click(erasure.getByRole("button", { name: "Record an erasure request" }));
    await user.click(erasure.getByRole("button", { name: "Yes, record the request" }));
    expect(await erasure.findByText("The erasure request is recorded. It now waits for a supervisor's decision.")).toBeVisible();
    expect(await erasure.findByText("Waiting for a supervisor's decision")).toBeVisible();
    expect(erasure.getByText(/^you on /)).toBeVisible();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ client_id: CLIENT, request_reference: "DPA-3" }]);
  });

  it("shows an erasure refused for want of a reference next to the reference field, in Welsh too", async () => {
    await setLanguage("cy");
    const user = userEvent.setup();
    stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": NONE,
      "POST /api/v1/goals/erasure-requests": () => problem(422, "request_reference", "Staff must name the recorded request"),
    });
    show();
    const erasure = within(await screen.findByRole("region", { name: "Dileu ei ddata" }));
    await user.click(erasure.getByRole("button", { name: "Cofnodi cais i ddileu" }));
    await user.click(erasure.getByRole("button", { name: "Ie, cofnodi'r cais" }));
    const reference = erasure.getByRole("textbox", { name: "Cyfeirnod y cais a gofnodwyd" });
    await waitFor(() => expect(reference).toHaveAttribute("aria-invalid", "true"));
    expect(reference).toHaveAccessibleDescription(/Ychwanegwch gyfeirnod y cais/);
  });

  it("shows the newest requests first and the older ones a page at a time when asked, each once", async () => {
    const user = userEvent.setup();
    const older = "e5000000-0000-4000-8000-000000000009";
    const calls = stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": ({ query }) =>
        query.get("cursor") === "next"
          ? { items: [erasureOf(CLIENT, older, THERAPIST.subject, { requested_at: "2026-10-01T09:00:00Z" })], next_cursor: null }
          : { items: [erasureOf(CLIENT, REQUEST_ID, THERAPIST.subject)], next_cursor: "next" },
    });
    show();
    const erasure = within(await screen.findByRole("region", { name: "Erasing their data" }));
    const list = await erasure.findByRole("list", { name: "Their erasure requests, newest first:" });
    expect(within(list).getAllByRole("listitem").filter((li) => li.parentElement === list)).toHaveLength(1);

    await user.click(erasure.getByRole("button", { name: "Show more requests" }));

    await waitFor(() => expect(within(list).getAllByRole("listitem").filter((li) => li.parentElement === list)).toHaveLength(2));
    expect(erasure.queryByRole("button", { name: "Show more requests" })).toBeNull();
    const asked = calls.filter((c) => c.path === "/api/v1/goals/erasure-requests").map((c) => c.query.get("cursor"));
    expect(asked).toEqual([null, "next"]);
  });

  it("shows who decided an approved erasure and each service's completion", async () => {
    stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": () => ({
        items: [erasureOf(CLIENT, REQUEST_ID, THERAPIST.subject, { decision: "approved", applied: 2 })],
      }),
    });
    show();
    expect(await screen.findByText(/^Approved by a supervisor on /)).toBeVisible();
    const services = within(screen.getByRole("list", { name: "Being carried out in each part of the service:" }));
    expect(services.getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^Goals and care episodes: done on /),
      expect.stringMatching(/^Progress, check-ins and questionnaires: done on /),
      "Messages and settings: not yet",
      "Reports and health record: not yet",
    ]);
  });

  it("lists every erasure request about the client, newest first, with a lifted restriction said plainly", async () => {
    const older = "e5000000-0000-4000-8000-000000000002";
    stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": ({ query }) => {
        expect(query.get("client_id")).toBe(CLIENT);
        return {
          items: [
            erasureOf(CLIENT, REQUEST_ID, CLIENT, { reference: null, requested_at: "2026-11-28T09:00:00Z", roles: ["client"] }),
            erasureOf(CLIENT, older, THERAPIST.subject, { decision: "approved", applied: 4, lifted_at: "2026-11-28T11:00:00Z" }),
          ],
        };
      },
    });
    show();
    const list = within(await screen.findByRole("list", { name: "Their erasure requests, newest first:" }));
    const [newest, lifted] = list.getAllByRole("region");
    expect(newest).toHaveAccessibleName(/^Request of 28/);
    expect(within(newest!).getByText(/^the young person on /)).toBeVisible();
    expect(within(newest!).getByText("Waiting for a supervisor's decision")).toBeVisible();
    expect(lifted).toHaveAccessibleName(/^Request of 27/);
    expect(within(lifted!).getByText("DPA-3")).toBeVisible();
    expect(within(lifted!).getByText(/^Approved by a supervisor on /)).toBeVisible();
    expect(within(lifted!).getByText(/^Lifted on .*: their records can be seen and used again$/)).toBeVisible();
    expect(list.queryByRole("button", { name: "Lift the restriction" })).toBeNull(); // may_lift is false for everyone here
  });

  it("lets a supervisor lift an approved request's restriction after saying what that does, with the reason's refusal at its field", async () => {
    const user = userEvent.setup();
    let lifted: string | null = null;
    const calls = stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": () => ({
        items: [erasureOf(CLIENT, REQUEST_ID, THERAPIST.subject, { decision: "approved", applied: 4, may_lift: !lifted, lifted_at: lifted })],
      }),
      [`POST /api/v1/goals/erasure-requests/${REQUEST_ID}/restriction-lift`]: ({ body }) => {
        const reason = (body as { reason: string }).reason;
        if (!reason) return problem(422, "body.reason", "String should have at least 1 character");
        lifted = "2026-11-28T12:00:00Z";
        return { request_id: REQUEST_ID, client_id: CLIENT, lifted_by: THERAPIST.subject, lifted_by_roles: ["supervisor"], lifted_at: lifted, reason };
      },
    });
    show();
    const erasure = within(await screen.findByRole("region", { name: "Erasing their data" }));
    await user.click(await erasure.findByRole("button", { name: "Lift the restriction" }));
    const form = within(erasure.getByRole("form", { name: "Lifting the restriction" }));
    expect(form.getByText(/can be seen and used again for their care/)).toBeVisible();
    expect(form.getByText(/What was erased stays erased/)).toBeVisible();
    const reason = form.getByRole("textbox", { name: "Why the restriction ends" });
    await user.click(form.getByRole("button", { name: "Yes, lift the restriction" }));
    await waitFor(() => expect(reason).toHaveAttribute("aria-invalid", "true"));
    expect(reason).toHaveAccessibleDescription(/Please say why the restriction ends/);
    expect(form.getByRole("alert")).toHaveTextContent("Please say why the restriction ends");

    await user.type(reason, "The disputed entry was corrected");
    await user.click(form.getByRole("button", { name: "Yes, lift the restriction" }));
    expect(await erasure.findByRole("status")).toHaveTextContent("The restriction is lifted. Their records can be seen and used again.");
    expect(await erasure.findByText(/^Lifted on /)).toBeVisible();
    expect(erasure.queryByRole("button", { name: "Lift the restriction" })).toBeNull();
    const posts = calls.filter((c) => c.method === "POST").map((c) => c.body);
    expect(posts).toEqual([{ reason: "" }, { reason: "The disputed entry was corrected" }]);
  });

  it("shows a lift the goals service refuses as already done next to the reason, in Welsh too", async () => {
    await setLanguage("cy");
    const user = userEvent.setup();
    stubApi({
      "GET /api/v1/goals/exports": NONE,
      "GET /api/v1/goals/erasure-requests": () => ({
        items: [erasureOf(CLIENT, REQUEST_ID, THERAPIST.subject, { decision: "approved", applied: 4, may_lift: true })],
      }),
      [`POST /api/v1/goals/erasure-requests/${REQUEST_ID}/restriction-lift`]: () =>
        problem(409, "request_id", "The restriction is lifted already"),
    });
    show();
    await user.click(await screen.findByRole("button", { name: "Codi'r cyfyngiad" }));
    const reason = screen.getByRole("textbox", { name: "Pam mae'r cyfyngiad yn dod i ben" });
    await user.type(reason, "Cywirwyd");
    await user.click(screen.getByRole("button", { name: "Ie, codi'r cyfyngiad" }));
    await waitFor(() => expect(reason).toHaveAttribute("aria-invalid", "true"));
    expect(reason).toHaveAccessibleDescription(/wedi'i godi eisoes/);
  });
});
