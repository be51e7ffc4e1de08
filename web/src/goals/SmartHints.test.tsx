import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GoalContent } from "../api/types";
import { setLanguage } from "../i18n";
import { stubFetch } from "../test/fetchStub";
import { SMART_DEBOUNCE_MS, SmartHints } from "./SmartHints";

const content = (statement: string): GoalContent => ({
  statement,
  why_it_matters: "",
  category_code: "daily_living",
  measure: { kind: "goal_rating", minimum: 0, maximum: 10 },
  baseline: 2,
  target: 8,
  direction: "increase",
  due_date: "2027-02-01",
  review_interval_days: 14,
  confidence: 6,
  expressed_by: "client",
});

const HINT = "Say what you would be doing when this goal is reached.";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  vi.useRealTimers();
  await setLanguage("en");
});

async function settle(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

describe("the SMART hints", () => {
  it("ask the service once typing pauses, with the latest words, and show its plain-language hint", async () => {
    const calls = stubFetch({
      "POST /api/v1/goals/smart-check": () => ({
        body: {
          passed: false,
          results: [
            { criterion: "specific", passed: false, hint: HINT },
            { criterion: "measurable", passed: true, hint: null },
          ],
        },
      }),
    });
    const { rerender } = render(<SmartHints content={content("be")} />);
    await settle(SMART_DEBOUNCE_MS / 3);
    rerender(<SmartHints content={content("be ok")} />);
    await settle(SMART_DEBOUNCE_MS / 3);
    rerender(<SmartHints content={content("be okay")} />);
    await settle(SMART_DEBOUNCE_MS - 1);
    expect(calls.filter((c) => c.path === "/api/v1/goals/smart-check")).toHaveLength(0);

    await settle(1);
    vi.useRealTimers();
    expect(await screen.findByText(HINT)).toBeInTheDocument();
    const checks = calls.filter((c) => c.path === "/api/v1/goals/smart-check");
    expect(checks).toHaveLength(1);
    expect((checks[0]!.body as GoalContent).statement).toBe("be okay");
    expect(checks[0]!.headers.get("X-CSRF-Token")).toBe("csrf-123");
    expect(screen.getByText(HINT)).toBeInTheDocument();
    expect(screen.getByText(HINT).closest("[aria-live]")).toHaveAttribute("aria-live", "polite");
  });

  it("say so when every criterion passes", async () => {
    stubFetch({
      "POST /api/v1/goals/smart-check": () => ({
        body: { passed: true, results: [{ criterion: "specific", passed: true, hint: null }] },
      }),
    });
    render(<SmartHints content={content("take the bus to college three days a week")} />);
    await settle(SMART_DEBOUNCE_MS);
    vi.useRealTimers();
    expect(await screen.findByText("This goal looks clear and doable.")).toBeInTheDocument();
  });

  it("show the Welsh hint for the criterion when the app is in Welsh", async () => {
    await setLanguage("cy");
    stubFetch({
      "POST /api/v1/goals/smart-check": () => ({
        body: { passed: false, results: [{ criterion: "relevant", passed: false, hint: "Add a few words." }] },
      }),
    });
    render(<SmartHints content={content("mynd i'r coleg ar y bws")} />);
    await settle(SMART_DEBOUNCE_MS);
    vi.useRealTimers();
    expect(await screen.findByText("Ychwanega ychydig eiriau am pam mae'r nod hwn yn bwysig i ti.")).toBeInTheDocument();
    expect(screen.queryByText("Add a few words.")).not.toBeInTheDocument();
  });

  it("ask nothing while the goal has no words yet", async () => {
    const calls = stubFetch({});
    render(<SmartHints content={null} />);
    await settle(SMART_DEBOUNCE_MS * 2);
    expect(calls.filter((c) => c.path === "/api/v1/goals/smart-check")).toHaveLength(0);
  });
});
