import type { BrowserContext, Page, Route } from "@playwright/test";
import type { Episode, Goal, GoalProgress, InboxItem, Preferences } from "../src/api/types";
import { liveSessionTimes } from "../src/test/sessionTimes";
import { erasureOf } from "../src/clinician/rightsFixture";

export const SAM = "5a000000-0000-4000-8000-000000000001";
export const JO = "70000000-0000-4000-8000-000000000003";
export const ALEX = "a1000000-0000-4000-8000-000000000002";
export const EPISODE = "e0000000-0000-4000-8000-0000000000e1";
export const ACTIVE = "90000000-0000-4000-8000-000000000001";
export const PROPOSED = "90000000-0000-4000-8000-000000000002";
export const EXPORT = "ee000000-0000-4000-8000-0000000000e1";
export const SESSION = "5e000000-0000-4000-8000-000000000001";
const w = (en: string, cy: string) => ({ en, cy });
const NOT_AT_ALL = w("Not at all", "Dim o gwbl");
const COMPLETELY = w("Completely", "Yn llwyr");
/** Accord's own four questions, as the progress service answers GET /feedback-instrument by default. */
export const FEEDBACK_INSTRUMENT = {
  code: "accord-session-4",
  name: w("How was today's session?", "Sut oedd y sesiwn heddiw?"),
  validated: false,
  licence: null,
  items: [
    { key: "heard", question: w("I felt heard and respected", "Roeddwn i'n teimlo fy mod yn cael fy nghlywed a'm parchu"), low: NOT_AT_ALL, high: COMPLETELY },
    { key: "what_i_wanted", question: w("We worked on what I wanted to work on", "Fe wnaethon ni weithio ar yr hyn roeddwn i eisiau"), low: NOT_AT_ALL, high: COMPLETELY },
    { key: "way_we_worked", question: w("The way we worked suited me", "Roedd y ffordd y gwnaethon ni weithio yn fy siwtio i"), low: NOT_AT_ALL, high: COMPLETELY },
    { key: "overall", question: w("Overall, today's session was right for me", "At ei gilydd, roedd y sesiwn heddiw'n iawn i mi"), low: w("Not right for me", "Ddim yn iawn i mi"), high: w("Just right", "Yn union iawn") },
  ],
};
const CSRF = "csrf-e2e";

function content(statement: string) {
  return {
    statement,
    why_it_matters: "So I can see my friends and keep up",
    category_code: "daily_living",
    measure: { kind: "goal_rating" as const, minimum: 0, maximum: 10, instrument: null, period_days: null, unit_code: null },
    baseline: 2,
    target: 8,
    direction: "increase" as const,
    due_date: "2027-03-01",
    review_interval_days: 14,
    confidence: 6,
    expressed_by: "client" as const,
    milestones: [
      { milestone_id: "a0000000-0000-4000-8000-000000000001", kind: "threshold" as const, description: "Bus with Mum", threshold: 4 },
      { milestone_id: "a0000000-0000-4000-8000-000000000002", kind: "action" as const, description: "Buy a bus pass", threshold: null },
    ],
    family_party_ids: [],
  };
}

type Parties = NonNullable<Goal["pending_version"]>["parties"];

function version(statement: string, state: "agreed" | "proposed", parties: Parties) {
  return {
    number: 1,
    state,
    content: content(statement),
    created_by: SAM,
    created_at: "2026-11-01T09:00:00Z",
    change_reason: null,
    proposed_at: "2026-11-01T09:00:00Z",
    agreed_at: state === "agreed" ? "2026-11-02T09:00:00Z" : null,
    smart_override_reason: null,
    parties,
  };
}

/** What the fake API holds; tests change it and read what was sent. */
export class FakeApi {
  person: "sam" | "jo" = "sam";
  offline = false;
  received: { method: string; path: string; body: unknown; csrf: string | null }[] = [];
  storedEntries = new Set<string>();
  /** The proposed goal ("Speak up once in each seminar") agreed by everyone since: active, as the server now says. */
  proposedAgreed = false;
  /** How many times the export's progress was asked for: each answer has one more part ready, up to all four. */
  exportPolls = 0;
  exportStarted = false;
  /** The confirmation links followed: the first use of a token works, a second is refused as used. */
  usedTokens = new Set<string>();
  /** The young person's answer to the session's feedback check, once given (a second is refused, as the service does). */
  feedback: { scores: Record<string, number>; comment?: string } | null = null;
  /** Erasure requests about Sam, newest first, as the goals service keeps them: the ones Sam asks for here. */
  erasures: ReturnType<typeof erasureOf>[] = [];
  preferences: Preferences = { locale: "en", time_zone: "Europe/London", channels: ["email"], quiet_hours: null, clinician_delivery: "immediate" };

  goals(): Goal[] {
    const active: Goal = {
      goal_id: ACTIVE,
      episode_id: EPISODE,
      client_id: SAM,
      status: "active",
      fhir_lifecycle_status: "active",
      visibility: "shared",
      shared_with: [JO],
      outcome: null,
      agreed_version: version("Take the bus to college on my own three days a week", "agreed", []),
      pending_version: null,
      revision: 3,
      alignment: { answers: [], spread: null, diverges: false, threshold: 4 },
    };
    const proposed: Goal = {
      goal_id: PROPOSED,
      episode_id: EPISODE,
      client_id: SAM,
      status: "proposed",
      fhir_lifecycle_status: "proposed",
      visibility: "private",
      shared_with: [],
      outcome: null,
      agreed_version: null,
      pending_version: version("Speak up once in each seminar", "proposed", [
        { person_id: SAM, role: "client", status: "pending", agreement: null },
        { person_id: ALEX, role: "therapist", status: "agree", agreement: { decision: "agree", comment: "Sounds good to me", at: "2026-11-02T10:00:00Z" } },
      ]),
      revision: 1,
      alignment: { answers: [], spread: null, diverges: false, threshold: 4 },
    };
    const agreed: Goal = {
      ...proposed,
      status: "active",
      fhir_lifecycle_status: "active",
      agreed_version: { ...version("Speak up once in each seminar", "agreed", []), agreed_at: "2026-11-03T09:00:00Z" },
      pending_version: null,
      revision: 2,
    };
    const second = this.proposedAgreed ? agreed : proposed;
    return this.person === "sam" ? [active, second] : [active]; // Jo sees only what Sam shares
  }

  progress(): GoalProgress {
    return {
      goal_id: ACTIVE,
      goal_version: 1,
      status: "active",
      achievement_status: "improving",
      baseline: 2,
      target: 8,
      direction: "increase",
      latest: 5,
      change: 3,
      percent_to_target: 50,
      trend: "improving",
      reliable_change: null,
      target_reached_at: null,
      milestones: [
        { milestone_id: "a0000000-0000-4000-8000-000000000001", position: 1, kind: "threshold", threshold: 4, reached_at: new Date().toISOString() },
        { milestone_id: "a0000000-0000-4000-8000-000000000002", position: 2, kind: "action", threshold: null, reached_at: null },
      ],
      series: [
        { entry_id: "b1", value: 2, occurred_at: "2026-11-03T09:00:00Z" },
        { entry_id: "b2", value: 4, occurred_at: "2026-11-10T09:00:00Z" },
        { entry_id: "b3", value: 5, occurred_at: "2026-11-20T09:00:00Z" },
      ],
    };
  }

  episode(): Episode {
    return {
      episode_id: EPISODE,
      client_id: SAM,
      team_id: "d0000000-0000-4000-8000-000000000001",
      lead_therapist_id: ALEX,
      status: "open",
      opened_at: "2026-11-01T09:00:00Z",
      closed_at: null,
      participants: [
        { person_id: SAM, role: "client", joined_at: "2026-11-01T09:00:00Z", relationship_code: null },
        { person_id: JO, role: "family", joined_at: "2026-11-01T09:00:00Z", relationship_code: "parent" },
      ],
    };
  }

  inbox(): InboxItem[] {
    return [
      {
        id: "n1",
        kind: "milestone_reached",
        title: "Something to celebrate",
        body: "There's news about one of your goals.",
        link: `http://127.0.0.1/goals/${ACTIVE}`,
        created_at: "2026-11-27T09:00:00Z",
        read_at: null,
      },
    ];
  }

  session() {
    const f = this.feedback;
    const mean = f ? Object.values(f.scores).reduce((a, b) => a + b, 0) / 4 : 0;
    const answered = f && { scores: f.scores, comment: f.comment ?? null, answered_at: "2026-11-28T12:00:00Z", instrument: "accord-session-4", mean };
    return { session_id: SESSION, held_at: "2026-11-28T10:00:00Z", feedback: answered ?? null };
  }

  answer(method: string, path: string, body: unknown): { status: number; body?: unknown } {
    const session = {
      subject: this.person === "sam" ? SAM : JO,
      roles: [this.person === "sam" ? "client" : "family"],
      tenant_id: "demo",
      name: this.person === "sam" ? "Sam" : "Jo",
      csrf_token: CSRF,
      ...liveSessionTimes(),
    };
    const routes: Record<string, () => { status: number; body?: unknown }> = {
      "GET /auth/session": () => ({ status: 200, body: session }),
      "GET /api/v1/notifications/preferences": () => ({ status: 200, body: this.preferences }),
      "PUT /api/v1/notifications/preferences": () => {
        this.preferences = body as Preferences;
        return { status: 200, body: this.preferences };
      },
      "GET /api/v1/notifications/inbox/unread-count": () => ({ status: 200, body: { unread: 1 } }),
      "GET /api/v1/notifications/inbox": () => ({ status: 200, body: { items: this.inbox(), next_cursor: null } }),
      "GET /api/v1/notifications/contact-points": () => ({
        status: 200,
        body: { items: [{ id: "c1", email: "sam@example.org", created_at: "2026-11-01T09:00:00Z", active: true, confirmed: true }], next_cursor: null },
      }),
      "GET /api/v1/me/overview": () => ({
        status: 200,
        body: { goals: this.goals().filter((g) => g.status === "active"), progress: { [ACTIVE]: this.progress() }, unread_notifications: 1, missing: [] },
      }),
      "GET /api/v1/episodes": () => ({ status: 200, body: { items: [this.episode()], next_cursor: null } }),
      [`GET /api/v1/episodes/${EPISODE}`]: () => ({ status: 200, body: this.episode() }),
      [`GET /api/v1/episodes/${EPISODE}/goals`]: () => ({ status: 200, body: { items: this.goals(), next_cursor: null } }),
      [`GET /api/v1/progress/goals/${ACTIVE}`]: () => ({ status: 200, body: this.progress() }),
      [`GET /api/v1/progress/clients/${SAM}/checkins`]: () => ({
        status: 200,
        body: [
          { checkin_id: "c1", mood: 6, text: "Went to the park with Alex.", shared_with_therapist: false, occurred_at: "2026-11-26T18:00:00Z" },
        ],
      }),
      "POST /api/v1/goals/smart-check": () => ({
        status: 200,
        body: {
          passed: false,
          results: [
            { criterion: "specific", passed: true, hint: null },
            { criterion: "relevant", passed: false, hint: "Add a few words on why this goal matters to you." },
          ],
        },
      }),
      "POST /api/v1/progress/entries/batch": () => {
        const entries = (body as { entries: { entry_id: string }[] }).entries;
        return {
          status: 200,
          body: {
            results: entries.map((e) => {
              const duplicate = this.storedEntries.has(e.entry_id);
              this.storedEntries.add(e.entry_id);
              return { entry_id: e.entry_id, status: duplicate ? "duplicate" : "created" };
            }),
          },
        };
      },
      "POST /api/v1/progress/checkins": () => ({ status: 201, body: { ...(body as object), shared_with_therapist: false } }),
      "POST /api/v1/progress/questionnaires": () => ({
        status: 201,
        body: { response_id: "r1", instrument: "PHQ-9", total: 14, severity: "moderate", occurred_at: new Date().toISOString(), support_offered: true },
      }),
      "GET /api/v1/feedback-instrument": () => ({ status: 200, body: FEEDBACK_INSTRUMENT }),
      [`GET /api/v1/episodes/${EPISODE}/session-feedback`]: () => ({
        status: 200,
        body: { episode_id: EPISODE, instrument: FEEDBACK_INSTRUMENT, sessions: [this.session()], trend: null },
      }),
      [`POST /api/v1/episodes/${EPISODE}/sessions/${SESSION}/feedback`]: () => {
        if (this.feedback) return { status: 409, body: { title: "Conflict", status: 409, detail: "this session's feedback is already given: one answer per session" } };
        this.feedback = body as { scores: Record<string, number>; comment?: string };
        return { status: 201, body: this.session() };
      },
    };
    routes[`GET /api/v1/goals/${ACTIVE}/visibility-changes`] = () => ({
      status: 200,
      body: { items: [{ changed_at: "2026-10-01T09:00:00Z", changed_by: SAM, visibility: "shared", shared_with: [JO], cause: "made shared" }] },
    });
    routes["POST /api/v1/goals/exports"] = () => {
      this.exportStarted = true;
      return { status: 202, body: this.export(0) };
    };
    // The person's own exports, newest first: the one started here (as far as it has got), once there is one.
    routes["GET /api/v1/goals/exports"] = () => ({ status: 200, body: { items: this.exportStarted ? [this.export(Math.min(4, this.exportPolls))] : [] } });
    routes[`GET /api/v1/goals/exports/${EXPORT}`] = () => ({ status: 200, body: this.export(Math.min(4, ++this.exportPolls)) });
    routes["GET /api/v1/goals/erasure-requests"] = () => ({ status: 200, body: { items: this.erasures } });
    // Like the service: a client asks about themself, with no reference; nothing changes until it is decided.
    routes["POST /api/v1/goals/erasure-requests"] = () => {
      const id = `e5000000-0000-4000-8000-00000000000${this.erasures.length + 1}`;
      this.erasures.unshift({ ...erasureOf(SAM, id, SAM, { reference: null, roles: ["client"] }), requested_at: new Date().toISOString() });
      return { status: 202, body: this.erasures[0] };
    };
    routes["POST /api/v1/notifications/email-confirmations"] = () => {
      const token = (body as { token: string }).token;
      if (this.usedTokens.has(token))
        return { status: 410, body: { title: "Confirmation link already used", status: 410, field: "token", reason: "used" } };
      this.usedTokens.add(token);
      return { status: 200, body: { id: "c2", email: "sam.new@example.org", created_at: "2026-11-01T09:00:00Z", active: true, confirmed: true } };
    };
    for (const goal of this.goals()) routes[`GET /api/v1/goals/${goal.goal_id}`] = () => ({ status: 200, body: goal });
    const route = routes[`${method} ${path}`];
    return route ? route() : { status: 404, body: { title: "Not found", status: 404 } };
  }

  export(ready: number) {
    const services = ["goals", "progress", "notifications", "reporting"];
    return {
      export_id: EXPORT,
      client_id: SAM,
      requested_at: "2026-11-28T10:00:00Z",
      request_reference: null,
      parts_expected: 4,
      parts_ready: ready,
      ready: ready === 4,
      parts: services.map((service, i) => ({ service, ready: i < ready, records: i < ready ? 5 : null, href: `/api/v1/${service}/exports/${EXPORT}/part` })),
    };
  }

  /** On a page, or on the whole context (which also reaches the service worker's own requests). */
  async install(page: Page | BrowserContext): Promise<void> {
    const handle = async (route: Route) => {
      if (this.offline) return route.abort("internetdisconnected");
      const request = route.request();
      const url = new URL(request.url());
      const body = request.postData() ? (JSON.parse(request.postData()!) as unknown) : undefined;
      this.received.push({ method: request.method(), path: url.pathname, body, csrf: request.headers()["x-csrf-token"] ?? null });
      const { status, body: answer } = this.answer(request.method(), url.pathname, body);
      await route.fulfill({
        status,
        contentType: status >= 400 ? "application/problem+json" : "application/json",
        body: answer === undefined ? "" : JSON.stringify(answer),
      });
    };
    await page.route("**/api/v1/**", handle);
    await page.route("**/auth/session", handle);
  }
}
