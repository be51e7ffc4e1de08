"""Every event of the consumed topics has its projection, and every row fits its table."""

from datetime import UTC, datetime
from uuid import uuid4

from reporting_fakes import InMemoryProjections
from reporting_scenario import Cast, Script, script

from accord.reporting.domain.caseload import caseload_row
from accord.reporting.domain.goals import goal_states
from accord.reporting.domain.projection import NOT_PROJECTED, PROJECTORS, TABLES, rows_for
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts import progress as p
from accord.shared.events.contracts.common import Party, Role
from accord.shared.events.registry import EVENTS

NOW = datetime(2025, 3, 12, tzinfo=UTC)


def test_every_domain_event_is_projected() -> None:
    consumed = {name for name, cls in EVENTS.items() if cls.topic in CONSUMED_TOPICS}
    assert set(PROJECTORS) == consumed - NOT_PROJECTED


def test_rows_fit_their_tables() -> None:
    for envelope in script(Cast(), NOW):
        for row in rows_for(envelope, envelope.open()):
            assert len(row.values) == len(TABLES[row.table]), row.table


def test_events_outside_the_script_revision_check_target_and_closing() -> None:
    cast = Cast()
    s, client, lead = Script(cast, NOW), cast.clients[0], cast.therapist
    s.episode(client, "E", cast.team, lead, 30)
    s.agree(client, "G", "E", lead, 20, 19, baseline=2, target=8)
    parties = (Party(person_id=client, role=Role.CLIENT),)
    revision = g.GoalRevisionProposed(
        client_id=client, goal_id=cast["G"], version=2, proposed_by=client, required_parties=parties
    )
    s.emit(revision, s.d(10))
    check = p.MilestoneChecked(
        client_id=client,
        entry_id=uuid4(),
        goal_id=cast["G"],
        milestone_id=uuid4(),
        occurred_at=s.d(9),
        recorded_by=client,
    )
    s.emit(check, s.d(9))
    target = p.GoalTargetReached(
        client_id=client, goal_id=cast["G"], goal_version=1, entry_id=uuid4(), reached_at=s.d(8)
    )
    s.emit(target, s.d(8))
    s.emit(g.EpisodeClosed(client_id=client, episode_id=cast["E"], closed_at=s.d(1)), s.d(1))

    history = InMemoryProjections().apply(s.envelopes).history(cast.tenant, client)
    (goal,) = goal_states(history)
    assert goal.history[-1].event_type == "GoalRevisionProposed"
    assert goal.current is not None and goal.current.version == 1  # a revision counts once it is agreed
    assert [e.kind.value for e in goal.entries] == ["milestone_check"]
    assert goal.target_reached_at == s.d(8)
    assert history.episodes[0].closed_at == s.d(1)
    assert caseload_row(history, lead, NOW, frozenset()) is None  # closed episodes leave the caseload


def test_an_event_reporting_does_not_keep_adds_nothing() -> None:
    envelope = Envelope.wrap(
        g.GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4()), producer="goals", tenant_id="t"
    )
    assert rows_for(envelope.model_copy(update={"event_type": "SomethingElse"}), envelope.open()) == []
