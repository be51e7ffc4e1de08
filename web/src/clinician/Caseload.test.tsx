import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import Caseload from "./Caseload";
import { FakeEventSource, stubApi, type Seen } from "./testing";

function entry(client_id: string, overrides: object = {}) {
  return {
    client_id,
    client_name: NAMES[client_id] ?? null,
    episode_ids: [],
    active_goals: 1,
    last_progress_at: null,
    goals_due_for_review: [],
    unseen_safety_signals: 0,
    undelivered_safety_alerts: 0,
    milestones_reached_this_week: 0,
    ...overrides,
  };
}

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
const C = "cccccccc-0000-4000-8000-000000000003";
// Preferred names as the reporting service returns them; C's therapist has not entered one.
const NAMES: Record<string, string> = { [A]: "Ada", [B]: "Ben" };
const UNNAMED_C = "Client 000003 (name not added yet)";

/** Two pages: the first answers with a cursor to the second. */
function caseload(seen: Seen) {
  if (seen.query.get("cursor") === "page-2") return { items: [entry(C)], next_cursor: null };
  return { items: [entry(A), entry(B, { unseen_safety_signals: 1 })], next_cursor: "page-2" };
}

let calls: Seen[];
beforeEach(() => {
  vi.stubGlobal("EventSource", FakeEventSource);
  calls = stubApi({
    "GET /api/v1/reporting/caseload": caseload,
    "GET /api/v1/notifications/inbox": () => ({ items: [], next_cursor: null }),
  });
});
afterEach(() => vi.unstubAllGlobals());

const caseloadCalls = () => calls.filter((c) => c.path === "/api/v1/reporting/caseload");
const lastQuery = () => caseloadCalls().at(-1)!.query;

describe("the caseload", () => {
  it("shows each client of the page with what needs the therapist", async () => {
    renderScreen(<Caseload />);
    const table = await screen.findByRole("table");
    expect(within(table).getByRole("rowheader", { name: "Ada" })).toBeInTheDocument();
    const row = within(table).getByRole("rowheader", { name: "Ben" }).closest("tr")!;
    expect(within(row).getByText("Safety signal: act today")).toBeInTheDocument();
    expect(within(table).getAllByText("None yet")).toHaveLength(2);
  });

  it("shows an early warning in plain words with its suggested next step, and no score", async () => {
    calls = stubApi({
      "GET /api/v1/reporting/caseload": () => ({
        items: [
          entry(A, {
            warnings: [
              { kind: "goal_divergence", goal_id: "g1", suggested_step: "revisit_goal_together" },
              { kind: "feedback_falling", suggested_step: "talk_at_next_session" },
            ],
          }),
        ],
        next_cursor: null,
      }),
      "GET /api/v1/notifications/inbox": () => ({ items: [], next_cursor: null }),
    });
    renderScreen(<Caseload />);
    const table = await screen.findByRole("table");
    const row = within(table).getByRole("rowheader", { name: "Ada" }).closest("tr")!;
    const [divergence, falling] = within(row).getAllByRole("listitem");
    expect(divergence).toHaveTextContent(
      "You might see a goal differently from each other. Next step: revisit the goal together.",
    );
    expect(falling).toHaveTextContent("Their session feedback is falling. Next step: talk about it at the next session.");
  });

  it("asks the API to sort by a column, and by the same column descending on a second press", async () => {
    const user = userEvent.setup();
    renderScreen(<Caseload />);
    await screen.findByRole("table");
    expect(lastQuery().get("sort")).toBe("client_id");
    await user.click(screen.getByRole("button", { name: /^Last progress/ }));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("last_progress_at"));
    expect(screen.getByRole("columnheader", { name: /^Last progress/ })).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByRole("button", { name: /^Last progress/ }));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("-last_progress_at"));
    expect(screen.getByRole("columnheader", { name: /^Last progress/ })).toHaveAttribute("aria-sort", "descending");
  });

  it("sends only the filters that are on, and a days-without-progress filter as a number", async () => {
    const user = userEvent.setup();
    renderScreen(<Caseload />);
    await screen.findByRole("table");
    expect(lastQuery().has("due_for_review")).toBe(false);
    await user.click(screen.getByRole("checkbox", { name: "Goals suggested for review" }));
    await waitFor(() => expect(lastQuery().get("due_for_review")).toBe("true"));
    expect(lastQuery().has("unseen_safety_signals")).toBe(false);
    await user.type(screen.getByRole("spinbutton", { name: /many days/ }), "14");
    await waitFor(() => expect(lastQuery().get("no_progress_days")).toBe("14"));
  });

  it("tells clients without a preferred name apart by a short reference, never by their whole id", async () => {
    const D = "dddddddd-0000-4000-8000-0000009f3c2a";
    calls = stubApi({
      "GET /api/v1/reporting/caseload": () => ({ items: [entry(C), entry(D)], next_cursor: null }),
      "GET /api/v1/notifications/inbox": () => ({ items: [], next_cursor: null }),
    });
    renderScreen(<Caseload />);
    const table = await screen.findByRole("table");
    expect(within(table).getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual([
      UNNAMED_C,
      "Client 9F3C2A (name not added yet)",
    ]);
    for (const id of [C, D]) expect(document.body.textContent).not.toContain(id);
  });

  it("pages forward with the API's cursor and back to the first page, and starts again when the sort changes", async () => {
    const user = userEvent.setup();
    renderScreen(<Caseload />);
    await screen.findByRole("rowheader", { name: "Ada" });
    expect(screen.getByRole("button", { name: "Previous page" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByRole("rowheader", { name: UNNAMED_C })).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(C); // named in words, never by id
    expect(lastQuery().get("cursor")).toBe("page-2");
    expect(screen.getByRole("button", { name: "Next page" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByRole("rowheader", { name: "Ada" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByRole("rowheader", { name: UNNAMED_C });
    await user.click(screen.getByRole("button", { name: /^Active goals/ }));
    await screen.findByRole("rowheader", { name: "Ada" });
    expect(lastQuery().has("cursor")).toBe(false);
    expect(lastQuery().get("sort")).toBe("active_goals");
  });
});
