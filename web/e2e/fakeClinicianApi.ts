import type { Page, Route } from "@playwright/test";
import { REPORT, REPORT_CHECKINS, REPORT_CLIENT, REPORT_GOAL, REPORT_GOAL_RECORD } from "../src/clinician/reportFixture";
import { erasureOf, exportOf, removalOf } from "../src/clinician/rightsFixture";
import { ACCORD_FOUR } from "../src/feedback/fixtures";
import { liveSessionTimes } from "../src/test/sessionTimes";

export const ALEX = "a1000000-0000-4000-8000-000000000002";
export const TEAM = "d0000000-0000-4000-8000-000000000001";
export const OTHER_TEAM = "d0000000-0000-4000-8000-000000000002";
/** The preferred names the therapist entered (the second client has none yet). */
export const CLIENT_NAMES = ["Sam", null] as const;
export const CLIENTS = ["5a000000-0000-4000-8000-000000000001", "5a000000-0000-4000-8000-000000000004"];
export const SIGNAL_ID = "5f000000-0000-4000-8000-000000000001";
export const EPISODE_ID = "e0000000-0000-4000-8000-0000000000e1";
export const JO = "70000000-0000-4000-8000-000000000003";
/** Sam's care episode: Alex leads it, Jo (named when added) is her parent; the second client's has no names yet. */
export const EPISODES = CLIENTS.map((client_id, i) => ({
  episode_id: i === 0 ? EPISODE_ID : "e0000000-0000-4000-8000-0000000000e2",
  client_id,
  team_id: TEAM,
  lead_therapist_id: ALEX,
  status: "open",
  opened_at: `2026-11-0${i + 1}T09:00:00Z`,
  closed_at: null,
  participants: [
    { person_id: client_id, role: "client", joined_at: "2026-11-01T09:00:00Z", relationship_code: null, display_name: null },
    { person_id: ALEX, role: "therapist", joined_at: "2026-11-01T09:00:00Z", relationship_code: null, display_name: null },
    ...(i === 0
      ? [{ person_id: JO, role: "family", joined_at: "2026-11-02T09:00:00Z", relationship_code: "parent", display_name: "Jo" }]
      : []),
  ],
}));

export const EXPORT_ID = "e7000000-0000-4000-8000-000000000001";
/** An erasure request another therapist recorded for the second client, waiting for a supervisor (Alex may decide). */
export const WAITING_ERASURE = "e5000000-0000-4000-8000-000000000001";
export const OTHER_THERAPIST = "a1000000-0000-4000-8000-000000000009";

/** An answer other than 200, as a route gives it (a refusal with problem details, 202 Accepted). */
class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** The therapist's side of the API, for the clinician screens (the young person's fake is e2e/fakeApi.ts). */
export class FakeClinicianApi {
  locale = "en";
  /** A safety signal the notifications stream sends when the page connects. */
  streamSignal = false;
  signalRead = false;
  /** How the therapist hears of routine updates, as the preferences API keeps it. */
  clinicianDelivery = "immediate";
  private streamed = false;
  /** Data rights, as the goals service keeps them: the export Alex asked for (polls move it on), erasure requests. */
  private exportPolls = -1;
  erasures = [erasureOf(CLIENTS[1]!, WAITING_ERASURE, OTHER_THERAPIST, { may_decide: true })];
  /** Episodes of Alex's teams removed at the end of their retention period, newest first: two a page. */
  removals = [
    removalOf("e0000000-0000-4000-8000-0000000a1b2c", "5a000000-0000-4000-8000-0000003f9c2a", 3, "2026-11-28T06:00:00Z"),
    removalOf("e0000000-0000-4000-8000-0000000d4e5f", "5a000000-0000-4000-8000-000000777777", 4, "2026-11-27T06:00:00Z"),
    removalOf("e0000000-0000-4000-8000-000000123456", "5a000000-0000-4000-8000-000000abcdef", 4, "2026-11-26T06:00:00Z"),
  ];

  private signal() {
    return { id: SIGNAL_ID, kind: "safety_signal", created_at: "2026-11-28T09:00:00Z", link: "/" };
  }

  private entry(client_id: string, signals: number) {
    return {
      client_id,
      client_name: CLIENT_NAMES[CLIENTS.indexOf(client_id)] ?? null,
      episode_ids: [],
      active_goals: 2,
      last_progress_at: signals ? null : "2026-11-20T09:00:00Z",
      goals_due_for_review: signals ? ["90000000-0000-4000-8000-000000000001"] : [],
      unseen_safety_signals: signals,
      undelivered_safety_alerts: 0,
      milestones_reached_this_week: 1,
      // The second client's session feedback has been falling: an early warning with its next step.
      warnings: signals ? [] : [{ kind: "feedback_falling", episode_id: null, goal_id: null, suggested_step: "talk_at_next_session" }],
    };
  }

  private answer(method: string, path: string, query: URLSearchParams, sent: unknown): { status: number; body: unknown } {
    const routes: Record<string, () => unknown> = {
      "GET /auth/session": () => ({
        subject: ALEX,
        roles: ["therapist", "supervisor"],
        tenant_id: "demo",
        name: "Alex",
        csrf_token: "csrf-e2e",
        ...liveSessionTimes(),
      }),
      "GET /api/v1/notifications/preferences": () => ({
        locale: this.locale,
        time_zone: "Europe/London",
        channels: ["email"],
        quiet_hours: null,
        clinician_delivery: this.clinicianDelivery,
      }),
      "PUT /api/v1/notifications/preferences": () => {
        const body = sent as { locale: string; clinician_delivery: string };
        this.locale = body.locale;
        this.clinicianDelivery = body.clinician_delivery;
        return body;
      },
      "GET /api/v1/notifications/contact-points": () => ({ items: [] }),
      "GET /api/v1/notifications/inbox/unread-count": () => ({ unread: 0 }),
      // Like the service: an item the stream announced is in the inbox too, unread until marked read.
      "GET /api/v1/notifications/inbox": () => ({
        items: this.streamed ? [{ ...this.signal(), title: "Safety", body: "Open Accord", read_at: this.signalRead ? "2026-11-28T09:05:00Z" : null }] : [],
        next_cursor: null,
      }),
      [`POST /api/v1/notifications/inbox/${SIGNAL_ID}/read`]: () => {
        this.signalRead = true;
        return { ...this.signal(), title: "Safety", body: "Open Accord", read_at: "2026-11-28T09:05:00Z" };
      },
      "GET /api/v1/reporting/caseload": () => ({
        items: [this.entry(CLIENTS[0]!, 1), this.entry(CLIENTS[1]!, 0)].filter((e) => query.get("due_for_review") !== "true" || e.goals_due_for_review.length > 0),
        next_cursor: null,
      }),
      [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => REPORT,
      [`GET /api/v1/goals/${REPORT_GOAL}`]: () => REPORT_GOAL_RECORD,
      [`GET /api/v1/progress/clients/${REPORT_CLIENT}/checkins`]: () => REPORT_CHECKINS,
      "GET /api/v1/episodes": () => ({ items: EPISODES, next_cursor: null }),
      [`GET /api/v1/episodes/${EPISODE_ID}`]: () => EPISODES[0],
      // Sam's answers on one session: a column per question, wider than a phone (its table scrolls in a region).
      [`GET /api/v1/episodes/${EPISODE_ID}/session-feedback`]: () => ({
        episode_id: EPISODE_ID,
        instrument: ACCORD_FOUR,
        trend: null,
        sessions: [
          {
            session_id: "5e000000-0000-4000-8000-000000000001",
            held_at: "2026-11-03T10:00:00Z",
            feedback: {
              scores: { heard: 9, what_i_wanted: 8, way_we_worked: 9, overall: 9 },
              comment: null,
              answered_at: "2026-11-03T11:00:00Z",
              instrument: ACCORD_FOUR.code,
              mean: 8.75,
            },
          },
        ],
      }),
      ...Object.fromEntries(
        CLIENTS.map((id, i) => [`GET /api/v1/reporting/clients/${id}/name`, () => ({ client_id: id, display_name: CLIENT_NAMES[i] })]),
      ),
      "GET /api/v1/reporting/teams": () => ({ team_ids: [TEAM, OTHER_TEAM] }),
      [`GET /api/v1/reporting/teams/${TEAM}/caseload`]: () => ({
        items: [this.entry(CLIENTS[0]!, 1), this.entry(CLIENTS[1]!, 0)],
        next_cursor: null,
      }),
      [`GET /api/v1/reporting/teams/${OTHER_TEAM}/caseload`]: () => ({ items: [], next_cursor: null }),
      [`GET /api/v1/goals/${REPORT_GOAL}/history`]: () => ({
        entries: [{ at: "2026-11-05T09:00:00Z", actor: REPORT_CLIENT, action: "proposed revision", version: 2, reason: "Buses changed" }],
      }),
      "GET /api/v1/goals/exports": () => ({ items: this.exportPolls < 0 ? [] : [exportOf(REPORT_CLIENT, EXPORT_ID, 1)] }),
      // Like the service: staff must give the recorded request's reference (422 naming the field).
      "POST /api/v1/goals/exports": () => {
        const reference = (sent as { request_reference?: string }).request_reference;
        if (!reference) return this.noReference();
        this.exportPolls = 0;
        return new Answer(202, exportOf(REPORT_CLIENT, EXPORT_ID, 1, reference));
      },
      [`GET /api/v1/goals/exports/${EXPORT_ID}`]: () => exportOf(REPORT_CLIENT, EXPORT_ID, Math.min(4, 2 + 2 * this.exportPolls++)),
      "GET /api/v1/goals/episode-expiries": () => {
        const from = Number(query.get("cursor") ?? 0);
        const next = from + 2 < this.removals.length ? String(from + 2) : null;
        return { items: this.removals.slice(from, from + 2), next_cursor: next };
      },
      "GET /api/v1/goals/erasure-requests": () => ({
        items: this.erasures.filter((e) => {
          const status = query.get("status");
          const listed = status === "waiting" ? e.decision === null : status === "restricted" ? e.decision === "approved" && !e.lifted_at : true;
          return listed && [null, e.client_id].includes(query.get("client_id"));
        }),
      }),
      "POST /api/v1/goals/erasure-requests": () => {
        const body = sent as { client_id: string; request_reference?: string };
        if (!body.request_reference) return this.noReference();
        const recorded = { ...erasureOf(body.client_id, `e5000000-0000-4000-8000-00000000000${this.erasures.length + 1}`, ALEX), request_reference: body.request_reference };
        this.erasures.unshift(recorded);
        return new Answer(202, recorded);
      },
      [`POST /api/v1/goals/erasure-requests/${WAITING_ERASURE}/decision`]: () => {
        const decision = (sent as { decision: "approved" | "refused" }).decision;
        this.erasures = this.erasures.map((e) => (e.request_id === WAITING_ERASURE ? erasureOf(e.client_id, e.request_id, e.requested_by, { decision, applied: 1 }) : e));
        return this.erasures.find((e) => e.request_id === WAITING_ERASURE);
      },
      "GET /api/v1/reporting/outcomes": () => ({
        team_id: TEAM,
        first_day: "2026-09-01",
        last_day: "2026-11-28",
        suppression_threshold: 5,
        metrics: [
          { name: "goals_agreed", unit: "count", value: 42, clients: 12, suppressed: false },
          { name: "median_days_proposal_to_agreement", unit: "days", value: 3.5, clients: 12, suppressed: false },
          { name: "active_goals_with_recent_progress", unit: "share", value: 0.75, clients: 12, suppressed: false },
          { name: "recovery", unit: "share", value: null, clients: null, suppressed: true },
        ],
      }),
    };
    const lift = method === "POST" ? /^\/api\/v1\/goals\/erasure-requests\/([^/]+)\/restriction-lift$/.exec(path) : null;
    if (lift) return this.lift(lift[1]!, (sent as { reason?: string }).reason ?? "");
    const route = routes[`${method} ${path}`];
    if (!route) return { status: 404, body: { title: "Not found", status: 404 } };
    const answer = route();
    return answer instanceof Answer ? answer : { status: 200, body: answer };
  }

  /** Like the service: a reason of 1–300 characters (422 naming it), only a request Alex may lift (404 otherwise), once. */
  private lift(requestId: string, reason: string): Answer {
    const request = this.erasures.find((e) => e.request_id === requestId);
    if (!request?.may_lift && !request?.lifted_at) return new Answer(404, { title: "Not found", status: 404, field: "request_id" });
    if (request.lifted_at) return new Answer(409, { title: "Conflict", status: 409, detail: "The restriction is lifted already", field: "request_id" });
    if (reason.length < 1 || reason.length > 300)
      return new Answer(422, { title: "Unprocessable", status: 422, detail: "String should have at least 1 character", field: "body.reason" });
    const lifted = { ...request, lifted_at: "2026-11-29T09:00:00Z", may_lift: false };
    this.erasures = this.erasures.map((e) => (e.request_id === requestId ? lifted : e));
    return new Answer(200, { request_id: requestId, client_id: request.client_id, lifted_by: ALEX, lifted_by_roles: ["supervisor", "therapist"], lifted_at: lifted.lifted_at, reason });
  }

  private noReference(): Answer {
    return new Answer(422, { title: "Unprocessable", status: 422, detail: "Staff must name the recorded request", field: "request_reference" });
  }

  /** Server-Sent Events as the notifications service frames them; a long retry so the test's stream stays put. */
  private stream(): string {
    const events = ["retry: 3600000\n\n"];
    if (this.streamSignal) {
      this.streamed = true;
      events.push(`event: inbox\nid: 1\ndata: ${JSON.stringify({ ...this.signal(), unread_count: 1 })}\n\n`);
    }
    events.push(`event: unread\ndata: ${JSON.stringify({ unread_count: this.streamSignal && !this.signalRead ? 1 : 0 })}\n\n`);
    return events.join("");
  }

  async install(page: Page): Promise<void> {
    const handle = async (route: Route) => {
      const request = route.request();
      const url = new URL(request.url());
      if (url.pathname === "/api/v1/notifications/stream")
        return route.fulfill({ status: 200, contentType: "text/event-stream", body: this.stream() });
      const { status, body } = this.answer(request.method(), url.pathname, url.searchParams, request.postDataJSON());
      await route.fulfill({
        status,
        contentType: status >= 400 ? "application/problem+json" : "application/json",
        body: JSON.stringify(body),
      });
    };
    await page.route("**/api/v1/**", handle);
    await page.route("**/auth/session", handle);
  }
}
