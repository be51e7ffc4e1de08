import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import ErasureDecisions from "./ErasureDecisions";
import { erasureOf } from "./rightsFixture";
import { stubApi, THERAPIST } from "./testing";

const PRIYA = { ...THERAPIST, subject: "5c000000-0000-4000-8000-000000000001", roles: ["supervisor"], name: "Priya" };
const CLIENT = "5a000000-0000-4000-8000-000000000001";
const OTHER_CLIENT = "5a000000-0000-4000-8000-000000000004";
const THEIRS = "e5000000-0000-4000-8000-000000000001";
const HERS = "e5000000-0000-4000-8000-000000000002";

afterEach(() => vi.unstubAllGlobals());

/** Each waiting request, scoped to the screen's list (the workspace's navigation is a list too). */
async function requests() {
  const list = await screen.findByRole("list", { name: "Erasure requests" });
  return within(list)
    .getAllByRole("listitem")
    .filter((li) => li.parentElement === list)
    .map((li) => within(li));
}

function waiting() {
  return {
    items: [
      erasureOf(CLIENT, THEIRS, THERAPIST.subject, { may_decide: true }),
      erasureOf(OTHER_CLIENT, HERS, PRIYA.subject, { roles: ["supervisor"] }),
    ],
  };
}

describe("a supervisor's erasure requests", () => {
  it("offers approve and refuse on requests others recorded, never on the supervisor's own", async () => {
    const calls = stubApi({ "GET /api/v1/goals/erasure-requests": waiting }, PRIYA);
    renderScreen(<ErasureDecisions />);
    const items = await requests();
    expect(items).toHaveLength(2);
    const [theirs, hers] = items;
    expect(theirs!.getByRole("button", { name: "Approve" })).toBeVisible();
    expect(theirs!.getByRole("button", { name: "Refuse" })).toBeVisible();
    expect(theirs!.getByText("Waiting for a supervisor's decision")).toBeVisible();
    expect(hers!.queryByRole("button")).toBeNull();
    expect(hers!.getByText("You recorded this request, so another supervisor of the team decides it.")).toBeVisible();
    const lists = calls.filter((c) => c.path === "/api/v1/goals/erasure-requests").map((c) => c.query.get("status"));
    expect(lists.sort()).toEqual(["restricted", "waiting"]); // the waiting ones, and the restrictions in place
  });

  it("approves only after saying what an approval does, and refuses at once", async () => {
    const user = userEvent.setup();
    let decided: string | null = null;
    const calls = stubApi(
      {
        "GET /api/v1/goals/erasure-requests": () => (decided ? { items: [] } : waiting()),
        [`POST /api/v1/goals/erasure-requests/${THEIRS}/decision`]: ({ body }) => {
          decided = (body as { decision: string }).decision;
          return erasureOf(CLIENT, THEIRS, THERAPIST.subject, { decision: "approved", applied: 1 });
        },
      },
      PRIYA,
    );
    renderScreen(<ErasureDecisions />);
    const [theirs] = await requests();
    await user.click(theirs!.getByRole("button", { name: "Approve" }));
    const confirm = within(theirs!.getByRole("group", { name: "Approving this request means:" }));
    expect(confirm.getByText(/kept, as the law requires, but restricted/)).toBeVisible();
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
    await user.click(confirm.getByRole("button", { name: "Go back" }));
    await user.click(theirs!.getByRole("button", { name: "Refuse" }));
    expect(await screen.findByText("No erasure requests are waiting for a decision.")).toBeVisible();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ decision: "refused" }]);
  });

  it("shows the older waiting requests when asked, after the newest", async () => {
    const user = userEvent.setup();
    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": ({ query }) =>
          query.get("status") !== "waiting"
            ? { items: [] }
            : query.get("cursor") === "older"
              ? { items: [erasureOf(OTHER_CLIENT, HERS, THERAPIST.subject, { may_decide: true })], next_cursor: null }
              : { items: [erasureOf(CLIENT, THEIRS, THERAPIST.subject, { may_decide: true })], next_cursor: "older" },
      },
      PRIYA,
    );
    renderScreen(<ErasureDecisions />);
    expect(await requests()).toHaveLength(1);

    await user.click(screen.getByRole("button", { name: "Show more requests" }));

    await waitFor(async () => expect(await requests()).toHaveLength(2));
    expect(screen.queryByRole("button", { name: "Show more requests" })).toBeNull();
  });

  it("says so when another supervisor decided first, rather than failing silently", async () => {
    const user = userEvent.setup();
    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": waiting,
        [`POST /api/v1/goals/erasure-requests/${THEIRS}/decision`]: () =>
          Response.json(
            { title: "Conflict", status: 409, detail: "The request is decided already", field: "decision" },
            { status: 409, headers: { "Content-Type": "application/problem+json" } },
          ),
      },
      PRIYA,
    );
    renderScreen(<ErasureDecisions />);
    const [theirs] = await requests();
    await user.click(theirs!.getByRole("button", { name: "Approve" }));
    await user.click(theirs!.getByRole("button", { name: "Yes, approve the erasure" }));
    expect(await theirs!.findByRole("alert")).toHaveTextContent("Someone has decided this request already.");
  });

  it("lists the restrictions in place the supervisor may lift, without a link to the hidden page, and lifts one with a reason", async () => {
    const user = userEvent.setup();
    let lifted = false;
    const calls = stubApi(
      {
        "GET /api/v1/goals/erasure-requests": ({ query }) =>
          query.get("status") !== "restricted" || lifted
            ? { items: [] }
            : { items: [erasureOf(CLIENT, THEIRS, THERAPIST.subject, { decision: "approved", applied: 4, may_lift: true })] },
        [`POST /api/v1/goals/erasure-requests/${THEIRS}/restriction-lift`]: () => {
          lifted = true;
          return { request_id: THEIRS, client_id: CLIENT, lifted_by: PRIYA.subject, lifted_by_roles: ["supervisor"], lifted_at: "2026-11-29T09:00:00Z", reason: "Corrected" };
        },
      },
      PRIYA,
    );
    renderScreen(<ErasureDecisions />);
    const restrictions = within(await screen.findByRole("region", { name: "Restrictions in place" }));
    const list = within(await restrictions.findByRole("list", { name: "Restrictions in place" }));
    expect(list.getAllByRole("region")).toHaveLength(1);
    expect(list.queryByRole("link")).toBeNull();
    await user.click(list.getByRole("button", { name: "Lift the restriction" }));
    await user.type(list.getByRole("textbox", { name: "Why the restriction ends" }), "Corrected");
    await user.click(list.getByRole("button", { name: "Yes, lift the restriction" }));
    expect(await restrictions.findByRole("status")).toHaveTextContent("The restriction is lifted.");
    expect(await restrictions.findByText("No restrictions are in place that you can lift.")).toBeVisible();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ reason: "Corrected" }]);
  });

  it("shows a restriction put in place by a request older than the newest fifty, and the older ones when asked", async () => {
    const user = userEvent.setup();
    const newer = Array.from({ length: 50 }, (_, i) =>
      erasureOf(OTHER_CLIENT, `e5000000-0000-4000-8000-1000000000${String(i).padStart(2, "0")}`, THERAPIST.subject, { decision: "refused" }),
    );
    const OLDER = "e5000000-0000-4000-8000-000000000003";
    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": ({ query }) =>
          query.get("status") === "waiting"
            ? { items: [] }
            : query.get("status") !== "restricted"
              ? { items: newer, next_cursor: "older" } // the newest fifty restrict nothing
              : query.get("cursor") === "older"
                ? { items: [erasureOf(OTHER_CLIENT, OLDER, THERAPIST.subject, { decision: "approved", applied: 4, may_lift: true, requested_at: "2025-01-02T10:00:00Z" })], next_cursor: null }
                : { items: [erasureOf(CLIENT, THEIRS, THERAPIST.subject, { decision: "approved", applied: 4, may_lift: true, requested_at: "2025-03-04T10:00:00Z" })], next_cursor: "older" },
      },
      PRIYA,
    );
    renderScreen(<ErasureDecisions />);
    const restrictions = within(await screen.findByRole("region", { name: "Restrictions in place" }));
    const list = within(await restrictions.findByRole("list", { name: "Restrictions in place" }));
    expect(list.getAllByRole("region")).toHaveLength(1);

    await user.click(restrictions.getByRole("button", { name: "Show more restrictions" }));

    await waitFor(() => expect(list.getAllByRole("region")).toHaveLength(2));
    expect(list.getAllByRole("button", { name: "Lift the restriction" })).toHaveLength(2);
    expect(restrictions.queryByRole("button", { name: "Show more restrictions" })).toBeNull();
  });

  it("says who lifts a restriction the supervisor may not lift, and says so when the restrictions cannot be loaded", async () => {
    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": ({ query }) =>
          query.get("status") === "restricted"
            ? { items: [erasureOf(OTHER_CLIENT, HERS, PRIYA.subject, { decision: "approved", applied: 4, roles: ["supervisor"] })] }
            : { items: [] },
      },
      PRIYA,
    );
    const first = renderScreen(<ErasureDecisions />);
    const list = within(await screen.findByRole("list", { name: "Restrictions in place" }));
    expect(list.getByText("A supervisor of this young person's team lifts this restriction.")).toBeVisible();
    expect(list.queryByRole("button")).toBeNull();
    first.unmount();

    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": ({ query }) =>
          query.get("status") === "restricted" ? Response.json({ title: "Oops", status: 500 }, { status: 500 }) : { items: [] },
      },
      PRIYA,
    );
    renderScreen(<ErasureDecisions />);
    const restrictions = within(await screen.findByRole("region", { name: "Restrictions in place" }));
    expect(await restrictions.findByRole("alert")).toHaveTextContent("We couldn't load the restrictions in place just now.");
  });
});
