"""The API's response bodies, and how they are made from the domain's values."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel

from accord.reporting.domain.access import Audience, Scope
from accord.reporting.domain.alliance import EarlyWarning, SuggestedStep, WarningKind
from accord.reporting.domain.alliance_figures import AllianceReport
from accord.reporting.domain.caseload import CaseloadRow, client_warnings
from accord.reporting.domain.goals import GoalState
from accord.reporting.domain.history import ClientHistory, Questionnaire
from accord.reporting.domain.measures import Metric, OutcomeRules, questionnaire_change
from accord.reporting.domain.outcomes import Period
from accord.shared.inputs import RequestModel, Text


class AgreementStep(BaseModel):
    event: str
    at: datetime
    version: int | None = None
    party_id: UUID | None = None
    decision: str | None = None
    visibility: str | None = None
    outcome: str | None = None


class PartyAcceptance(BaseModel):
    person_id: UUID
    role: str
    status: str


class EntryOut(BaseModel):
    entry_id: UUID
    kind: str
    at: datetime
    value: float | None
    goal_version: int | None
    milestone_id: UUID | None
    recorded_by_role: str | None


class MilestoneOut(BaseModel):
    milestone_id: UUID
    position: int
    kind: str
    threshold: float | None
    reached_at: datetime | None


class CurrentProgress(BaseModel):
    latest_value: float | None
    progress_fraction: float | None
    last_entry_at: datetime | None
    target_reached_at: datetime | None


class GoalReport(BaseModel):
    goal_id: UUID
    episode_id: UUID
    version: int | None
    lifecycle_status: str
    achievement_status: str | None
    category_code: str | None
    measure_kind: str | None
    baseline: float | None
    target: float | None
    direction: str | None
    due_date: date | None
    visibility: str
    acceptance: list[PartyAcceptance]
    agreement_history: list[AgreementStep]
    entries: list[EntryOut]
    milestones: list[MilestoneOut]
    current_progress: CurrentProgress
    review_reasons: list[str] | None = None
    """Clinicians only: a prompt to review together, never shown to the client as a reproach."""
    chart_url: str

    @classmethod
    def of(cls, goal: GoalState, client_id: UUID, audience: Audience, now: datetime) -> "GoalReport":
        c = goal.current
        return cls(
            goal_id=goal.goal_id,
            episode_id=goal.episode_id,
            version=c.version if c else None,
            lifecycle_status=goal.lifecycle.value,
            achievement_status=goal.achievement.value if goal.achievement else None,
            category_code=c.category_code if c else None,
            measure_kind=c.measure.kind.value if c else None,
            baseline=c.baseline if c else None,
            target=c.target if c else None,
            direction=c.direction.value if c else None,
            due_date=c.due_date if c else None,
            visibility=goal.visibility.value,
            acceptance=[
                PartyAcceptance(person_id=a.party.person_id, role=a.party.role.value, status=a.status.value)
                for a in goal.acceptance
            ],
            agreement_history=[
                AgreementStep(
                    event=e.event_type,
                    at=e.at,
                    version=e.version,
                    party_id=e.party_id,
                    decision=e.decision,
                    visibility=e.visibility.value if e.visibility else None,
                    outcome=e.outcome,
                )
                for e in goal.history
            ],
            entries=[
                EntryOut(
                    entry_id=e.entry_id,
                    kind=e.kind.value,
                    at=e.at,
                    value=e.value,
                    goal_version=e.goal_version,
                    milestone_id=e.milestone_id,
                    recorded_by_role=e.recorded_by_role.value if e.recorded_by_role else None,
                )
                for e in goal.entries
            ],
            milestones=[
                MilestoneOut(
                    milestone_id=m.milestone_id,
                    position=m.position,
                    kind=m.kind.value,
                    threshold=m.threshold,
                    reached_at=goal.milestones_reached.get(m.milestone_id),
                )
                for m in sorted(c.milestones if c else (), key=lambda m: m.position)
            ],
            current_progress=CurrentProgress(
                latest_value=goal.latest_value(),
                progress_fraction=goal.progress_fraction(),
                last_entry_at=goal.last_entry_at(),
                target_reached_at=goal.target_reached_at,
            ),
            review_reasons=goal.review_reasons(now) if audience is Audience.CLINICIAN else None,
            chart_url=f"/reporting/clients/{client_id}/goals/{goal.goal_id}/chart.svg",
        )


class QuestionnaireScore(BaseModel):
    response_id: UUID
    instrument: str
    total: int
    severity: str
    at: datetime
    change_from_first: int | None = None
    """This total minus the client's first of the same instrument (none for the first)."""
    reliable_change: str | None = None
    """Against the first: improvement, deterioration or none, by the outcome rules' thresholds (none for the first)."""
    caseness_threshold: int | None = None
    """The score at and above which this instrument counts as a case (NHS Talking Therapies; a setting)."""
    reliable_change_threshold: int | None = None
    """The size of change from the first that counts as reliable for this instrument (a setting)."""


def _scores(responses: list[Questionnaire], rules: OutcomeRules) -> list[QuestionnaireScore]:
    """Each response with its change from the first of the same instrument among those given (in time order)."""
    scores: list[QuestionnaireScore] = []
    first: dict[str, int] = {}
    caseness = {"PHQ-9": rules.phq9_caseness, "GAD-7": rules.gad7_caseness}
    reliable = {"PHQ-9": rules.phq9_reliable_change, "GAD-7": rules.gad7_reliable_change}
    for q in responses:
        later = q.instrument in first
        start = first.setdefault(q.instrument, q.total)
        change = questionnaire_change(q.instrument, start, q.total, rules) if later else None
        scores.append(
            QuestionnaireScore(
                response_id=q.response_id,
                instrument=q.instrument,
                total=q.total,
                severity=q.severity,
                at=q.at,
                change_from_first=q.total - start if later else None,
                reliable_change=change.value if change else None,
                caseness_threshold=caseness.get(q.instrument),
                reliable_change_threshold=reliable.get(q.instrument),
            )
        )
    return scores


class SafetySignalOut(BaseModel):
    signal_id: UUID
    instrument: str
    raised_at: datetime


class WarningOut(BaseModel):
    """An early warning: a prompt for the clinicians with a suggested next step (docs/alliance.md)."""

    kind: WarningKind
    goal_id: UUID | None = None
    episode_id: UUID | None = None
    suggested_step: SuggestedStep

    @classmethod
    def of(cls, w: EarlyWarning) -> "WarningOut":
        return cls(kind=w.kind, goal_id=w.goal_id, episode_id=w.episode_id, suggested_step=w.suggested_step)


class ClientReport(BaseModel):
    client_id: UUID
    client_name: str | None = None
    """The name the client prefers, as a therapist of theirs entered it (none until one has)."""
    generated_at: datetime
    goals: list[GoalReport]
    questionnaires: list[QuestionnaireScore] | None = None
    """The client and their clinicians only."""
    safety_signals: list[SafetySignalOut] | None = None
    """Clinicians only."""
    warnings: list[WarningOut] | None = None
    """Clinicians only: the early warnings of the alliance in the clinician's episodes of the client, as on the
    caseload (docs/alliance.md), each with its suggested next step."""

    @classmethod
    def of(
        cls,
        history: ClientHistory,
        goals: list[GoalState],
        scope: Scope,
        now: datetime,
        client_name: str | None,
        rules: OutcomeRules,
        feedback_low_below: int,
    ) -> "ClientReport":
        scores = _scores(scope.questionnaires(history), rules)
        signals = [
            SafetySignalOut(signal_id=s.signal_id, instrument=s.instrument, raised_at=s.raised_at)
            for s in sorted(history.safety_signals, key=lambda s: (s.raised_at, str(s.signal_id)))
        ]
        return cls(
            client_id=history.client_id,
            client_name=client_name,
            generated_at=now,
            goals=[GoalReport.of(g, history.client_id, scope.audience, now) for g in goals],
            questionnaires=scores if scope.sees_scores else None,
            safety_signals=signals if scope.audience is Audience.CLINICIAN else None,
            warnings=[WarningOut.of(w) for w in client_warnings(history, goals, scope, feedback_low_below)]
            if scope.audience is Audience.CLINICIAN
            else None,
        )


class CaseloadEntry(BaseModel):
    client_id: UUID
    client_name: str | None
    """The name the client prefers, as a therapist of theirs entered it (none until one has)."""
    episode_ids: list[UUID]
    active_goals: int
    last_progress_at: datetime | None
    goals_due_for_review: list[UUID]
    unseen_safety_signals: int
    undelivered_safety_alerts: int
    milestones_reached_this_week: int
    warnings: list[WarningOut]

    @classmethod
    def of(cls, row: CaseloadRow, client_name: str | None) -> "CaseloadEntry":
        return cls(
            client_id=row.client_id,
            client_name=client_name,
            episode_ids=list(row.episode_ids),
            active_goals=row.active_goals,
            last_progress_at=row.last_progress_at,
            goals_due_for_review=list(row.goals_due_for_review),
            unseen_safety_signals=row.unseen_safety_signals,
            undelivered_safety_alerts=row.undelivered_safety_alerts,
            milestones_reached_this_week=row.milestones_reached_this_week,
            warnings=[WarningOut.of(w) for w in row.warnings],
        )


class MetricOut(BaseModel):
    name: str
    unit: str
    value: float | None
    clients: int | None
    suppressed: bool

    @classmethod
    def of(cls, m: Metric) -> "MetricOut":
        return cls(name=m.name, unit=m.unit, value=m.value, clients=m.clients, suppressed=m.suppressed)


class ServiceOutcomes(BaseModel):
    team_id: UUID
    first_day: date
    last_day: date
    suppression_threshold: int
    metrics: list[MetricOut]


class MonthFigures(BaseModel):
    first_day: date
    last_day: date
    metrics: list[MetricOut]


class TherapistFigures(BaseModel):
    therapist_id: UUID
    metrics: list[MetricOut]


class AllianceFiguresOut(BaseModel):
    """A team's alliance figures (docs/alliance.md): divergences resolved within two sessions, the young people's
    session feedback and its change, month by month and over the period; per therapist only where the service
    enables it for supervision (`null` otherwise)."""

    team_id: UUID
    first_day: date
    last_day: date
    suppression_threshold: int
    months: list[MonthFigures]
    metrics: list[MetricOut]
    therapists: list[TherapistFigures] | None

    @classmethod
    def of(cls, team_id: UUID, period: Period, threshold: int, report: AllianceReport) -> "AllianceFiguresOut":
        return cls(
            team_id=team_id,
            first_day=period.first_day,
            last_day=period.last_day,
            suppression_threshold=threshold,
            months=[
                MonthFigures(first_day=m.first_day, last_day=m.last_day, metrics=[MetricOut.of(x) for x in figures])
                for m, figures in report.months
            ],
            metrics=[MetricOut.of(x) for x in report.totals],
            therapists=None
            if report.therapists is None
            else [
                TherapistFigures(therapist_id=t, metrics=[MetricOut.of(x) for x in figures])
                for t, figures in report.therapists.items()
            ],
        )


class ClientNameIn(RequestModel):
    display_name: Annotated[str, Text(60, min_length=1)]
    """What the client prefers to be called; one line, shown to their clinicians only."""


class ClientName(BaseModel):
    client_id: UUID
    display_name: str


class ClientNameOut(BaseModel):
    client_id: UUID
    display_name: str | None
    """None until a therapist of the client has entered the name the client prefers."""


class SupervisedTeams(BaseModel):
    team_ids: list[UUID]
    """The teams whose caseloads and outcomes the person may see as a supervisor (from their token)."""
