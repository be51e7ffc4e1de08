"""A scripted journey for the analytics stream: one client's episode with family and a colleague, a goal from
proposal to closing, entries, scores, a safety signal and its alerts; a second client; the first client again
under another tenant. Names, e-mail addresses, goal wording and notes are slipped into payloads as a careless
producer might, so that the analytics stream can be shown to drop them. Tenant a rotates its key mid-journey."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from goal_builders import agreed_goal
from reporting_analytics import period, secret

from accord.reporting.analytics.keys import KeyPeriod
from accord.shared.events import Envelope
from accord.shared.events.base import ClientEvent
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts import notifications as n
from accord.shared.events.contracts import progress as p
from accord.shared.events.contracts.common import (
    Direction,
    Instrument,
    Measure,
    MeasureKind,
    MilestoneKind,
    MilestoneSpec,
    Party,
    Role,
    Visibility,
)

ROTATION = date(2025, 3, 15)
PRODUCERS = {g.GoalsEvent: "goals", p.ProgressEvent: "progress", n.NotificationsEvent: "notifications"}
WORDS = {
    "client_name": "Samira Okonkwo-Bright",
    "client_email": "samira.okonkwo@example.org",
    "parent_name": "Ruth Okonkwo-Bright",
    "parent_email": "ruth.ob@example.net",
    "goal": "Eat lunch in the school canteen with Jade twice a week",
    "why": "So I stop hiding in the library toilets",
    "note": "Panic on the number 12 bus but I stayed on until Elm Road",
}
"""Everything identifying or free text the journey used besides ids: none of it may reach the analytics stream."""


def at(day: int, hour: int = 14, minute: int = 37) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


@dataclass
class Journey:
    tenant_a: str = field(default_factory=lambda: f"t-{uuid4().hex[:10]}")
    tenant_b: str = field(default_factory=lambda: f"t-{uuid4().hex[:10]}")
    client: UUID = field(default_factory=uuid4)
    other_client: UUID = field(default_factory=uuid4)
    therapist: UUID = field(default_factory=uuid4)
    colleague: UUID = field(default_factory=uuid4)
    parent: UUID = field(default_factory=uuid4)
    ids: dict[str, UUID] = field(default_factory=dict)
    envelopes: list[Envelope] = field(default_factory=list)

    def __getitem__(self, name: str) -> UUID:
        return self.ids.setdefault(name, uuid4())

    def keys(self) -> dict[str, tuple[KeyPeriod, ...]]:
        first = date(2024, 1, 1)
        return {
            self.tenant_a: (period(first, secret("a-first")), period(ROTATION, secret("a-second"))),
            self.tenant_b: (period(first, secret("b")),),
        }

    def identifiers(self) -> set[UUID]:
        """Every id the journey used: people, records and the domain events themselves."""
        people = {self.client, self.other_client, self.therapist, self.colleague, self.parent}
        return people | set(self.ids.values()) | {e.event_id for e in self.envelopes}

    def emit(self, event: ClientEvent, when: datetime, tenant: str = "", **slipped: Any) -> Envelope:
        producer = next(name for base, name in PRODUCERS.items() if isinstance(event, base))
        envelope = Envelope.wrap(event, producer=producer, tenant_id=tenant or self.tenant_a, occurred_at=when)
        if slipped:
            envelope = envelope.model_copy(update={"payload": {**envelope.payload, **slipped}})
        self.envelopes.append(envelope)
        return envelope


def script() -> Journey:
    j = Journey()
    c, goal, episode = j.client, j["goal"], j["episode"]
    parties = (Party(person_id=c, role=Role.CLIENT), Party(person_id=j.therapist, role=Role.THERAPIST))
    opened = g.EpisodeOpened(
        client_id=c, episode_id=episode, team_id=j["team"], lead_therapist_id=j.therapist, opened_at=at(1)
    )
    j.emit(opened, at(1), client_name=WORDS["client_name"], client_email=WORDS["client_email"])
    j.emit(g.ParticipantJoined(client_id=c, episode_id=episode, person_id=c, role=Role.CLIENT), at(1))
    family = g.ParticipantJoined(
        client_id=c, episode_id=episode, person_id=j.parent, role=Role.FAMILY, relationship_code="grandparent"
    )
    j.emit(family, at(2), display_name=WORDS["parent_name"], email=WORDS["parent_email"])
    j.emit(g.ParticipantJoined(client_id=c, episode_id=episode, person_id=j.colleague, role=Role.THERAPIST), at(2))
    _agree(j, goal, episode, parties)
    j.emit(g.GoalVisibilityChanged(client_id=c, goal_id=goal, visibility=Visibility.PRIVATE), at(5))
    _progress_before_rotation(j, goal)
    j.emit(g.GoalPaused(client_id=c, goal_id=goal, paused_by=j.therapist), at(12))
    j.emit(g.GoalResumed(client_id=c, goal_id=goal, resumed_by=j.therapist), at(13, 23, 58))
    _after_rotation(j, goal, episode, parties)
    _others(j)
    return j


def _agree(j: Journey, goal: UUID, episode: UUID, parties: tuple[Party, ...]) -> None:
    c = j.client
    proposed = g.GoalProposed(
        client_id=c,
        goal_id=goal,
        episode_id=episode,
        version=1,
        proposed_by=c,
        required_parties=parties,
        visibility=Visibility.SHARED,
        shared_with=(j.parent,),
    )
    j.emit(proposed, at(3), statement=WORDS["goal"])
    for party in (c, j.therapist):
        decision = g.GoalAgreementRecorded(
            client_id=c, goal_id=goal, version=1, party_id=party, decision=g.Decision.AGREE
        )
        j.emit(decision, at(4, 9))
    agreed = agreed_goal(
        c,
        goal_id=goal,
        episode=episode,
        category_code="social_confidence",
        measure=Measure(kind=MeasureKind.COUNT_PER_PERIOD, minimum=0, maximum=14, period_days=7, unit_code="lunches"),
        baseline=0,
        target=2,
        direction=Direction.INCREASE,
        due_date=date(2025, 6, 30),
        review_interval_days=28,
        milestones=(MilestoneSpec(milestone_id=j["milestone"], position=1, kind=MilestoneKind.ACTION),),
        shared_with=(j.parent,),
        parties=parties,
        proposed_at=at(3),
        agreed_at=at(4, 9, 5),
    )
    j.emit(agreed, at(4, 9, 5), statement=WORDS["goal"], why_it_matters=WORDS["why"])


def _progress_before_rotation(j: Journey, goal: UUID) -> None:
    c, role = j.client, Role.CLIENT
    value = p.ProgressRecorded(
        client_id=c,
        entry_id=j["entry1"],
        goal_id=goal,
        goal_version=1,
        value=1,
        occurred_at=at(6, 2, 13),
        recorded_by=c,
        recorded_by_role=role,
    )
    j.emit(value, at(6, 2, 13), note=WORDS["note"])
    status = p.AchievementStatusChanged(
        client_id=c, goal_id=goal, goal_version=1, status=p.AchievementStatus.IMPROVING, changed_at=at(6, 2, 14)
    )
    j.emit(status, at(6, 2, 14))
    rating = p.GoalRatingRecorded(
        client_id=c,
        entry_id=j["entry2"],
        goal_id=goal,
        goal_version=1,
        rating=6,
        occurred_at=at(7),
        recorded_by=j.parent,
        recorded_by_role=Role.FAMILY,
    )
    j.emit(rating, at(7))
    check = p.MilestoneChecked(
        client_id=c, entry_id=j["entry3"], goal_id=goal, milestone_id=j["milestone"], occurred_at=at(8), recorded_by=c
    )
    j.emit(check, at(8))
    reached = p.MilestoneReached(
        client_id=c, goal_id=goal, goal_version=1, milestone_id=j["milestone"], entry_id=j["entry3"], reached_at=at(8)
    )
    j.emit(reached, at(8))
    _safety(j)
    review = p.ReviewSuggested(
        client_id=c, goal_id=goal, goal_version=1, reason=p.ReviewReason.WORSENING, suggested_at=at(10)
    )
    j.emit(review, at(10))


def _safety(j: Journey) -> None:
    c, response = j.client, j["response"]
    scores = p.QuestionnaireCompleted(
        client_id=c,
        response_id=response,
        instrument=Instrument.PHQ9,
        total=21,
        severity=p.Severity.SEVERE,
        occurred_at=at(9, 3, 2),
    )
    j.emit(scores, at(9, 3, 2), answers="I think about not being here")
    signal = p.SafetySignalRaised(
        client_id=c, signal_id=j["signal"], source_id=response, instrument=Instrument.PHQ9, raised_at=at(9, 3, 2)
    )
    alert = j.emit(signal, at(9, 3, 2))
    common: dict[str, Any] = {"client_id": c, "source_event_id": alert.event_id, "template_code": "safety_signal"}
    delivered = n.NotificationDelivered(
        **common, notification_id=j["n1"], recipient_id=j.therapist, channel=n.Channel.PUSH, delivered_at=at(9, 3, 3)
    )
    failed = n.NotificationFailed(
        **common,
        notification_id=j["n2"],
        recipient_id=j.colleague,
        channel=n.Channel.EMAIL,
        permanent=True,
        failed_at=at(9, 3, 4),
    )
    for event, when in ((delivered, at(9, 3, 3)), (failed, at(9, 3, 4))):
        caused = alert.caused(event, producer="notifications").model_copy(update={"occurred_at": when})
        j.envelopes.append(caused.model_copy(update={"payload": {**caused.payload, "to": WORDS["client_email"]}}))


def _after_rotation(j: Journey, goal: UUID, episode: UUID, parties: tuple[Party, ...]) -> None:
    c = j.client
    revision = g.GoalRevisionProposed(
        client_id=c, goal_id=goal, version=2, proposed_by=j.therapist, required_parties=parties
    )
    j.emit(revision, at(16), statement=WORDS["goal"])
    value = p.ProgressRecorded(
        client_id=c,
        entry_id=j["entry4"],
        goal_id=goal,
        goal_version=1,
        value=2,
        occurred_at=at(16),
        recorded_by=c,
        recorded_by_role=Role.CLIENT,
    )
    j.emit(value, at(16), note=WORDS["note"])
    j.emit(
        p.GoalTargetReached(client_id=c, goal_id=goal, goal_version=1, entry_id=j["entry4"], reached_at=at(16)), at(16)
    )
    j.emit(g.GoalClosed(client_id=c, goal_id=goal, outcome=g.GoalOutcome.ACHIEVED, closed_at=at(18)), at(18))
    j.emit(g.ParticipantLeft(client_id=c, episode_id=episode, person_id=j.colleague), at(19))
    j.emit(g.EpisodeClosed(client_id=c, episode_id=episode, closed_at=at(20)), at(20))


def _others(j: Journey) -> None:
    """A second client of tenant a, and the first client's id again under tenant b."""
    for client, tenant, episode in ((j.other_client, j.tenant_a, j["episode2"]), (j.client, j.tenant_b, j["episode3"])):
        opened = g.EpisodeOpened(
            client_id=client, episode_id=episode, team_id=j["team"], lead_therapist_id=j.therapist, opened_at=at(2)
        )
        j.emit(opened, at(2), tenant)
        rating = p.GoalRatingRecorded(
            client_id=client,
            entry_id=j[f"entry-{tenant}"],
            goal_id=j["goal"],
            goal_version=1,
            rating=3,
            occurred_at=at(5),
            recorded_by=client,
            recorded_by_role=Role.CLIENT,
        )
        j.emit(rating, at(5), tenant)
