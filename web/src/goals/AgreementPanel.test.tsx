import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Goal } from "../api/types";
import { stubFetch } from "../test/fetchStub";
import { renderScreen } from "../test/render";
import { AgreementPanel } from "./AgreementPanel";

const JO = "f0000000-0000-4000-8000-00000000000f";
const GOAL_ID = "a0000000-0000-4000-8000-0000000000a1";

function goalWhereJoSaid(status: "pending" | "agree" | "decline"): Goal {
  return {
    goal_id: GOAL_ID,
    episode_id: "e0000000-0000-4000-8000-0000000000e1",
    client_id: "c0000000-0000-4000-8000-0000000000c1",
    status: "proposed",
    fhir_lifecycle_status: "proposed",
    visibility: "shared",
    shared_with: [JO],
    outcome: null,
    agreed_version: null,
    revision: 3,
    pending_version: {
      number: 1,
      state: "proposed",
      content: {
        statement: "Cook a meal for the family on Sundays",
        category_code: "daily_living",
        measure: { kind: "goal_rating", minimum: 0, maximum: 10 },
        baseline: 2,
        target: 8,
        direction: "increase",
        due_date: "2027-02-01",
        review_interval_days: 14,
        confidence: 6,
      },
      created_by: "c0000000-0000-4000-8000-0000000000c1",
      created_at: "2026-11-20T09:00:00Z",
      change_reason: null,
      proposed_at: "2026-11-20T09:00:00Z",
      agreed_at: null,
      smart_override_reason: null,
      parties: [
        {
          person_id: JO,
          role: "family",
          status,
          agreement: status === "pending" ? null : { decision: status, comment: "Every other Sunday?", at: "2026-11-21T09:00:00Z" },
        },
      ],
    },
  } as Goal;
}

describe("agreeing a goal", () => {
  it("lets a family member who said not yet agree later, sending the new answer", async () => {
    const calls = stubFetch({
      [`POST /api/v1/goals/${GOAL_ID}/agreements`]: () => ({ body: goalWhereJoSaid("agree") }),
    });
    const user = userEvent.setup();
    renderScreen(<AgreementPanel goal={goalWhereJoSaid("decline")} me={JO} isClient={false} />);
    expect(screen.getByText("Every other Sunday?")).toBeInTheDocument();
    await user.click(screen.getByLabelText("A comment (optional)"));
    await user.paste("OK, let's try it");
    await user.click(screen.getByRole("button", { name: "I agree" }));

    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ decision: "agree", comment: "OK, let's try it" });
  });

  it("asks nothing more of a party who has agreed", () => {
    stubFetch({});
    renderScreen(<AgreementPanel goal={goalWhereJoSaid("agree")} me={JO} isClient={false} />);
    expect(screen.queryByRole("button", { name: "I agree" })).not.toBeInTheDocument();
  });
});
