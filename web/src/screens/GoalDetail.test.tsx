import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { keys } from "../api/hooks";
import { makeQueryClient } from "../api/queryClient";
import type { Goal } from "../api/types";
import { stubFetch } from "../test/fetchStub";
import { renderScreen } from "../test/render";
import GoalDetail from "./GoalDetail";

const GOAL_ID = "a0000000-0000-4000-8000-0000000000a1";
const KEPT = {
  goal_id: GOAL_ID,
  episode_id: "e0000000-0000-4000-8000-0000000000e1",
  client_id: "c0000000-0000-4000-8000-0000000000c1",
  status: "proposed",
  visibility: "shared",
  shared_with: [],
  pending_version: {
    number: 1,
    state: "proposed",
    content: {
      statement: "Cook a meal for the family on Sundays",
      measure: { kind: "goal_rating", minimum: 0, maximum: 10 },
      baseline: 2,
      target: 8,
      due_date: "2027-02-01",
      confidence: 6,
      milestones: [],
    },
    parties: [],
  },
  agreed_version: null,
} as unknown as Goal;

describe("a goal's page", () => {
  it("does not show what was kept of a goal the server now refuses (made private again)", async () => {
    stubFetch({
      [`GET /api/v1/goals/${GOAL_ID}`]: () => ({ status: 404, body: { title: "Not found", status: 404 } }),
    });
    const client = makeQueryClient();
    client.setQueryData(keys.goal(GOAL_ID), KEPT, { updatedAt: 0 }); // seen last week, kept on the device
    renderScreen(<GoalDetail />, { client, path: `/goals/${GOAL_ID}`, pattern: "/goals/:goalId" });

    expect(await screen.findByRole("heading", { name: "We couldn't find that page" })).toBeInTheDocument();
    expect(screen.queryByText("Cook a meal for the family on Sundays")).not.toBeInTheDocument();
  });
});
