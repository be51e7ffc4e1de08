import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { stubFetch } from "../test/fetchStub";
import { QuestionnaireForm } from "./QuestionnaireForm";

async function answerAll(user: ReturnType<typeof userEvent.setup>, count: number, lastAnswer: string) {
  const groups = screen.getAllByRole("group");
  for (const [i, group] of groups.slice(0, count).entries()) {
    await user.click(within(group).getByRole("radio", { name: i === count - 1 ? lastAnswer : "Not at all" }));
  }
}

/** No number, no severity word: a score is never judged in front of the young person. */
function expectNoScoreJudgement() {
  const text = document.body.textContent ?? "";
  for (const word of ["severe", "moderate", "mild", "minimal", "score", "total"]) expect(text.toLowerCase()).not.toContain(word);
  expect(text).not.toMatch(/\b2[0-7]\b|\bout of 27\b/);
}

describe("the help-now panel", () => {
  it("appears at once when the service offers support after a PHQ-9, with the crisis contacts and no score", async () => {
    const calls = stubFetch({
      "POST /api/v1/progress/questionnaires": () => ({
        status: 201,
        body: {
          response_id: "r1",
          instrument: "PHQ-9",
          total: 23,
          severity: "severe",
          occurred_at: "2026-11-28T09:00:00Z",
          support_offered: true,
        },
      }),
    });
    const user = userEvent.setup();
    render(<QuestionnaireForm instrument="PHQ-9" tenantId="demo" />);
    await answerAll(user, 9, "Several days");
    await user.click(screen.getByRole("button", { name: "Send my answers" }));

    const heading = await screen.findByRole("heading", { name: "Help now" });
    expect(heading).toHaveFocus();
    expect(screen.getByRole("link", { name: /Samaritans: call 116 123/ })).toHaveAttribute("href", "tel:116123");
    expect(screen.getByRole("link", { name: /NHS 111, option 2/ })).toHaveAttribute("href", "tel:111");
    expect(screen.getByRole("link", { name: /text SHOUT to 85258/ })).toHaveAttribute("href", "sms:85258?body=SHOUT");
    expectNoScoreJudgement();
    const sent = calls.find((c) => c.path === "/api/v1/progress/questionnaires")!;
    expect((sent.body as { answers: number[] }).answers).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("does not appear when no support is offered; the person is thanked, never scored", async () => {
    stubFetch({
      "POST /api/v1/progress/questionnaires": () => ({
        status: 201,
        body: { response_id: "r2", instrument: "GAD-7", total: 21, severity: "severe", occurred_at: "2026-11-28T09:00:00Z", support_offered: false },
      }),
    });
    const user = userEvent.setup();
    render(<QuestionnaireForm instrument="GAD-7" tenantId="demo" />);
    await answerAll(user, 7, "Nearly every day");
    await user.click(screen.getByRole("button", { name: "Send my answers" }));
    expect(await screen.findByText(/Thank you. Your answers are saved/)).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Help now" })).not.toBeInTheDocument();
    expectNoScoreJudgement();
  });

  it("still appears when the answers cannot be sent and PHQ-9 item 9 is above 0", async () => {
    stubFetch({ "POST /api/v1/progress/questionnaires": () => Promise.reject(new TypeError("Failed to fetch")) });
    const user = userEvent.setup();
    render(<QuestionnaireForm instrument="PHQ-9" tenantId="demo" />);
    await answerAll(user, 9, "More than half the days");
    await user.click(screen.getByRole("button", { name: "Send my answers" }));
    expect(await screen.findByRole("heading", { name: "Help now" })).toBeInTheDocument();
  });

  it("names the question left unanswered and sends nothing", async () => {
    const calls = stubFetch({});
    const user = userEvent.setup();
    render(<QuestionnaireForm instrument="GAD-7" tenantId="demo" />);
    await user.click(screen.getByRole("button", { name: "Send my answers" }));
    const first = screen.getAllByRole("group")[0]!;
    expect(within(first).getByRole("alert")).toHaveTextContent("Please choose an answer for this one.");
    expect(first).toHaveAccessibleDescription("Please choose an answer for this one.");
    expect(calls.filter((c) => c.path.startsWith("/api/"))).toHaveLength(0);
  });
});
