import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Episode } from "../api/types";
import { SESSION, stubFetch } from "../test/fetchStub";
import { renderScreen } from "../test/render";
import Questionnaires from "./Questionnaires";

const SENT = { response_id: "r1", instrument: "GAD-7", occurred_at: "2026-11-28T09:00:00Z", support_offered: false };

function episode(id: string, opened_at: string, status: Episode["status"] = "open"): Episode {
  return {
    episode_id: id,
    client_id: SESSION.subject,
    lead_therapist_id: "8d3c7f0e-0000-4000-8000-0000000000aa",
    team_id: "8d3c7f0e-0000-4000-8000-0000000000bb",
    opened_at,
    closed_at: null,
    status,
    participants: [],
  };
}

async function answerGad7(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole("button", { name: /GAD-7/ }));
  for (const group of screen.getAllByRole("group").slice(0, 7)) {
    await user.click(within(group).getByRole("radio", { name: "Not at all" }));
  }
}

const sentBodies = (calls: ReturnType<typeof stubFetch>) =>
  calls.filter((c) => c.method === "POST" && c.path === "/api/v1/progress/questionnaires").map((c) => c.body as Record<string, unknown>);

describe("a questionnaire and the care episode it is filed under", () => {
  it("is filed under the person's only open episode without asking", async () => {
    const calls = stubFetch({
      "GET /api/v1/episodes": () => ({ body: { items: [episode("e-closed", "2025-01-02T09:00:00Z", "closed"), episode("e-1", "2026-02-26T09:00:00Z")] } }),
      "POST /api/v1/progress/questionnaires": () => ({ status: 201, body: SENT }),
    });
    const user = userEvent.setup();
    renderScreen(<Questionnaires />);
    await answerGad7(user);
    expect(screen.queryByRole("group", { name: "Which of your support teams is this for?" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Send my answers" }));
    expect(await screen.findByText(/Thank you. Your answers are saved/)).toBeInTheDocument();
    expect(sentBodies(calls)[0]!.episode_id).toBe("e-1");
  });

  it("asks which support team when there are several, sends nothing until one is chosen, then sends the chosen one", async () => {
    const calls = stubFetch({
      "GET /api/v1/episodes": () => ({ body: { items: [episode("e-1", "2026-02-26T09:00:00Z"), episode("e-2", "2026-06-03T09:00:00Z")] } }),
      "POST /api/v1/progress/questionnaires": () => ({ status: 201, body: SENT }),
    });
    const user = userEvent.setup();
    renderScreen(<Questionnaires />);
    await answerGad7(user);
    const choice = await screen.findByRole("group", { name: "Which of your support teams is this for?" });
    await user.click(screen.getByRole("button", { name: "Send my answers" }));
    expect(within(choice).getByRole("alert")).toHaveTextContent("Please choose which support team this is for.");
    expect(sentBodies(calls)).toHaveLength(0);

    await user.click(within(choice).getByRole("radio", { name: "The support that started on 3 June 2026" }));
    await user.click(screen.getByRole("button", { name: "Send my answers" }));
    expect(await screen.findByText(/Thank you. Your answers are saved/)).toBeInTheDocument();
    expect(sentBodies(calls)[0]!.episode_id).toBe("e-2");
  });

  it("shows the service's refusal of the episode next to the choice, keeping the answers", async () => {
    stubFetch({
      "GET /api/v1/episodes": () => ({ body: { items: [episode("e-1", "2026-02-26T09:00:00Z"), episode("e-2", "2026-06-03T09:00:00Z")] } }),
      "POST /api/v1/progress/questionnaires": () => ({
        status: 422,
        body: { title: "Unprocessable", status: 422, field: "episode_id", detail: "that care episode is closed" },
      }),
    });
    const user = userEvent.setup();
    renderScreen(<Questionnaires />);
    await answerGad7(user);
    const choice = await screen.findByRole("group", { name: "Which of your support teams is this for?" });
    await user.click(within(choice).getByRole("radio", { name: "The support that started on 26 February 2026" }));
    await user.click(screen.getByRole("button", { name: "Send my answers" }));
    expect(await within(choice).findByRole("alert")).toHaveTextContent("that care episode is closed");
    expect(screen.getAllByRole("radio", { name: "Not at all" })[0]).toBeChecked();
  });
});
