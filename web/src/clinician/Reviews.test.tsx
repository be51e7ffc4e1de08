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

describe("reviews", () => {
  it("list only the goals the service suggests reviewing, each with its reason and a way to act", async () => {
    renderScreen(<Reviews />);
    expect(await screen.findByText(/no_progress_for_28_days/)).toBeInTheDocument();
    expect(screen.queryByText(/should_not_show/)).toBeNull();
    expect(screen.getByRole("link", { name: "See the goal and act" })).toHaveAttribute("href", `/clients/${REPORT_CLIENT}`);
    const asked = calls.find((c) => c.path === "/api/v1/reporting/caseload")!.query;
    expect(asked.get("due_for_review")).toBe("true");
  });
});
