import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Goal } from "../api/types";
import { stubFetch } from "../test/fetchStub";
import { renderScreen } from "../test/render";
import { AgreementPanel } from "./AgreementPanel";
import { AlignmentPrompt } from "./ImportanceQuestions";

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

  it("lets the young person say, if they wish, how much it matters, whether it feels their own and who may see that", async () => {
    const calls = stubFetch({
      [`POST /api/v1/goals/${GOAL_ID}/agreements`]: () => ({ body: goalWhereJoSaid("agree") }),
    });
    const user = userEvent.setup();
    const asSam = goalWhereJoSaid("agree");
    const sam = asSam.client_id;
    asSam.pending_version!.parties.push({ person_id: sam, role: "client", status: "pending", agreement: null });
    renderScreen(<AgreementPanel goal={asSam} me={sam} isClient />);
    await user.click(screen.getByText("Optional: how much does this matter to you?"));
    const importance = screen.getByRole("group", { name: "How much does this goal matter to you?" });
    await user.click(within(importance).getByRole("radio", { name: "9" }));
    await user.click(screen.getByRole("radio", { name: "Partly" }));
    await user.click(screen.getByRole("checkbox", { name: "Let others in my care team see these answers" }));
    await user.click(screen.getByRole("button", { name: "I agree" }));

    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      decision: "agree",
      importance: 9,
      feels_own: "partly",
      share_answers_with_others: true,
    });
  });

  it("sends no importance with a not yet: the answers go with an agreement only", async () => {
    const calls = stubFetch({
      [`POST /api/v1/goals/${GOAL_ID}/agreements`]: () => ({ body: goalWhereJoSaid("decline") }),
    });
    const user = userEvent.setup();
    renderScreen(<AgreementPanel goal={goalWhereJoSaid("pending")} me={JO} isClient={false} />);
    await user.click(screen.getByText("Optional: how much does this matter to you?"));
    await user.click(screen.getByRole("radio", { name: "3" }));
    await user.click(screen.getByRole("button", { name: "Not yet" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ decision: "decline" });
  });
});

describe("a goal where the parties' answers diverge", () => {
  it("shows a gentle prompt to talk together, with no number and no one named", () => {
    stubFetch({});
    renderScreen(<AlignmentPrompt diverges />);
    const prompt = screen.getByRole("region", { name: "Worth talking about" });
    expect(prompt).toHaveTextContent("You might see this differently — worth talking about together.");
    expect(prompt.textContent).not.toMatch(/\d/);
  });

  it("shows nothing when they do not", () => {
    stubFetch({});
    renderScreen(<AlignmentPrompt diverges={false} />);
    expect(screen.queryByRole("region")).toBeNull();
  });
});
