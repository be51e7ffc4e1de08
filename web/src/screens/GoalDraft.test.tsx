import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setSessionEndedHandler } from "../auth/session";
import { SESSION, stubFetch } from "../test/fetchStub";
import { renderScreen } from "../test/render";
import GoalDraft from "./GoalDraft";

const EPISODES = {
  items: [
    {
      episode_id: "e0000000-0000-4000-8000-0000000000e1",
      client_id: SESSION.subject,
      team_id: "t1",
      lead_therapist_id: "a1",
      status: "open",
      opened_at: "2026-11-01T09:00:00Z",
      closed_at: null,
      participants: [],
    },
  ],
};
const CREATE = "POST /api/v1/episodes/e0000000-0000-4000-8000-0000000000e1/goals";

afterEach(() => setSessionEndedHandler(() => undefined));

describe("writing a goal", () => {
  it("shows the service's refusal next to the field it names, announced and tied to the field", async () => {
    stubFetch({
      "GET /api/v1/episodes": () => ({ body: EPISODES }),
      "POST /api/v1/goals/smart-check": () => ({ body: { passed: true, results: [] } }),
      [CREATE]: () => ({
        status: 422,
        body: {
          title: "Invalid request",
          status: 422,
          detail: "Check these fields: body.content.statement",
          errors: [{ field: "body.content.statement", message: "Please use 500 characters or fewer", type: "string_too_long" }],
        },
      }),
    });
    const user = userEvent.setup();
    renderScreen(<GoalDraft />);
    const statement = await screen.findByLabelText("Your goal");
    await user.type(statement, "Take the bus to college");
    await user.click(screen.getByRole("button", { name: "Save draft" }));

    await waitFor(() => expect(statement).toHaveAttribute("aria-invalid", "true"));
    expect(statement).toHaveAccessibleDescription(/Please use 500 characters or fewer/);
    const message = screen.getByText("Please use 500 characters or fewer");
    expect(message).toHaveAttribute("role", "alert");
  });

  it("keeps what was typed when the session has ended, and sends the person to sign in", async () => {
    const ended = vi.fn();
    setSessionEndedHandler(ended);
    stubFetch({
      "GET /api/v1/episodes": () => ({ body: EPISODES }),
      "POST /api/v1/goals/smart-check": () => ({ status: 401, body: { title: "Unauthorized", status: 401 } }),
      [CREATE]: () => ({ status: 401, body: { title: "Unauthorized", status: 401 } }),
    });
    const user = userEvent.setup();
    const first = renderScreen(<GoalDraft />);
    await user.type(await screen.findByLabelText("Your goal"), "Speak up once in each seminar");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    await waitFor(() => expect(ended).toHaveBeenCalled());
    first.unmount();

    // Back from signing in: the words are still there.
    renderScreen(<GoalDraft />);
    expect(await screen.findByLabelText("Your goal")).toHaveValue("Speak up once in each seminar");
  });

  it("asks a family member of the episode to agree the goal too, naming them in what is sent", async () => {
    const jo = "f0000000-0000-4000-8000-00000000000f";
    const withParent = {
      items: [
        {
          ...EPISODES.items[0],
          participants: [
            { person_id: SESSION.subject, role: "client", relationship_code: null },
            { person_id: jo, role: "family", relationship_code: "parent" },
          ],
        },
      ],
    };
    const calls = stubFetch({
      "GET /api/v1/episodes": () => ({ body: withParent }),
      "POST /api/v1/goals/smart-check": () => ({ body: { passed: true, results: [] } }),
      [CREATE]: () => ({ status: 422, body: { title: "Stop here", status: 422 } }),
    });
    const user = userEvent.setup();
    renderScreen(<GoalDraft />);
    await user.type(await screen.findByLabelText("Your goal"), "Cook a meal for the family on Sundays");
    const parent = screen.getByRole("group", { name: "Ask a family member to agree too" });
    expect(parent).toHaveAccessibleDescription(/asked to agree it/);
    await user.click(screen.getByRole("checkbox", { name: "Parent" }));
    await user.click(screen.getByRole("button", { name: "Save draft" }));

    await waitFor(() => expect(calls.find((c) => c.method === "POST" && c.path.endsWith("/goals"))).toBeDefined());
    const sent = calls.find((c) => c.method === "POST" && c.path.endsWith("/goals"))?.body as {
      content: { family_party_ids: string[] };
    };
    expect(sent.content.family_party_ids).toEqual([jo]);
  });
});
