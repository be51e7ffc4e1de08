import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stubApi } from "../clinician/testing";
import { ACCORD_FOUR } from "../feedback/fixtures";
import { setLanguage } from "../i18n";
import { renderScreen } from "../test/render";
import SessionFeedback from "./SessionFeedback";

const SAM = { subject: "s", roles: ["client"], tenant_id: "t", name: "Sam", csrf_token: "c" };

function open(sessionId: string, scheduled: boolean) {
  stubApi(
    {
      "GET /api/v1/feedback-instrument": () => ACCORD_FOUR,
      "GET /api/v1/episodes/e1/session-feedback": () => ({
        episode_id: "e1",
        instrument: ACCORD_FOUR,
        sessions: [{ session_id: sessionId, held_at: "2026-11-17T10:00:00Z", scheduled, feedback: null }],
        trend: null,
      }),
    },
    SAM,
  );
  renderScreen(<SessionFeedback />, { path: `/feedback/e1/${sessionId}`, pattern: "/feedback/:episodeId/:sessionId" });
}

afterEach(async () => {
  vi.unstubAllGlobals();
  await setLanguage("en");
});

describe("the feedback check a young person is invited to", () => {
  it("asks about today's session after a session marked held", async () => {
    open("s1", false);
    expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("How was today's session?");
    expect(screen.getByText(/about your last session/)).toBeInTheDocument();
  });

  it("asks how sessions have been going lately when it was sent because none was marked for a while", async () => {
    open("s2", true);
    expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("How are your sessions going?");
    expect(screen.getByText(/how your sessions have been going lately/)).toBeInTheDocument();
  });

  it("asks the same in Welsh", async () => {
    await setLanguage("cy");
    open("s2", true);
    expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("Sut mae eich sesiynau'n mynd?");
  });
});
