"""A scripted history of one service: a team of six clients and a small team of two, with the figures worked out
by hand from the script (see the comments next to each event and the `expected_*` functions).

Times are days before `now` (D(n)); nothing sits near a day boundary that matters. Outcomes are asked for the 60
days up to today, so D(65) and earlier fall before the period.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from goal_builders import agreed_goal

from accord.shared.events import Envelope
from accord.shared.events.base import IntegrationEvent
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

GBO = Measure(kind=MeasureKind.GOAL_RATING, minimum=0, maximum=10)
PANIC = Measure(kind=MeasureKind.COUNT_PER_PERIOD, minimum=0, maximum=20, period_days=7, unit_code="panic_attacks")
PRODUCER = {g.GoalsEvent: "goals", p.ProgressEvent: "progress", n.NotificationsEvent: "notifications"}


def severity(instrument: Instrument, total: int) -> p.Severity:
    bands = [(20, p.Severity.SEVERE), (15, p.Severity.MODERATELY_SEVERE), (10, p.Severity.MODERATE)]
    if instrument is Instrument.GAD7:
        bands = [(15, p.Severity.SEVERE), (10, p.Severity.MODERATE)]
    for low, band in [*bands, (5, p.Severity.MILD)]:
        if total >= low:
            return band
    return p.Severity.MINIMAL


@dataclass
class Cast:
    """The people, teams and goals of one run of the script; fresh ids each time."""

    tenant: str = field(default_factory=lambda: f"t-{uuid4().hex[:10]}")
    team: UUID = field(default_factory=uuid4)
    small_team: UUID = field(default_factory=uuid4)
    therapist: UUID = field(default_factory=uuid4)  # leads every episode of the team
    colleague: UUID = field(default_factory=uuid4)  # takes part in c1's episode; joined and left c2's
    small_lead: UUID = field(default_factory=uuid4)
    supervisor: UUID = field(default_factory=uuid4)
    family: UUID = field(default_factory=uuid4)  # c0's relative
    clients: list[UUID] = field(default_factory=lambda: [uuid4() for _ in range(6)])
    small_clients: list[UUID] = field(default_factory=lambda: [uuid4() for _ in range(2)])
    ids: dict[str, UUID] = field(default_factory=dict)

    def __getitem__(self, name: str) -> UUID:
        """A named id (goal, episode, milestone, signal), made on first use."""
        return self.ids.setdefault(name, uuid4())


class Script:
    def __init__(self, cast: Cast, now: datetime) -> None:
        self.cast, self.now, self.envelopes = cast, now, list[Envelope]()

    def d(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def emit(self, event: IntegrationEvent, at: datetime) -> Envelope:
        producer = next(name for base, name in PRODUCER.items() if isinstance(event, base))
        envelope = Envelope.wrap(event, producer=producer, tenant_id=self.cast.tenant, occurred_at=at)
        self.envelopes.append(envelope)
        return envelope

    def episode(self, client: UUID, name: str, team: UUID, lead: UUID, opened: float) -> None:
        e = self.cast[name]
        self.emit(
            g.EpisodeOpened(
                client_id=client, episode_id=e, team_id=team, lead_therapist_id=lead, opened_at=self.d(opened)
            ),
            self.d(opened),
        )
        self.join(client, name, client, Role.CLIENT, opened)

    def join(self, client: UUID, episode: str, person: UUID, role: Role, at: float) -> None:
        event = g.ParticipantJoined(client_id=client, episode_id=self.cast[episode], person_id=person, role=role)
        self.emit(event, self.d(at))

    def leave(self, client: UUID, episode: str, person: UUID, at: float) -> None:
        self.emit(g.ParticipantLeft(client_id=client, episode_id=self.cast[episode], person_id=person), self.d(at))

    def propose(self, client: UUID, goal: str, episode: str, lead: UUID, at: float, shared: bool = False) -> None:
        parties = (Party(person_id=client, role=Role.CLIENT), Party(person_id=lead, role=Role.THERAPIST))
        visibility, shared_with = (Visibility.SHARED, (self.cast.family,)) if shared else (Visibility.PRIVATE, ())
        event = g.GoalProposed(
            client_id=client,
            goal_id=self.cast[goal],
            episode_id=self.cast[episode],
            version=1,
            proposed_by=lead,
            required_parties=parties,
            visibility=visibility,
            shared_with=shared_with,
        )
        self.emit(event, self.d(at))

    def decide(self, client: UUID, goal: str, party: UUID, agree: bool, at: float) -> None:
        decision = g.Decision.AGREE if agree else g.Decision.DECLINE
        event = g.GoalAgreementRecorded(
            client_id=client, goal_id=self.cast[goal], version=1, party_id=party, decision=decision
        )
        self.emit(event, self.d(at))

    def agree(
        self,
        client: UUID,
        goal: str,
        episode: str,
        lead: UUID,
        proposed: float,
        agreed: float,
        *,
        measure: Measure = GBO,
        baseline: float,
        target: float,
        interval: int = 60,
        milestones: tuple[tuple[str, float], ...] = (),
        shared: bool = False,
    ) -> None:
        """Proposal, both parties' agreement (a day apart) and the agreed goal."""
        self.propose(client, goal, episode, lead, proposed, shared)
        self.decide(client, goal, client, True, (proposed + agreed) / 2)
        self.decide(client, goal, lead, True, agreed + 0.01)
        shared_with = (self.cast.family,) if shared else ()
        specs = tuple(
            MilestoneSpec(milestone_id=self.cast[m], position=i, kind=MilestoneKind.THRESHOLD, threshold=t)
            for i, (m, t) in enumerate(milestones, start=1)
        )
        direction = Direction.INCREASE if target > baseline else Direction.DECREASE
        event = agreed_goal(
            client,
            goal_id=self.cast[goal],
            episode=self.cast[episode],
            category_code="wellbeing",
            measure=measure,
            baseline=baseline,
            target=target,
            direction=direction,
            due_date=(self.now + timedelta(days=60)).date(),
            review_interval_days=interval,
            milestones=specs,
            shared_with=shared_with,
            parties=(Party(person_id=client, role=Role.CLIENT), Party(person_id=lead, role=Role.THERAPIST)),
            proposed_at=self.d(proposed),
            agreed_at=self.d(agreed),
        )
        self.emit(event, self.d(agreed))

    def rating(self, client: UUID, goal: str, rating: int, at: float) -> None:
        event = p.GoalRatingRecorded(
            client_id=client,
            entry_id=uuid4(),
            goal_id=self.cast[goal],
            goal_version=1,
            rating=rating,
            occurred_at=self.d(at),
            recorded_by=client,
            recorded_by_role=Role.CLIENT,
        )
        self.emit(event, self.d(at))

    def value(self, client: UUID, goal: str, value: float, at: float) -> None:
        event = p.ProgressRecorded(
            client_id=client,
            entry_id=uuid4(),
            goal_id=self.cast[goal],
            goal_version=1,
            value=value,
            occurred_at=self.d(at),
            recorded_by=client,
            recorded_by_role=Role.CLIENT,
        )
        self.emit(event, self.d(at))

    def milestone(self, client: UUID, goal: str, milestone: str, at: float) -> None:
        event = p.MilestoneReached(
            client_id=client,
            goal_id=self.cast[goal],
            goal_version=1,
            milestone_id=self.cast[milestone],
            entry_id=uuid4(),
            reached_at=self.d(at),
        )
        self.emit(event, self.d(at))

    def status(self, client: UUID, goal: str, status: p.AchievementStatus, at: float) -> None:
        event = p.AchievementStatusChanged(
            client_id=client, goal_id=self.cast[goal], goal_version=1, status=status, changed_at=self.d(at)
        )
        self.emit(event, self.d(at))

    def questionnaire(
        self, client: UUID, instrument: Instrument, total: int, at: float, episode: str | None = None
    ) -> UUID:
        """A response completed for the named episode, or one published before responses named their episode."""
        event = p.QuestionnaireCompleted(
            client_id=client,
            response_id=uuid4(),
            instrument=instrument,
            total=total,
            severity=severity(instrument, total),
            occurred_at=self.d(at),
            episode_id=self.cast[episode] if episode else None,
        )
        self.emit(event, self.d(at))
        return event.response_id

    def signal(self, client: UUID, name: str, at: float) -> Envelope:
        event = p.SafetySignalRaised(
            client_id=client,
            signal_id=self.cast[name],
            source_id=uuid4(),
            instrument=Instrument.PHQ9,
            raised_at=self.d(at),
        )
        return self.emit(event, self.d(at))

    def notified(self, client: UUID, source: Envelope, recipient: UUID, delivered: bool, at: float) -> None:
        common: dict[str, Any] = dict(
            client_id=client,
            notification_id=uuid4(),
            source_event_id=source.event_id,
            recipient_id=recipient,
            channel=n.Channel.PUSH,
            template_code="safety_alert",
        )
        if delivered:
            self.emit(n.NotificationDelivered(**common, delivered_at=self.d(at)), self.d(at))
        else:
            self.emit(n.NotificationFailed(**common, permanent=True, failed_at=self.d(at)), self.d(at))


def script(cast: Cast, now: datetime) -> list[Envelope]:
    """The whole history, in the order the services would publish it."""
    s, (c0, c1, c2, c3, c4, c5), lead = Script(cast, now), cast.clients, cast.therapist
    for i, client in enumerate(cast.clients):
        s.episode(client, f"E{i}", cast.team, lead, 90)
    s.join(c0, "E0", cast.family, Role.FAMILY, 89)
    s.join(c1, "E1", cast.colleague, Role.THERAPIST, 80)
    s.join(c2, "E2", cast.colleague, Role.THERAPIST, 80)
    s.leave(c2, "E2", cast.colleague, 70)

    # c0: a GBO goal shared with the family (made private, then shared again) and a private panic-attack goal.
    s.agree(c0, "G0a", "E0", lead, 50, 45, baseline=2, target=8, milestones=(("M0a", 6),), shared=True)
    s.emit(g.GoalVisibilityChanged(client_id=c0, goal_id=cast["G0a"], visibility=Visibility.PRIVATE), s.d(40))
    shared_again = g.GoalVisibilityChanged(
        client_id=c0, goal_id=cast["G0a"], visibility=Visibility.SHARED, shared_with=(cast.family,)
    )
    s.emit(shared_again, s.d(35))
    s.rating(c0, "G0a", 4, 30)
    s.rating(c0, "G0a", 7, 10)  # GBO change 7 - 2 = 5: reliable
    s.milestone(c0, "G0a", "M0a", 10)
    s.status(c0, "G0a", p.AchievementStatus.IMPROVING, 10)
    panic = dict(measure=PANIC, baseline=10, target=2, interval=14, milestones=(("M0b1", 6), ("M0b2", 3)))
    s.agree(c0, "G0b", "E0", lead, 50, 44, **panic)  # review interval 14 days: due since D(30)
    s.value(c0, "G0b", 9, 40)
    s.status(c0, "G0b", p.AchievementStatus.IN_PROGRESS, 40)
    s.value(c0, "G0b", 6, 20)
    s.milestone(c0, "G0b", "M0b1", 20)
    s.status(c0, "G0b", p.AchievementStatus.IMPROVING, 20)
    s.value(c0, "G0b", 5, 3)  # progress (5 - 10) / (2 - 10) = 0.625
    s.questionnaire(c0, Instrument.PHQ9, 27, 95, "E0")  # dated before the episode: in its report, not its outcomes
    s.questionnaire(c0, Instrument.PHQ9, 15, 85, "E0")
    s.questionnaire(c0, Instrument.GAD7, 9, 85, "E0")
    s.questionnaire(c0, Instrument.PHQ9, 8, 5, "E0")  # -7: reliable; caseness -> none: reliable recovery
    s.questionnaire(c0, Instrument.GAD7, 5, 5, "E0")
    alert = s.signal(c0, "S0", 2)
    s.notified(c0, alert, lead, True, 2)

    # c1: GBO +2 (not reliable); review suggested; recovered but not reliably.
    s.agree(c1, "G1", "E1", lead, 58, 55, baseline=3, target=8, milestones=(("M1", 5),))
    s.rating(c1, "G1", 4, 40)
    s.rating(c1, "G1", 5, 20)
    s.milestone(c1, "G1", "M1", 20)
    review = p.ReviewSuggested(
        client_id=c1, goal_id=cast["G1"], goal_version=1, reason=p.ReviewReason.NO_RECENT_ENTRY, suggested_at=s.d(6)
    )
    s.emit(review, s.d(6))
    s.questionnaire(c1, Instrument.PHQ9, 12, 80, "E1")
    s.questionnaire(c1, Instrument.PHQ9, 9, 10, "E1")

    # c2: agreed before the period (not counted as agreed in it), paused and resumed; review interval elapsed.
    s.agree(c2, "G2", "E2", lead, 70, 65, baseline=1, target=8, milestones=(("M2a", 3), ("M2b", 6)))
    s.milestone(c2, "G2", "M2a", 63)  # before the period
    s.rating(c2, "G2", 5, 30)
    s.milestone(c2, "G2", "M2b", 30)
    s.rating(c2, "G2", 6, 15)  # GBO change 5: reliable
    s.emit(g.GoalPaused(client_id=c2, goal_id=cast["G2"], paused_by=lead), s.d(12))
    s.emit(g.GoalResumed(client_id=c2, goal_id=cast["G2"], resumed_by=lead), s.d(9))
    s.questionnaire(c2, Instrument.GAD7, 14, 75, "E2")
    s.questionnaire(c2, Instrument.GAD7, 13, 8, "E2")

    # c3: goal achieved and closed; PHQ-9 rises reliably.
    s.agree(c3, "G3", "E3", lead, 40, 38, baseline=4, target=9, milestones=(("M3", 7),))
    s.rating(c3, "G3", 8, 21)  # GBO change 4: reliable
    s.milestone(c3, "G3", "M3", 21)
    s.emit(g.GoalClosed(client_id=c3, goal_id=cast["G3"], outcome=g.GoalOutcome.ACHIEVED, closed_at=s.d(4)), s.d(4))
    s.questionnaire(c3, Instrument.PHQ9, 10, 35, "E3")
    s.questionnaire(c3, Instrument.PHQ9, 17, 7, "E3")

    # c4: an agreed goal without entries; reliable recovery.
    s.agree(c4, "G4", "E4", lead, 30, 29, baseline=5, target=9)
    for instrument, first, last in ((Instrument.PHQ9, 20, 9), (Instrument.GAD7, 6, 3)):
        s.questionnaire(c4, instrument, first, 25, "E4")
        s.questionnaire(c4, instrument, last, 1, "E4")

    # c5: one goal agreed, one awaiting the therapist, one declined; an unseen safety alert that never arrived.
    s.agree(c5, "G5c", "E5", lead, 22, 21, baseline=3, target=7, milestones=(("M5", 6),))
    s.rating(c5, "G5c", 6, 5)  # GBO change 3: reliable
    s.milestone(c5, "G5c", "M5", 5)
    s.propose(c5, "G5", "E5", lead, 20)
    s.decide(c5, "G5", c5, True, 19)
    s.propose(c5, "G5b", "E5", lead, 15)
    s.decide(c5, "G5b", c5, False, 14)
    s.questionnaire(c5, Instrument.GAD7, 10, 10, "E5")  # a single score: not paired
    alert = s.signal(c5, "S5", 1)
    s.notified(c5, alert, lead, False, 1)

    # The small team: two clients, every figure withheld.
    for i, client in enumerate(cast.small_clients):
        s.episode(client, f"SE{i}", cast.small_team, cast.small_lead, 50)
        s.agree(client, f"SG{i}", f"SE{i}", cast.small_lead, 40, 39, baseline=2, target=8)
        s.rating(client, f"SG{i}", 6, 10)
    return s.envelopes


def shuffled_with_copies(envelopes: list[Envelope], seed: int) -> list[Envelope]:
    """Every event in a random order, a third of them twice (same event id)."""
    rng = random.Random(seed)
    copies = envelopes + rng.sample(envelopes, len(envelopes) // 3)
    rng.shuffle(copies)
    return copies


def period(now: datetime) -> tuple[date, date]:
    """The outcomes period of the expectations: the 60 days up to today."""
    today = now.astimezone(UTC).date()
    return today - timedelta(days=59), today
