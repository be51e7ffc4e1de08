"""The notification handlers against the in-memory repository: what a trigger plans, who hears it and through
which channel, a trigger held until its goal is known, what the dispatcher does with a sent, failed or quiet-hours
delivery, and the check-in sweep. No database: `notifications_fakes.InMemoryRepository` keeps the SQL's rules."""

from datetime import UTC, datetime, time, timedelta
from uuid import UUID, uuid4

from goal_builders import agreed_goal
from notifications_fakes import InMemoryRepository, InMemoryUnitOfWork, settings

from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import DeliveryStatus, Outgoing, PermanentFailure, TransientFailure
from accord.notifications.domain.preferences import ClinicianDelivery, Preferences, QuietHours
from accord.notifications.domain.templates import TemplateCode
from accord.notifications.handlers.check_ins import remind_due_check_ins
from accord.notifications.handlers.deliver import Deliverer
from accord.notifications.handlers.planning import Planner
from accord.notifications.handlers.triggers import Triggers
from accord.notifications.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Instrument, Role
from accord.shared.events.contracts.notifications import Channel
from accord.shared.events.contracts.progress import (
    FeedbackConcern,
    MilestoneReached,
    SafetySignalRaised,
    SessionFeedbackConcernRaised,
)

TENANT = "tenant-n"
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)  # a Monday, 09:00 in London
SETTINGS = settings(
    email_enabled=True, digest_hour=17, default_locale="en", default_time_zone="Europe/London", check_ins_enabled=True
)


class Recorder:
    """A sender that records what it was asked to send, or fails as told."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.sent: list[tuple[ContactPoint, Outgoing]] = []
        self.failure = failure

    async def send(self, to: ContactPoint, outgoing: Outgoing) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append((to, outgoing))


def wrapped(event: object, producer: str = "goals") -> Envelope:
    return Envelope.wrap(event, producer=producer, tenant_id=TENANT)  # type: ignore[arg-type]


async def client_with_goal(repo: InMemoryRepository) -> tuple[UUID, UUID, ev.GoalAgreed]:
    """A client, their lead therapist and an agreed private goal, as the goals service's events leave them."""
    client, therapist = uuid4(), uuid4()
    goal = agreed_goal(client, therapist=therapist)
    opened = ev.EpisodeOpened(
        client_id=client, episode_id=goal.episode_id, team_id=uuid4(), lead_therapist_id=therapist, opened_at=NOW
    )
    await repo.care_teams.episode_opened(TENANT, opened)
    await repo.care_teams.goal_agreed(TENANT, goal)
    return client, therapist, goal


def milestone(goal: ev.GoalAgreed) -> MilestoneReached:
    return MilestoneReached(
        client_id=goal.client_id,
        goal_id=goal.goal_id,
        goal_version=goal.version,
        milestone_id=uuid4(),
        entry_id=uuid4(),
        reached_at=NOW,
    )


def of(repo: InMemoryRepository, recipient: UUID, channel: Channel) -> list[tuple[DeliveryStatus, datetime]]:
    rows = repo.deliveries.rows.values()
    return [(r.status, r.due_at) for r in rows if (r.delivery.recipient_id, r.delivery.channel) == (recipient, channel)]


async def confirmed_email(repo: InMemoryRepository, person: UUID, address: str) -> UUID:
    """An address its owner has confirmed (following the link is the API's part, not the handlers')."""
    stored = await repo.people.register(TENANT, person, Channel.EMAIL, address)
    repo.people.confirm(stored.point.id)
    return stored.point.id


async def test_a_milestone_puts_a_message_in_the_clients_inbox_queues_their_email_and_replayed_changes_nothing() -> (
    None
):
    repo = InMemoryRepository()
    client, therapist, goal = await client_with_goal(repo)
    await confirmed_email(repo, client, "sam@example.org")
    triggers, envelope = Triggers(Planner(SETTINGS, lambda: NOW)), wrapped(milestone(goal), "progress")

    for _ in range(2):  # the same event again, as after a redelivery
        await triggers.on_progress_trigger(repo, envelope, envelope.open())

    assert of(repo, client, Channel.IN_APP) == [(DeliveryStatus.SENT, NOW)]
    assert of(repo, client, Channel.EMAIL) == [(DeliveryStatus.PENDING, NOW)]
    assert [m.template for m in await repo.in_app_messages.after(TENANT, client, 0, 10)] == [
        TemplateCode.MILESTONE_CELEBRATION
    ]
    assert of(repo, therapist, Channel.IN_APP) == [(DeliveryStatus.SENT, NOW)]  # an update, in their inbox
    assert [e.event_type for e in repo.published] == ["NotificationDelivered", "NotificationDelivered"]


async def test_a_clinician_who_chose_a_digest_has_their_email_held_for_the_digest_hour() -> None:
    repo = InMemoryRepository()
    _, therapist, goal = await client_with_goal(repo)
    await confirmed_email(repo, therapist, "alex@example.org")
    digest = Preferences("en", "Europe/London", clinician_delivery=ClinicianDelivery.DIGEST)
    await repo.people.save_preferences(TENANT, therapist, digest)
    envelope = wrapped(milestone(goal), "progress")

    await Triggers(Planner(SETTINGS, lambda: NOW)).on_progress_trigger(repo, envelope, envelope.open())

    assert of(repo, therapist, Channel.EMAIL) == [(DeliveryStatus.PENDING, datetime(2026, 11, 2, 17, tzinfo=UTC))]


async def test_a_milestone_of_a_goal_not_seen_yet_is_held_and_planned_once_the_goal_arrives() -> None:
    repo = InMemoryRepository()
    client, therapist = uuid4(), uuid4()
    goal = agreed_goal(client, therapist=therapist)
    triggers, held = Triggers(Planner(SETTINGS, lambda: NOW)), wrapped(milestone(goal), "progress")

    await triggers.on_progress_trigger(repo, held, held.open())
    assert await repo.held_triggers.held_for(TENANT, client) == [held]
    assert not repo.deliveries.rows

    await triggers.on_goal_agreed(repo, wrapped(goal), goal)
    await triggers.replay_held(repo, wrapped(goal), goal)

    assert await repo.held_triggers.held_for(TENANT, client) == []
    celebrated = [r for r in repo.deliveries.rows.values() if r.delivery.source_event_id == held.event_id]
    assert [r.delivery.recipient_id for r in celebrated] == [client]  # the therapist is on no known team yet


async def test_a_safety_signal_reaches_the_therapist_through_every_channel_whatever_they_chose() -> None:
    repo = InMemoryRepository()
    client, therapist, _ = await client_with_goal(repo)
    await confirmed_email(repo, therapist, "alex@example.org")
    await repo.people.save_preferences(TENANT, therapist, Preferences("en", "Europe/London", channels=frozenset()))
    raised = SafetySignalRaised(
        client_id=client, signal_id=uuid4(), source_id=uuid4(), instrument=Instrument.PHQ9, raised_at=NOW
    )
    signal = wrapped(raised, "progress")

    await Triggers(Planner(SETTINGS, lambda: NOW)).on_progress_trigger(repo, signal, signal.open())

    assert of(repo, therapist, Channel.EMAIL) == [(DeliveryStatus.PENDING, NOW)]
    assert of(repo, client, Channel.IN_APP) == []


async def family_episode(repo: InMemoryRepository) -> tuple[UUID, UUID, ev.GoalAgreed]:
    """A client's episode with their lead therapist and a family member, and a goal shared with the family (not yet
    agreed here: the caller says whether this service has seen it)."""
    client, therapist, family = uuid4(), uuid4(), uuid4()
    goal = agreed_goal(client, therapist=therapist, shared_with=[family])
    opened = ev.EpisodeOpened(
        client_id=client, episode_id=goal.episode_id, team_id=uuid4(), lead_therapist_id=therapist, opened_at=NOW
    )
    await repo.care_teams.episode_opened(TENANT, opened)
    await repo.care_teams.participant(goal.episode_id, family, Role.FAMILY, True)
    return client, therapist, goal


async def test_a_divergence_on_a_goal_is_told_to_its_therapist_as_a_suggested_review_and_to_nobody_else() -> None:
    repo = InMemoryRepository()
    client, therapist, goal = await family_episode(repo)
    await repo.care_teams.goal_agreed(TENANT, goal)
    raised = ev.AlignmentDivergenceRaised(
        client_id=client, goal_id=goal.goal_id, episode_id=goal.episode_id, version=1, spread=7, threshold=4
    )
    envelope = wrapped(raised)

    for _ in range(2):  # the same event again, as after a redelivery
        await Triggers(Planner(SETTINGS, lambda: NOW)).on_divergence_raised(repo, envelope, raised)

    told = {(r.delivery.recipient_id, r.delivery.template) for r in repo.deliveries.rows.values()}
    assert told == {(therapist, TemplateCode.REVIEW_SUGGESTED)}
    assert of(repo, therapist, Channel.IN_APP) == [(DeliveryStatus.SENT, NOW)]


async def test_a_divergence_on_a_goal_this_service_has_not_seen_tells_nobody() -> None:
    repo = InMemoryRepository()
    raised = ev.AlignmentDivergenceRaised(
        client_id=uuid4(), goal_id=uuid4(), episode_id=uuid4(), version=1, spread=7, threshold=4
    )

    await Triggers(Planner(SETTINGS, lambda: NOW)).on_divergence_raised(repo, wrapped(raised), raised)

    assert not repo.deliveries.rows


def concern_about(client: UUID, episode: UUID) -> SessionFeedbackConcernRaised:
    return SessionFeedbackConcernRaised(
        client_id=client, episode_id=episode, session_id=uuid4(), concern=FeedbackConcern.LOW, raised_at=NOW
    )


async def test_a_feedback_concern_is_told_to_the_episodes_therapist_as_a_suggested_review_and_to_nobody_else() -> None:
    repo = InMemoryRepository()
    client, therapist, goal = await family_episode(repo)
    envelope = wrapped(concern_about(client, goal.episode_id), "progress")

    for _ in range(2):  # the same event again, as after a redelivery
        await Triggers(Planner(SETTINGS, lambda: NOW)).on_progress_trigger(repo, envelope, envelope.open())

    told = {(r.delivery.recipient_id, r.delivery.template) for r in repo.deliveries.rows.values()}
    assert told == {(therapist, TemplateCode.REVIEW_SUGGESTED)}
    assert {r.delivery.link_path for r in repo.deliveries.rows.values()} == {f"/clients/{client}"}


async def test_a_feedback_concern_about_an_episode_not_seen_yet_is_held_until_its_therapist_is_known() -> None:
    repo = InMemoryRepository()
    client, therapist, episode = uuid4(), uuid4(), uuid4()
    triggers, held = Triggers(Planner(SETTINGS, lambda: NOW)), wrapped(concern_about(client, episode), "progress")

    await triggers.on_progress_trigger(repo, held, held.open())
    assert await repo.held_triggers.held_for(TENANT, client) == [held]
    assert not repo.deliveries.rows

    opened = ev.EpisodeOpened(
        client_id=client, episode_id=episode, team_id=uuid4(), lead_therapist_id=therapist, opened_at=NOW
    )
    await repo.care_teams.episode_opened(TENANT, opened)
    await triggers.replay_held(repo, wrapped(opened), opened)

    assert await repo.held_triggers.held_for(TENANT, client) == []
    assert [r.delivery.recipient_id for r in repo.deliveries.rows.values()] == [therapist]


async def queued_email(uow: InMemoryUnitOfWork) -> UUID:
    """A client's milestone e-mail, pending and due now."""
    client, _, goal = await client_with_goal(uow.repo)
    await confirmed_email(uow.repo, client, "sam@example.org")
    envelope = wrapped(milestone(goal), "progress")
    await Triggers(Planner(SETTINGS, lambda: NOW)).on_progress_trigger(uow.repo, envelope, envelope.open())
    (email,) = [i for i, r in uow.repo.deliveries.rows.items() if r.delivery.channel is Channel.EMAIL]
    uow.repo.published.clear()
    return email


def deliverer(uow: InMemoryUnitOfWork, sender: Recorder, s: Settings = SETTINGS) -> Deliverer:
    return Deliverer(s, uow, {Channel.EMAIL: sender}, lambda: NOW)


async def test_a_due_email_is_sent_once_marked_sent_and_announced() -> None:
    uow, sender = InMemoryUnitOfWork(), Recorder()
    email = await queued_email(uow)

    await deliverer(uow, sender).deliver(email)
    await deliverer(uow, sender).deliver(email)  # a second dispatcher finds nothing to claim

    assert [(to.address, out.message_id) for to, out in sender.sent] == [("sam@example.org", email)]
    assert uow.repo.deliveries.rows[email].status is DeliveryStatus.SENT
    assert [e.event_type for e in uow.repo.published] == ["NotificationDelivered"]


async def test_a_transient_failure_is_retried_later_and_a_permanent_one_disables_the_address() -> None:
    uow = InMemoryUnitOfWork()
    email = await queued_email(uow)

    await deliverer(uow, Recorder(TransientFailure("421"))).deliver(email)
    row = uow.repo.deliveries.rows[email]
    assert (row.status, row.delivery.attempts, row.due_at > NOW) == (DeliveryStatus.PENDING, 1, True)

    row.due_at = NOW
    await deliverer(uow, Recorder(PermanentFailure("550", contact_point_gone=True))).deliver(email)
    assert row.status is DeliveryStatus.FAILED
    assert not [p for p in uow.repo.people.points.values() if p.active]
    assert [e.event_type for e in uow.repo.published] == ["NotificationFailed"]


async def test_an_everyday_email_due_in_quiet_hours_waits_for_their_end() -> None:
    uow, sender = InMemoryUnitOfWork(), Recorder()
    email = await queued_email(uow)
    recipient = uow.repo.deliveries.rows[email].delivery.recipient_id
    quiet = Preferences("en", "Europe/London", quiet_hours=QuietHours(time(8), time(12)))
    await uow.repo.people.save_preferences(TENANT, recipient, quiet)

    await deliverer(uow, sender).deliver(email)

    assert sender.sent == []
    assert uow.repo.deliveries.rows[email].due_at == datetime(2026, 11, 2, 12, tzinfo=UTC)


async def test_a_check_in_reminder_goes_once_per_period_and_not_to_a_client_who_recorded_something() -> None:
    uow = InMemoryUnitOfWork()
    client, _, goal = await client_with_goal(uow.repo)
    _, _, quiet_goal = await client_with_goal(uow.repo)
    due = goal.agreed_at + timedelta(days=goal.review_interval_days)
    await uow.repo.care_teams.client_entries({quiet_goal.goal_id: due - timedelta(days=1)})
    planner = Planner(SETTINGS, lambda: due)

    assert await remind_due_check_ins(uow, planner, due) == 2
    assert await remind_due_check_ins(uow, planner, due) == 0  # both moved on to their next slot

    reminded = {r.delivery.recipient_id for r in uow.repo.deliveries.rows.values()}
    assert reminded == {client}  # not the client who recorded something; never their therapist
    assert [m.template for m in await uow.repo.in_app_messages.after(TENANT, client, 0, 10)] == [
        TemplateCode.CHECK_IN_REMINDER
    ]
