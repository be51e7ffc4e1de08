import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import ClientReport from "./ClientReport";
import { REPORT, REPORT_CHECKINS, REPORT_CLIENT, REPORT_GOAL, REPORT_GOAL_RECORD } from "./reportFixture";
import { stubApi, type Seen } from "./testing";

let calls: Seen[];
beforeEach(() => {
  calls = stubApi({
    [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => REPORT,
    [`GET /api/v1/goals/${REPORT_GOAL}/history`]: () => ({
      entries: [{ at: "2026-11-05T09:00:00Z", actor: REPORT_CLIENT, action: "proposed revision", version: 2, reason: "Buses changed" }],
    }),
    [`GET /api/v1/goals/${REPORT_GOAL}`]: () => REPORT_GOAL_RECORD,
    [`GET /api/v1/progress/clients/${REPORT_CLIENT}/checkins`]: () => REPORT_CHECKINS,
    [`POST /api/v1/goals/${REPORT_GOAL}/revisions`]: () => ({ ...REPORT_GOAL_RECORD, pending_version: REPORT_GOAL_RECORD.agreed_version }),
    [`PUT /api/v1/reporting/clients/${REPORT_CLIENT}/name`]: () => ({ client_id: REPORT_CLIENT, display_name: "Sammy" }),
    [`POST /api/v1/goals/${REPORT_GOAL}/agreements`]: () => ({}),
    [`POST /api/v1/goals/${REPORT_GOAL}/closure`]: () =>
      Response.json(
        { title: "Invalid request", status: 422, errors: [{ loc: ["body", "reason"], message: "Say why the goal closes" }] },
        { status: 422, headers: { "Content-Type": "application/problem+json" } },
      ),
  });
});
afterEach(() => vi.unstubAllGlobals());

describe("a client's report", () => {
  it("draws each goal's progress with the numbers in a table beside it, and why a review is suggested in plain words", async () => {
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const chart = await screen.findByRole("img", { name: /3 values, latest 5/ });
    expect(chart.querySelectorAll("circle")).toHaveLength(3);
    expect(chart.querySelector(".target")).toHaveTextContent("Target");
    const entries = screen.getByRole("table", { name: "Values recorded for this goal" });
    expect(within(entries).getAllByRole("row").slice(1).map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual([
      "2",
      "4",
      "5",
    ]);
    expect(screen.getByText("No entries for 28 days — a chance to check in together")).toBeInTheDocument();
    expect(document.body.textContent).not.toContain("no_progress_for_28_days");
    const agreement = screen.getByRole("table", { name: "Each step of this goal's agreement" });
    expect(within(agreement).getByText("Agreed")).toBeInTheDocument();
  });

  it("says the goal's status, achievement, agreement steps and history in words, never the services' codes", async () => {
    const [goal] = REPORT.goals;
    const step = { party_id: REPORT_CLIENT, decision: null, outcome: null, version: 1, visibility: null };
    stubApi({
      [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => ({
        ...REPORT,
        goals: [
          {
            ...goal!,
            lifecycle_status: "on-hold",
            achievement_status: "no-progress",
            agreement_history: [
              { ...step, event: "GoalProposed", at: "2026-11-01T09:00:00Z" },
              { ...step, event: "GoalAgreementRecorded", at: "2026-11-02T09:00:00Z", decision: "decline" },
              { ...step, event: "GoalAgreed", at: "2026-11-03T09:00:00Z" },
              { ...step, event: "GoalPaused", at: "2026-11-04T09:00:00Z" },
              { ...step, event: "GoalClosed", at: "2026-11-05T09:00:00Z", party_id: null, outcome: "no_longer_relevant" },
              { ...step, event: "GoalSomethingNew", at: "2026-11-06T09:00:00Z" },
            ],
          },
        ],
      }),
      [`GET /api/v1/goals/${REPORT_GOAL}`]: () => REPORT_GOAL_RECORD,
      [`GET /api/v1/goals/${REPORT_GOAL}/history`]: () => ({
        entries: ["recorded decline", "proposed revision", "made shared", "asked to close as partly_achieved", "handed_over"].map(
          (action, i) => ({ at: `2026-11-0${i + 1}T09:00:00Z`, actor: REPORT_CLIENT, action, version: 2, reason: null }),
        ),
      }),
    });
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const agreement = await screen.findByRole("table", { name: "Each step of this goal's agreement" });
    const cells = (table: HTMLElement, column: number) =>
      within(table).getAllByRole("row").slice(1).map((r) => within(r).getAllByRole("cell")[column]!.textContent);
    expect(cells(agreement, 0)).toEqual([
      "Goal proposed",
      "Response recorded",
      "Agreed by everyone",
      "Paused",
      "Closed",
      "Goal something new",
    ]);
    expect(cells(agreement, 2)).toEqual(["—", "Not agreed yet", "—", "—", "No longer relevant", "—"]);
    expect(screen.getByText("Paused for now")).toBeInTheDocument();
    expect(screen.getByText("Not moved yet")).toBeInTheDocument();
    const history = await screen.findByRole("table", { name: /Every version of this goal/ });
    expect(cells(history, 1)).toEqual([
      "Not agreed yet",
      "Proposed a change",
      "Shared with the named family members",
      "Asked to close the goal: Partly achieved",
      "Handed over",
    ]);
    const text = document.body.textContent;
    // The codes that are not also everyday words on the page ("decline" is the button's word too).
    for (const code of ["on-hold", "no-progress", "GoalAgreed", "no_longer_relevant", "partly_achieved", "proposed revision", "made shared", "handed_over"])
      expect(text).not.toContain(code);
  });

  it("says which steps of each goal were reached, and when, and which are still ahead", async () => {
    const goal = { ...REPORT.goals[0]!, milestones: [
      ...REPORT.goals[0]!.milestones,
      { milestone_id: "m2", position: 2, kind: "action", threshold: null, reached_at: null },
    ] };
    calls = stubApi({
      [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => ({ ...REPORT, goals: [goal] }),
      [`GET /api/v1/goals/${REPORT_GOAL}/history`]: () => ({ entries: [] }),
    });
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const steps = await screen.findByRole("list", { name: "Steps along the way" });
    expect(within(steps).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Step 1 (at 4): reached 10 November 2026",
      "Step 2: not reached yet",
    ]);
  });

  it("lists the questionnaires with their bands and reliable change as the service computed it, and offers the FHIR export of the same client", async () => {
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const scores = await screen.findByRole("table", { name: /severity band/ });
    const [first, second] = within(scores).getAllByRole("row").slice(1);
    expect(within(first!).getAllByRole("cell").map((c) => c.textContent)).toEqual(["PHQ-9", "18", "Moderately severe", "First score", "—"]);
    expect(within(second!).getAllByRole("cell").map((c) => c.textContent)).toEqual(["PHQ-9", "9", "Mild", "-9", "Reliable improvement"]);
    expect(screen.getByRole("link", { name: "Download the FHIR export" })).toHaveAttribute(
      "href",
      `/api/v1/reporting/clients/${REPORT_CLIENT}/fhir`,
    );
    expect(screen.getByRole("heading", { name: "Safety signals" })).toBeInTheDocument();
  });

  it("shows every version's steps with their reasons and declines with the comment written", async () => {
    const user = userEvent.setup();
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const history = await screen.findByRole("table", { name: /Every version of this goal/ });
    expect(within(history).getByText("Buses changed")).toBeInTheDocument();
    await user.type(screen.getByRole("textbox", { name: /^Comment/ }), "Let's talk about it first");
    await user.click(screen.getByRole("button", { name: "Decline" }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith("/agreements"))).toBe(true));
    expect(calls.find((c) => c.path.endsWith("/agreements"))!.body).toEqual({
      decision: "decline",
      comment: "Let's talk about it first",
    });
  });

  it("shows a refused closure at the field the service names", async () => {
    const user = userEvent.setup();
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    await user.selectOptions(await screen.findByRole("combobox", { name: "Outcome when closing" }), "partly_achieved");
    await user.click(screen.getByRole("button", { name: "Close the goal" }));
    const reason = screen.getByRole("textbox", { name: "Reason" });
    await waitFor(() => expect(reason).toHaveAccessibleDescription("Say why the goal closes"));
    expect(calls.find((c) => c.path.endsWith("/closure"))!.body).toEqual({ outcome: "partly_achieved", reason: "" });
  });

  it("names the client, the goal and each party instead of their ids", async () => {
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    expect(await screen.findByRole("heading", { name: "Sam", level: 1 })).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: /^Take the bus to college on my own/, level: 2 })).toBeInTheDocument();
    const agreement = screen.getByRole("table", { name: "Each step of this goal's agreement" });
    expect(within(agreement).getByText("A therapist")).toBeInTheDocument();
    const history = await screen.findByRole("table", { name: /Every version of this goal/ });
    expect(within(history).getByRole("cell", { name: "Sam" })).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(REPORT_CLIENT);
  });

  it("names a family member in the agreement by the name given when they joined the episode, not by their id", async () => {
    const JO = "70000000-0000-4000-8000-000000000003";
    const [goal] = REPORT.goals;
    const withJo = {
      ...REPORT,
      goals: [
        {
          ...goal!,
          acceptance: [...goal!.acceptance, { person_id: JO, role: "family", status: "agreed" }],
          agreement_history: [
            ...goal!.agreement_history,
            { event: "GoalAgreementRecorded", at: "2026-11-03T09:00:00Z", party_id: JO, decision: "agree", outcome: null, version: 1, visibility: null },
          ],
        },
      ],
    };
    stubApi({
      [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => withJo,
      [`GET /api/v1/goals/${REPORT_GOAL}`]: () => REPORT_GOAL_RECORD,
      [`GET /api/v1/goals/${REPORT_GOAL}/history`]: () => ({ entries: [] }),
      [`GET /api/v1/episodes/${goal!.episode_id}`]: () => ({
        episode_id: goal!.episode_id,
        participants: [{ person_id: JO, role: "family", joined_at: "2026-11-01T09:00:00Z", relationship_code: "parent", display_name: "Jo" }],
      }),
    });
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const agreement = await screen.findByRole("table", { name: "Each step of this goal's agreement" });
    expect(await within(agreement).findByRole("cell", { name: "Jo" })).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(JO);
  });

  it("shows the check-ins the client shared", async () => {
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const checkins = await screen.findByRole("table", { name: "Check-ins the client chose to share with you" });
    expect(within(checkins).getByText("Went to the park with Alex.")).toBeInTheDocument();
    expect(within(checkins).getByText("4 out of 10")).toBeInTheDocument();
  });

  it("shows the early warnings with their next step, and a divergence links to its goal on the page", async () => {
    stubApi({
      [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => ({
        ...REPORT,
        warnings: [
          { kind: "goal_divergence", goal_id: REPORT_GOAL, episode_id: null, suggested_step: "revisit_goal_together" },
          { kind: "feedback_low", goal_id: null, episode_id: REPORT.goals[0]!.episode_id, suggested_step: "talk_at_next_session" },
        ],
      }),
      [`GET /api/v1/goals/${REPORT_GOAL}`]: () => REPORT_GOAL_RECORD,
      [`GET /api/v1/progress/clients/${REPORT_CLIENT}/checkins`]: () => REPORT_CHECKINS,
    });
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const part = await screen.findByRole("region", { name: "Worth talking about together" });
    const items = within(part).getAllByRole("listitem");
    expect(items.map((i) => i.textContent)).toEqual([
      "You might see a goal differently from each other. Next step: revisit the goal together. See the goal",
      "Their session feedback is low. Next step: talk about it at the next session.",
    ]);
    expect(within(items[0]!).getByRole("link", { name: "See the goal" })).toHaveAttribute("href", `#goal-${REPORT_GOAL}`);
    expect(document.getElementById(`goal-${REPORT_GOAL}`)).not.toBeNull();
  });

  it("shows no warnings part when there is nothing worth raising", async () => {
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    await screen.findByRole("img", { name: /3 values, latest 5/ });
    expect(screen.queryByRole("region", { name: "Worth talking about together" })).not.toBeInTheDocument();
  });

  it("says so inside the check-ins part when they fail to load, keeps the rest of the report, and loads them on Try again", async () => {
    const user = userEvent.setup();
    let refusals = 1;
    stubApi({
      [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => REPORT,
      [`GET /api/v1/goals/${REPORT_GOAL}`]: () => REPORT_GOAL_RECORD,
      [`GET /api/v1/progress/clients/${REPORT_CLIENT}/checkins`]: () =>
        refusals-- > 0
          ? Response.json({ title: "Forbidden", status: 403 }, { status: 403, headers: { "Content-Type": "application/problem+json" } })
          : REPORT_CHECKINS,
    });
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const part = await screen.findByRole("region", { name: "Shared check-ins" });
    const alert = await within(part).findByRole("alert");
    expect(alert).toHaveTextContent("This part didn't load just now.");
    expect(screen.queryByRole("link", { name: "Back to your caseload" })).not.toBeInTheDocument();
    expect(screen.getByRole("img", { name: /3 values, latest 5/ })).toBeInTheDocument();
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    const checkins = await screen.findByRole("table", { name: "Check-ins the client chose to share with you" });
    expect(within(checkins).getByText("Went to the park with Alex.")).toBeInTheDocument();
  });

  it("proposes a revision of the agreed goal with its reason, the rest of the content as agreed", async () => {
    const user = userEvent.setup();
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const target = await screen.findByRole("spinbutton", { name: "Target" });
    await user.clear(target);
    await user.type(target, "6");
    await user.type(screen.getByRole("textbox", { name: /^Why this revision/ }), "Eight was too far for now");
    await user.click(screen.getByRole("button", { name: "Propose the revision" }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith("/revisions"))).toBe(true));
    expect(calls.find((c) => c.path.endsWith("/revisions"))!.body).toEqual({
      content: { ...REPORT_GOAL_RECORD.agreed_version.content, target: 6 },
      reason: "Eight was too far for now",
    });
  });

  it("records the name the client prefers", async () => {
    const user = userEvent.setup();
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const name = await screen.findByRole("textbox", { name: "Name the client prefers to be called" });
    await user.clear(name);
    await user.type(name, "Sammy");
    await user.click(screen.getByRole("button", { name: "Save the name" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Name saved.");
    expect(calls.find((c) => c.method === "PUT")!.body).toEqual({ display_name: "Sammy" });
  });
});
