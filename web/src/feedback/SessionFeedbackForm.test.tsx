import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { stubFetch } from "../test/fetchStub";
import { SessionFeedbackForm } from "./SessionFeedbackForm";
import { ACCORD_FOUR, w } from "./fixtures";
import type { FeedbackInstrument } from "./words";

const URL = "POST /api/v1/episodes/e1/sessions/s1/feedback";

describe("the session feedback check", () => {
  it("is answered with the keyboard alone: Tab to each question, arrows to the number, Enter to send", async () => {
    const calls = stubFetch({ [URL]: () => ({ status: 201, body: {} }) });
    const user = userEvent.setup();
    render(<SessionFeedbackForm instrument={ACCORD_FOUR} episodeId="e1" sessionId="s1" />);

    for (const steps of [8, 6, 7, 7]) {
      await user.tab(); // into the next question's group (the first choice)
      await user.keyboard(" "); // chooses 0
      for (let i = 0; i < steps; i++) await user.keyboard("{ArrowRight}");
    }
    await user.tab();
    await user.keyboard("It was ok");
    await user.tab();
    await user.keyboard("{Enter}");

    expect(await screen.findByRole("status")).toHaveTextContent("Thank you");
    const sent = calls.find((c) => `${c.method} ${c.path}` === URL);
    expect(sent?.body).toEqual({ scores: { heard: 8, what_i_wanted: 6, way_we_worked: 7, overall: 7 }, comment: "It was ok" });
  }, 60_000); // some forty key presses, each re-rendering the form: slow on a shared CI machine, never a timing check

  it("says which question is still unanswered, moves focus there and sends nothing", async () => {
    const calls = stubFetch({ [URL]: () => ({ status: 201, body: {} }) });
    const user = userEvent.setup();
    render(<SessionFeedbackForm instrument={ACCORD_FOUR} episodeId="e1" sessionId="s1" />);
    const groups = screen.getAllByRole("group");
    for (const group of groups.slice(0, 3)) await user.click(within(group).getByRole("radio", { name: "5" }));
    await user.click(screen.getByRole("button", { name: "Send" }));

    expect(within(groups[3]!).getByRole("alert")).toHaveTextContent("Please pick a number");
    expect(document.activeElement).toBe(within(groups[3]!).getByRole("radio", { name: "0" }));
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("tells the young person kindly when this session was already answered", async () => {
    stubFetch({
      [URL]: () => ({ status: 409, body: { title: "Conflict", status: 409, detail: "this session's feedback is already given" } }),
    });
    const user = userEvent.setup();
    render(<SessionFeedbackForm instrument={ACCORD_FOUR} episodeId="e1" sessionId="s1" />);
    for (const group of screen.getAllByRole("group")) await user.click(within(group).getByRole("radio", { name: "9" }));
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByRole("status")).toHaveTextContent("already answered");
  });

  it("asks the questions of the service's own instrument, with the ends of the scale in words", () => {
    const licensed: FeedbackInstrument = {
      ...ACCORD_FOUR,
      code: "licensed",
      validated: true,
      items: [{ key: "relationship", question: w("Relationship"), low: w("I did not feel heard"), high: w("I felt heard") }],
    };
    render(<SessionFeedbackForm instrument={licensed} episodeId="e1" sessionId="s1" />);
    const [group] = screen.getAllByRole("group");
    expect(screen.getAllByRole("group")).toHaveLength(1);
    expect(group).toHaveAccessibleName("Relationship");
    expect(group).toHaveAccessibleDescription("0 = I did not feel heard10 = I felt heard");
    expect(within(group!).getAllByRole("radio")).toHaveLength(11);
  });
});
