/** A client report as the reporting service answers it (used by the component and browser tests). */
export const REPORT_CLIENT = "5a000000-0000-4000-8000-000000000001";
export const REPORT_GOAL = "90000000-0000-4000-8000-000000000001";

export const REPORT_THERAPIST = "a1000000-0000-4000-8000-000000000002";

export const REPORT = {
  client_id: REPORT_CLIENT,
  client_name: "Sam",
  generated_at: "2026-11-28T09:00:00Z",
  safety_signals: [{ signal_id: "51000000-0000-4000-8000-000000000001", instrument: "PHQ-9", raised_at: "2026-11-20T09:00:00Z" }],
  questionnaires: [
    { response_id: "r1", instrument: "PHQ-9", total: 18, severity: "moderately_severe", at: "2026-10-01T09:00:00Z", change_from_first: null, reliable_change: null, caseness_threshold: 10, reliable_change_threshold: 6 },
    { response_id: "r2", instrument: "PHQ-9", total: 9, severity: "mild", at: "2026-11-20T09:00:00Z", change_from_first: -9, reliable_change: "improvement", caseness_threshold: 10, reliable_change_threshold: 6 },
    { response_id: "g1", instrument: "GAD-7", total: 11, severity: "moderate", at: "2026-10-01T09:05:00Z", change_from_first: null, reliable_change: null, caseness_threshold: 8, reliable_change_threshold: 4 },
    { response_id: "g2", instrument: "GAD-7", total: 13, severity: "moderate", at: "2026-10-20T09:05:00Z", change_from_first: 2, reliable_change: "none", caseness_threshold: 8, reliable_change_threshold: 4 },
    { response_id: "g3", instrument: "GAD-7", total: 16, severity: "severe", at: "2026-11-20T09:05:00Z", change_from_first: 5, reliable_change: "deterioration", caseness_threshold: 8, reliable_change_threshold: 4 },
  ],
  goals: [
    {
      goal_id: REPORT_GOAL,
      episode_id: "e0000000-0000-4000-8000-0000000000e1",
      version: 2,
      lifecycle_status: "active",
      achievement_status: "improving",
      category_code: "daily_living",
      measure_kind: "goal_rating",
      baseline: 2,
      target: 8,
      direction: "increase",
      due_date: "2027-03-01",
      visibility: "shared",
      acceptance: [
        { person_id: REPORT_CLIENT, role: "client", status: "agreed" },
        { person_id: REPORT_THERAPIST, role: "therapist", status: "agreed" },
      ],
      agreement_history: [
        { event: "GoalProposed", at: "2026-11-01T09:00:00Z", party_id: null, decision: null, outcome: null, version: 1, visibility: null },
        { event: "GoalAgreementRecorded", at: "2026-11-02T09:00:00Z", party_id: REPORT_THERAPIST, decision: "agree", outcome: null, version: 1, visibility: null },
      ],
      entries: [
        { entry_id: "b1", kind: "rating", at: "2026-11-03T09:00:00Z", value: 2, goal_version: 1, milestone_id: null, recorded_by_role: "client" },
        { entry_id: "b2", kind: "rating", at: "2026-11-10T09:00:00Z", value: 4, goal_version: 1, milestone_id: null, recorded_by_role: "client" },
        { entry_id: "b3", kind: "rating", at: "2026-11-20T09:00:00Z", value: 5, goal_version: 2, milestone_id: null, recorded_by_role: "therapist" },
      ],
      milestones: [{ milestone_id: "m1", position: 1, kind: "threshold", threshold: 4, reached_at: "2026-11-10T09:00:00Z" }],
      current_progress: { latest_value: 5, progress_fraction: 0.5, last_entry_at: "2026-11-20T09:00:00Z", target_reached_at: null },
      review_reasons: ["no_progress_for_28_days"],
      chart_url: "/api/v1/reporting/clients/x/goals/y/chart.svg",
    },
  ],
};

/** The goal's record in the goals service (its wording, and the revision to send as If-Match). */
export const REPORT_GOAL_RECORD = {
  goal_id: REPORT_GOAL,
  episode_id: "e0000000-0000-4000-8000-0000000000e1",
  client_id: REPORT_CLIENT,
  status: "active",
  fhir_lifecycle_status: "active",
  visibility: "shared",
  shared_with: [],
  outcome: null,
  revision: 4,
  pending_version: null,
  agreed_version: {
    version: 2,
    content: {
      statement: "Take the bus to college on my own three days a week",
      category_code: "daily_living",
      measure: { kind: "goal_rating", minimum: 0, maximum: 10 },
      baseline: 2,
      target: 8,
      direction: "increase",
      due_date: "2027-03-01",
      review_interval_days: 28,
      confidence: 6,
      expressed_by: "client",
      why_it_matters: "",
      family_party_ids: [],
      milestones: [],
    },
  },
};

/** The check-ins the client shared with their therapist (the progress service answers clinicians with no other). */
export const REPORT_CHECKINS = [
  { checkin_id: "c1000000-0000-4000-8000-000000000001", mood: 4, text: "Went to the park with Alex.", shared_with_therapist: true, occurred_at: "2026-11-21T18:00:00Z" },
];
