"""The campaign's writer: every event comes from a service's own command handler, run by the service's own command
runner (`CommandRunner.attempt`: the handler, its outbox rows and its audit rows in one transaction), in process.

That is the code the HTTP endpoints call once the request is parsed. HTTP itself is left out: parsing, token
checks and rendering for a million events would take more of the two shared cores than the pipeline under test.

Set-up: through the goals service's handlers, a therapist opens a care episode for each client, the client drafts
and proposes a GBO goal (0-10, milestones at 5 and 7, target 8) and both agree to it; the goals workers relay those
events and the progress, notifications and reporting workers build their views from them.
Then: batches of the client's own GBO ratings (`POST /progress/entries/batch`'s handler, `record_entries`), a random
walk per client, so milestones, targets, achievement changes and suggested reviews are decided by the progress
service itself as ratings cross them.
"""

import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from unittest import mock
from uuid import UUID

import asyncpg
from starlette.requests import Request

from accord.goals.domain import commands as goal_commands
from accord.goals.domain.content import GoalContent, MilestoneDraft
from accord.goals.entrypoints.command_runner import runner as goals_runner
from accord.goals.handlers import commands as goal_handlers
from accord.goals.settings import Settings as GoalsSettings
from accord.notifications.entrypoints.api.contact_points import add_email
from accord.notifications.entrypoints.api.email_confirmation import ConfirmationIn, confirm
from accord.notifications.entrypoints.api.preferences import put_preferences
from accord.notifications.entrypoints.api.schemas import EmailIn, PreferencesBody
from accord.notifications.settings import Settings as NotificationsSettings
from accord.progress.domain.commands import EntryKind, RecordEntry
from accord.progress.entrypoints.command_runner import runner as progress_runner
from accord.progress.handlers.entries import Recorded, record_entries
from accord.progress.settings import Settings as ProgressSettings
from accord.shared.audit import Audit, ReadAudit
from accord.shared.auth import Principal
from accord.shared.db import create_pool
from accord.shared.errors import DomainError
from accord.shared.events.contracts.common import Direction, Measure, MeasureKind, MilestoneKind, Role
from accord.shared.events.contracts.goals import Decision
from accord.shared.outbox import Outbox
from accord.shared.problems import Problem
from accord.shared.runtime import Resources
from accord.shared.settings import ServiceSettings

TENANT = "campaign"
S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")


@dataclass(frozen=True)
class Client:
    client_id: UUID
    therapist_id: UUID
    team_id: UUID
    episode_id: UUID
    goal_id: UUID

    def as_client(self) -> Principal:
        return Principal(subject=self.client_id, tenant_id=TENANT, roles=frozenset({Role.CLIENT}))

    def as_therapist(self) -> Principal:
        return Principal(
            subject=self.therapist_id, tenant_id=TENANT, roles=frozenset({Role.THERAPIST}), teams={self.team_id}
        )


def clients(count: int, rng: random.Random) -> list[Client]:
    """One goal per client; ten clients per therapist, as in a caseload."""
    therapists = [(_uuid(rng), _uuid(rng)) for _ in range(max(1, count // 10))]
    return [Client(_uuid(rng), *therapists[i % len(therapists)], _uuid(rng), _uuid(rng)) for i in range(count)]


async def open_resources(settings_class: type[S], env: dict[str, str]) -> Resources[S]:
    """The service's resources as its own process would open them, from the workers' environment (read with the
    environment patched for the moment: the settings class reads nothing else); a small pool, as one API process."""
    with mock.patch.dict(os.environ, env):
        settings = settings_class()
    pool = await create_pool(settings, min_size=1, max_size=4)
    return Resources(settings, pool, Outbox(settings.db_schema), ReadAudit(Audit(settings.db_schema), pool))


async def set_up(goals: Resources[GoalsSettings], client: Client, rng: random.Random) -> None:
    """The episode and an agreed goal, through the goals service's own commands (each its own transaction)."""
    therapist, young_person = client.as_therapist(), client.as_client()
    steps: list[tuple[Principal, Callable[[Any, Any], Awaitable[object]], object]] = [
        (
            therapist,
            goal_handlers.open_episode,
            goal_commands.OpenEpisode(client.episode_id, client.client_id, client.team_id),
        ),
        (
            young_person,
            goal_handlers.draft_goal,
            goal_commands.DraftGoal(client.episode_id, client.goal_id, _content(rng)),
        ),
        (young_person, goal_handlers.propose_goal, goal_commands.ProposeGoal(client.goal_id)),
        (young_person, goal_handlers.record_agreement, goal_commands.RecordAgreement(client.goal_id, Decision.AGREE)),
        (therapist, goal_handlers.record_agreement, goal_commands.RecordAgreement(client.goal_id, Decision.AGREE)),
    ]
    for actor, handler, command in steps:
        _accepted(await goals_runner.attempt(goals, actor, handler, command))


def address(person: UUID) -> str:
    return f"{person}@campaign.example"


def wants_email(client: Client) -> bool:
    """Three clients in four keep the default (e-mail on); the fourth chooses the in-app inbox only (with push,
    which none has): their celebrations must come by no e-mail, although their address is confirmed."""
    return client.client_id.int % 4 != 0


async def register_email(notifications: Resources[NotificationsSettings], person: Principal) -> None:
    """`POST /notifications/contact-points`'s handler (no Idempotency-Key): the address is stored unconfirmed and
    the service sends its confirmation link to it (to the campaign's mail sink)."""
    request = Request({"type": "http", "method": "POST", "path": "/notifications/contact-points", "headers": []})
    answer = await add_email(EmailIn(email=address(person.subject)), person, notifications, request, None)
    if answer.status_code != 201:
        raise RuntimeError(f"the notifications service refused the address: {answer.status_code}")


async def confirm_email(notifications: Resources[NotificationsSettings], person: Principal, token: str) -> None:
    """`POST /notifications/email-confirmations`'s handler: following the link the service sent."""
    confirmed = await confirm(ConfirmationIn(token=token), person, notifications)
    if not confirmed.confirmed:
        raise RuntimeError("the address is still unconfirmed after following its link")


async def in_app_only(notifications: Resources[NotificationsSettings], person: Principal) -> None:
    """`PUT /notifications/preferences`'s handler: everyday messages by push only (so no e-mail)."""
    body = PreferencesBody(locale="en", time_zone="Europe/London", channels=["push"])
    await put_preferences(body, person, notifications)


class Ratings:
    """Each client's next GBO ratings: a random walk from the goal's baseline, a step of -1, 0 or +1 at a time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.last = rng, dict[UUID, int]()

    def batch(self, client: Client, n: int, now: datetime) -> list[RecordEntry]:
        value, commands = self.last.get(client.client_id, 2), []
        for i in range(n):
            value = min(10, max(0, value + self.rng.choice((-1, 0, 1))))
            at = now + timedelta(microseconds=i)  # in the order written: the handler decides in time order
            commands.append(RecordEntry(client.goal_id, _uuid(self.rng), EntryKind.RATING, at, float(value)))
        self.last[client.client_id] = value
        return commands


async def record(progress: Resources[ProgressSettings], client: Client, commands: list[RecordEntry]) -> int:
    """One offline-sync batch of the client's, through `POST /progress/entries/batch`'s handler in the progress
    service's own transaction. Returns the entries recorded now; a resend after a commit that could not be
    confirmed records none again (the handler answers each entry id already recorded as a duplicate)."""
    outcomes = _accepted(await progress_runner.attempt(progress, client.as_client(), record_entries, commands))
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    if refused:
        raise RuntimeError(f"the progress service refused {len(refused)} entries: {refused[0]}")
    return sum(1 for o in outcomes if isinstance(o, Recorded) and not o.duplicate)


def _accepted(answer: T | Problem) -> T:
    if isinstance(answer, Problem):
        raise RuntimeError(f"refused by the service: {answer.status} {answer.detail}")
    return answer


def _content(rng: random.Random) -> GoalContent:
    return GoalContent(
        statement="Take the bus to college on my own three days a week",
        why_it_matters="So I can see my friends and keep up with my course",
        category_code="daily_living",
        measure=Measure(kind=MeasureKind.GOAL_RATING, minimum=0, maximum=10),
        baseline=2,
        target=8,
        direction=Direction.INCREASE,
        due_date=datetime.now(UTC).date() + timedelta(days=90),
        review_interval_days=14,
        confidence=6,
        expressed_by=Role.CLIENT,
        milestones=tuple(
            MilestoneDraft(milestone_id=_uuid(rng), kind=MilestoneKind.THRESHOLD, description=d, threshold=t)
            for d, t in (("Halfway", 5), ("Nearly there", 7))
        ),
    )


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


DATABASE_AWAY = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, TimeoutError)
"""What a write meets while PostgreSQL is crashed or its backends terminated (InternalClientError: asyncpg's
protocol left mid-operation by a connection cut under it)."""
