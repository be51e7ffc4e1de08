import { screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import { REPORT, REPORT_CLIENT, REPORT_GOAL } from "./reportFixture";
import Reviews from "./Reviews";
import { stubApi, type Seen } from "./testing";

const OTHER_GOAL = "90000000-0000-4000-8000-0000000000ff";
let calls: Seen[];
beforeEach(() => {
  const notDue = { ...REPORT.goals[0]!, goal_id: OTHER_GOAL, review_reasons: ["should_not_show"] };
  calls = stubApi({
    "GET /api/v1/reporting/caseload": () => ({
      items: [
        {
          client_id: REPORT_CLIENT,
          episode_ids: [],
          active_goals: 2,
          last_progress_at: null,
          goals_due_for_review: [REPORT_GOAL],
          unseen_safety_signals: 0,
          undelivered_safety_alerts: 0,
          milestones_reached_this_week: 0,
        },
      ],
      next_cursor: null,
    }),
    [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => ({ ...REPORT, goals: [...REPORT.goals, notDue] }),
  });
});
afterEach(() => vi.unstubAllGlobals());

function dueWith(reasons: string[]) {
  stubApi({
    "GET /api/v1/reporting/caseload": () => ({
      items: [
        {
          client_id: REPORT_CLIENT,
          episode_ids: [],
          active_goals: 1,
          last_progress_at: null,
          goals_due_for_review: [REPORT_GOAL],
          unseen_safety_signals: 0,
          undelivered_safety_alerts: 0,
          milestones_reached_this_week: 0,
        },
      ],
      next_cursor: null,
    }),
    [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => ({
      ...REPORT,
      goals: [{ ...REPORT.goals[0]!, review_reasons: reasons }],
    }),
  });
}

describe("reviews", () => {
  it("list only the goals the service suggests reviewing, each with its reason and a way to act", async () => {
    renderScreen(<Reviews />);
    expect(await screen.findByText("No entries for 28 days — a chance to check in together")).toBeInTheDocument();
    expect(screen.queryByText(/no_progress_for_28_days/)).toBeNull();
    expect(screen.queryByText(REPORT_GOAL)).toBeNull();
    expect(screen.getByText("A goal of this client, due 1 March 2027")).toBeInTheDocument();
    expect(screen.queryByText(/should_not_show|Suggested for review/)).toBeNull();
    expect(screen.getByRole("link", { name: "See the goal and act" })).toHaveAttribute("href", `/clients/${REPORT_CLIENT}`);
    const asked = calls.find((c) => c.path === "/api/v1/reporting/caseload")!.query;
    expect(asked.get("due_for_review")).toBe("true");
  });

  it("say every reason the reporting service can give in plain words, as a list, and an unknown one generically", async () => {
    dueWith(["no_recent_entry", "past_due", "review_interval_elapsed", "worsening", "something_new"]);
    renderScreen(<Reviews />);
    const reasons = await screen.findByRole("list", { name: "Why a review may help" });
    expect([...reasons.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "No entries for a while — a chance to check in together",
      "The goal's date has passed — a good moment to look at it again together",
      "Its review interval has come round — time to look at it together",
      "Recent ratings have gone the other way — worth talking through together",
      "Suggested for review",
    ]);
    expect(screen.queryByText(/no_recent_entry|past_due|something_new|[Mm]issed/)).toBeNull();
  });
});
