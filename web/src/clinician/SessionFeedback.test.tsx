import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ACCORD_FOUR } from "../feedback/fixtures";
import { renderScreen } from "../test/render";
import { SessionFeedback } from "./SessionFeedback";
import { stubApi } from "./testing";

const scores = (n: number) => ({ heard: n, what_i_wanted: n, way_we_worked: n, overall: n });
const answered = (id: string, day: number, n: number, comment: string | null = null) => ({
  session_id: id,
  held_at: `2026-11-${String(day).padStart(2, "0")}T10:00:00Z`,
  feedback: { scores: scores(n), comment, answered_at: `2026-11-${day}T11:00:00Z`, instrument: "accord-session-4", mean: n },
});

describe("the therapist's session feedback", () => {
  it("shows each session's answers and comment in a table, the trend in words and a chart of the means", async () => {
    stubApi({
      "GET /api/v1/episodes/e1/session-feedback": () => ({
        episode_id: "e1",
        instrument: ACCORD_FOUR,
        sessions: [answered("s1", 3, 9), answered("s2", 10, 4, "Felt rushed"), { session_id: "s3", held_at: "2026-11-17T10:00:00Z", feedback: null }],
        trend: "falling",
      }),
    });
    renderScreen(<SessionFeedback episodeId="e1" />);
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(4);
    expect(rows[2]).toHaveTextContent("Felt rushed");
    expect(rows[3]).toHaveTextContent("Not answered yet");
    expect(screen.getByText(/Their feedback is falling/)).toBeInTheDocument();
    expect(screen.getByRole("img")).toHaveAccessibleName(/2 answered sessions, latest mean 4 out of 10/);
    expect(screen.getByText(/not a validated measure/)).toBeInTheDocument();
  });

  it("says which rows are check-ins sent because no session was marked for a while", async () => {
    stubApi({
      "GET /api/v1/episodes/e1/session-feedback": () => ({
        episode_id: "e1",
        instrument: ACCORD_FOUR,
        sessions: [answered("s1", 3, 9), { session_id: "s2", held_at: "2026-11-17T10:00:00Z", scheduled: true, feedback: null }],
        trend: null,
      }),
    });
    renderScreen(<SessionFeedback episodeId="e1" />);
    const rows = within(await screen.findByRole("table")).getAllByRole("row");
    expect(rows[1]).not.toHaveTextContent("check-in sent");
    expect(within(rows[2]!).getByRole("rowheader")).toHaveTextContent(/check-in sent: no session marked for a while/);
  });

  it("marks today's session held, which invites the young person", async () => {
    const calls = stubApi({
      "GET /api/v1/episodes/e1/session-feedback": () => ({ episode_id: "e1", instrument: ACCORD_FOUR, sessions: [], trend: null }),
      "POST /api/v1/episodes/e1/sessions": () => ({ session_id: "s9", episode_id: "e1", held_at: "2026-11-28T10:00:00Z" }),
    });
    const user = userEvent.setup();
    renderScreen(<SessionFeedback episodeId="e1" />);
    await user.click(await screen.findByRole("button", { name: "Mark today's session as held" }));
    expect(await screen.findByText(/The young person is invited/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST" && c.path === "/api/v1/episodes/e1/sessions")).toHaveLength(1);
  });
});
