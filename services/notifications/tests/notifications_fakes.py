"""An in-memory stand-in for the notifications service's repository (adapters/repository.Repository: the care-team
view, deliveries, people, in-app messages, held triggers, retention, the outbox), for handler tests without a
database. It keeps the rules the SQL keeps (a closed goal stays closed, someone who left keeps their role but is no
longer on the team, the latest client entry wins, a delivery is stored once per source event, recipient, channel
and contact point, only a due pending delivery can be claimed); tests/integration/test_repository.py runs one suite
against both. `InMemoryUnitOfWork` hands out the one repository (it does not roll back)."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from accord.devtools import testing
from accord.notifications.adapters.care_teams import DueCheckIn, KnownGoal
from accord.notifications.adapters.deliveries import Claimed
from accord.notifications.adapters.in_app_messages import InAppMessage
from accord.notifications.adapters.people import Defaults, StoredContactPoint
from accord.notifications.domain.audience import CareTeam, GoalAccess
from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import Delivery, DeliveryStatus
from accord.notifications.domain.preferences import Preferences
from accord.notifications.domain.retention import Cutoffs, RecordKind
from accord.notifications.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import Role, Visibility
from accord.shared.events.contracts.goals import EpisodeOpened, GoalAgreed, GoalProposed, GoalVisibilityChanged
from accord.shared.events.contracts.notifications import Channel

# What a notifications process needs to be configured at all (not used to connect to anything in unit tests).
REQUIRED = {
    "database_url": "postgresql://accord_notifications:s3cr3t-pw@127.0.0.1:5432/accord",
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
    "ACCORD_OIDC_ISSUER": "https://id.example",
    "ACCORD_OIDC_JWKS": '{"keys": []}',
}


def settings(**extra: object) -> Settings:
    """The service's settings from `REQUIRED` and `extra` only: no environment file."""
    return Settings(_env_file=None, **{**REQUIRED, **extra})  # type: ignore[arg-type,call-arg]


@dataclass
class _Episode:
    tenant_id: str
    client_id: UUID
    lead_therapist_id: UUID
    closed_at: datetime | None = None


@dataclass
class InMemoryCareTeams:
    episodes: dict[UUID, _Episode] = field(default_factory=dict)
    participants: dict[tuple[UUID, UUID], tuple[str, bool]] = field(default_factory=dict)  # role, active
    goals: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    last_entry_at: dict[UUID, datetime] = field(default_factory=dict)
    entry_writes: int = 0

    async def episode_opened(self, tenant_id: str, event: EpisodeOpened) -> None:
        self.episodes.setdefault(event.episode_id, _Episode(tenant_id, event.client_id, event.lead_therapist_id))

    async def episode_closed(self, episode_id: UUID, closed_at: datetime) -> None:
        if (episode := self.episodes.get(episode_id)) is not None:
            episode.closed_at = closed_at
        for goal in self.goals.values():
            if goal["episode_id"] == episode_id:
                goal["status"] = "closed"

    async def participant(self, episode_id: UUID, person_id: UUID, role: Role | None, active: bool) -> None:
        known = self.participants.get((episode_id, person_id), ("unknown", False))[0]
        self.participants[episode_id, person_id] = (known if role is None else role.value, active)

    async def goal_proposed(self, tenant_id: str, event: GoalProposed) -> None:
        self.goals.setdefault(
            event.goal_id,
            {
                "tenant_id": tenant_id,
                "client_id": event.client_id,
                "episode_id": event.episode_id,
                "status": "proposed",
                "visibility": event.visibility,
                "shared_with": frozenset(event.shared_with),
            },
        )

    async def goal_agreed(self, tenant_id: str, event: GoalAgreed) -> None:
        interval = timedelta(days=event.review_interval_days)
        known = self.goals.get(event.goal_id, {})
        self.goals[event.goal_id] = {
            "tenant_id": tenant_id,
            "client_id": event.client_id,
            "episode_id": event.episode_id,
            "status": "closed" if known.get("status") == "closed" else "agreed",
            "visibility": event.visibility,
            "shared_with": frozenset(event.shared_with),
            "interval": interval,
            "next_check_in_at": event.agreed_at + interval,
        }

    async def claim_due_check_ins(self, now: datetime, limit: int) -> list[DueCheckIn]:
        due = sorted(
            (g["next_check_in_at"], goal_id)
            for goal_id, g in self.goals.items()
            if g["status"] == "agreed" and g.get("next_check_in_at") is not None and g["next_check_in_at"] <= now
        )[:limit]
        return [
            DueCheckIn(
                goal_id,
                self.goals[goal_id]["tenant_id"],
                self.goals[goal_id]["client_id"],
                at,
                self.goals[goal_id]["interval"],
                self.last_entry_at.get(goal_id),
            )
            for at, goal_id in due
        ]

    async def move_check_in(self, goal_id: UUID, next_at: datetime) -> None:
        self.goals[goal_id]["next_check_in_at"] = next_at

    async def visibility_changed(self, event: GoalVisibilityChanged) -> None:
        if (goal := self.goals.get(event.goal_id)) is not None:
            goal["visibility"], goal["shared_with"] = event.visibility, frozenset(event.shared_with)

    async def goal_status(self, goal_id: UUID, status: str, resumed_at: datetime | None = None) -> None:
        if (goal := self.goals.get(goal_id)) is not None and goal["status"] != "closed":
            goal["status"] = status
            if resumed_at is not None and "interval" in goal:
                goal["next_check_in_at"] = resumed_at + goal["interval"]

    async def client_entries(self, latest: Mapping[UUID, datetime]) -> None:
        self.entry_writes += 1
        for goal_id, at in latest.items():
            self.last_entry_at[goal_id] = max(at, self.last_entry_at.get(goal_id, at))

    async def goal(self, tenant_id: str, goal_id: UUID) -> KnownGoal | None:
        goal = self.goals.get(goal_id)
        if goal is None or goal["tenant_id"] != tenant_id:
            return None
        access = GoalAccess(goal["visibility"], goal["shared_with"])
        return KnownGoal(goal_id, goal["client_id"], goal["episode_id"], access)

    def add_goal(self, tenant_id: str, goal_id: UUID, client_id: UUID, episode_id: UUID) -> None:
        """A goal known here (what goal_agreed would leave), private, for tests of what follows it."""
        self.goals[goal_id] = {
            "tenant_id": tenant_id,
            "client_id": client_id,
            "episode_id": episode_id,
            "status": "agreed",
            "visibility": Visibility.PRIVATE,
            "shared_with": frozenset(),
        }

    async def team_of_episode(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> CareTeam:
        return self._team(tenant_id, client_id, lambda i, e: i == episode_id)

    async def team_of_client(self, tenant_id: str, client_id: UUID) -> CareTeam:
        team = self._team(tenant_id, client_id, lambda i, e: e.closed_at is None)
        return team if team.therapists else self._team(tenant_id, client_id, lambda i, e: True)

    def _team(self, tenant_id: str, client_id: UUID, where: Any) -> CareTeam:
        ids = [
            i for i, e in self.episodes.items() if (e.tenant_id, e.client_id) == (tenant_id, client_id) and where(i, e)
        ]
        if not ids:
            return CareTeam(client_id)
        people = {(i, person): rv for (i, person), rv in self.participants.items() if i in ids}
        left = {key for key, (_, active) in people.items() if not active}
        therapists = {
            self.episodes[i].lead_therapist_id for i in ids if (i, self.episodes[i].lead_therapist_id) not in left
        }
        therapists |= {p for (_, p), (role, active) in people.items() if active and role == Role.THERAPIST.value}
        family = {p for (_, p), (role, active) in people.items() if active and role == Role.FAMILY.value}
        return CareTeam(client_id, frozenset(therapists), frozenset(family))


@dataclass
class _StoredDelivery:
    delivery: Delivery
    status: DeliveryStatus
    due_at: datetime
    created_at: datetime
    log: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class InMemoryDeliveries:
    people: "InMemoryPeople"
    rows: dict[UUID, _StoredDelivery] = field(default_factory=dict)

    async def add(self, d: Delivery, status: DeliveryStatus, due_at: datetime) -> bool:
        key = (d.source_event_id, d.recipient_id, d.channel, d.contact_point_id)
        if any(_once(r.delivery) == key for r in self.rows.values()):
            return False
        first = "queued" if status is DeliveryStatus.PENDING else status.value
        self.rows[d.id] = _StoredDelivery(d, status, due_at, datetime.now(UTC), [(first, None)])
        return True

    async def due_ids(self, now: datetime, limit: int) -> list[UUID]:
        due = sorted(
            (r.due_at, i) for i, r in self.rows.items() if r.status is DeliveryStatus.PENDING and r.due_at <= now
        )
        return [i for _, i in due[:limit]]

    async def lock_digest_group(self, delivery_id: UUID) -> None:
        """Nothing to lock: one task at a time touches the fake."""

    async def claim(self, delivery_id: UUID, now: datetime) -> Claimed | None:
        row = self.rows.get(delivery_id)
        if row is None or row.status is not DeliveryStatus.PENDING or row.due_at > now:
            return None
        point = self.people.points.get(row.delivery.contact_point_id) if row.delivery.contact_point_id else None
        live = point.point if point is not None and point.active else None
        return Claimed(row.delivery, live)

    async def digest_companions(self, d: Delivery, now: datetime) -> list[Delivery]:
        same = [
            r
            for i, r in self.rows.items()
            if i != d.id
            and r.delivery.digest
            and r.status is DeliveryStatus.PENDING
            and r.due_at <= now
            and (r.delivery.recipient_id, r.delivery.channel, r.delivery.contact_point_id)
            == (d.recipient_id, d.channel, d.contact_point_id)
        ]
        return [r.delivery for r in sorted(same, key=lambda r: (r.due_at, str(r.delivery.id)))]

    async def mark_sent(self, d: Delivery, now: datetime, detail: str | None = None) -> None:
        self._set(d, "sent", detail, status=DeliveryStatus.SENT, attempt=True)

    async def retry_later(self, d: Delivery, at: datetime, detail: str) -> None:
        self._set(d, "retrying", detail, due_at=at, attempt=True)

    async def mark_failed(self, d: Delivery, detail: str) -> None:
        self._set(d, "failed", detail, status=DeliveryStatus.FAILED, attempt=True)

    async def defer(self, d: Delivery, until: datetime, detail: str) -> None:
        self._set(d, "deferred", detail, due_at=until)

    async def cancel(self, d: Delivery, detail: str) -> None:
        self._set(d, "cancelled", detail, status=DeliveryStatus.CANCELLED)

    async def cancel_for_contact_point(self, contact_point_id: UUID, detail: str) -> None:
        for r in self.rows.values():
            if r.delivery.contact_point_id == contact_point_id and r.status is DeliveryStatus.PENDING:
                self._set(r.delivery, "cancelled", detail, status=DeliveryStatus.CANCELLED)

    def _set(
        self,
        d: Delivery,
        log: str,
        detail: str | None,
        *,
        status: DeliveryStatus | None = None,
        due_at: datetime | None = None,
        attempt: bool = False,
    ) -> None:
        row = self.rows[d.id]
        row.status = status or row.status
        row.due_at = due_at or row.due_at
        row.delivery = replace(row.delivery, attempts=row.delivery.attempts + attempt)
        row.log.append((log, detail))


def _once(d: Delivery) -> tuple[UUID, UUID, Channel, UUID | None]:
    return (d.source_event_id, d.recipient_id, d.channel, d.contact_point_id)


@dataclass
class InMemoryPeople:
    preferences_of: dict[tuple[str, UUID], Preferences] = field(default_factory=dict)
    points: dict[UUID, StoredContactPoint] = field(default_factory=dict)
    tenants: dict[UUID, str] = field(default_factory=dict)

    async def preferences(self, tenant_id: str, person_id: UUID, defaults: Defaults) -> Preferences:
        return self.preferences_of.get((tenant_id, person_id)) or defaults.preferences()

    async def save_preferences(self, tenant_id: str, person_id: UUID, prefs: Preferences) -> None:
        self.preferences_of[tenant_id, person_id] = prefs

    async def active_contact_points(self, tenant_id: str, person_id: UUID) -> list[ContactPoint]:
        return [s.point for s in self._of(tenant_id, person_id) if s.active and s.confirmed]

    async def contact_point(
        self, tenant_id: str, person_id: UUID, channel: Channel, point_id: UUID
    ) -> StoredContactPoint | None:
        return next((s for s in self._of(tenant_id, person_id, channel) if s.point.id == point_id), None)

    def confirm(self, point_id: UUID) -> None:
        """What following the e-mailed link does (the API's part, not the handlers')."""
        self.points[point_id] = replace(self.points[point_id], confirmed=True)

    async def register(
        self,
        tenant_id: str,
        person_id: UUID,
        channel: Channel,
        address: str,
        keys: tuple[str, str] | None = None,
    ) -> StoredContactPoint:
        p256dh, auth = keys or (None, None)
        known = next((s for s in self._of(tenant_id, person_id, channel) if s.point.address == address), None)
        point_id = uuid4() if known is None else known.point.id
        created = datetime.now(UTC) if known is None else known.created_at
        # An e-mail address is unconfirmed until its owner follows the link (a push subscription needs none).
        confirmed = known.confirmed if known is not None else channel is not Channel.EMAIL
        point = ContactPoint(point_id, person_id, channel, address, p256dh, auth)
        stored = StoredContactPoint(point, created, True, confirmed)
        self.points[point_id], self.tenants[point_id] = stored, tenant_id
        return stored

    async def contact_points_page(
        self,
        tenant_id: str,
        person_id: UUID,
        channel: Channel,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[StoredContactPoint]:
        mine = self._of(tenant_id, person_id, channel)
        return [s for s in mine if after is None or (s.created_at, str(s.point.id)) > (after[0], str(after[1]))][:limit]

    async def remove(self, tenant_id: str, person_id: UUID, channel: Channel, point_id: UUID) -> bool:
        if point_id not in {s.point.id for s in self._of(tenant_id, person_id, channel)}:
            return False
        del self.points[point_id], self.tenants[point_id]
        return True

    async def disable(self, point_id: UUID, reason: str) -> None:
        if (stored := self.points.get(point_id)) is not None:
            self.points[point_id] = replace(stored, active=False)

    def _of(self, tenant_id: str, person_id: UUID, channel: Channel | None = None) -> list[StoredContactPoint]:
        mine = [
            s
            for i, s in self.points.items()
            if self.tenants[i] == tenant_id and s.point.person_id == person_id and channel in (None, s.point.channel)
        ]
        return sorted(mine, key=lambda s: (s.created_at, str(s.point.id)))


@dataclass
class InMemoryInAppMessages:
    messages: dict[UUID, tuple[str, UUID, InAppMessage]] = field(default_factory=dict)  # tenant, recipient, message
    last: dict[tuple[str, UUID], int] = field(default_factory=dict)

    async def add(self, d: Delivery) -> None:
        seq = self.last.get((d.tenant_id, d.recipient_id), 0) + 1
        self.last[d.tenant_id, d.recipient_id] = seq
        message = InAppMessage(d.id, d.template, d.link_path, datetime.now(UTC), None, seq)
        self.messages[d.id] = (d.tenant_id, d.recipient_id, message)

    async def page(
        self, tenant_id: str, person_id: UUID, before: tuple[datetime, UUID] | None, limit: int
    ) -> list[InAppMessage]:
        newest_first = sorted(self._of(tenant_id, person_id), key=lambda m: (m.created_at, str(m.id)), reverse=True)
        kept = [m for m in newest_first if before is None or (m.created_at, str(m.id)) < (before[0], str(before[1]))]
        return kept[:limit]

    async def after(self, tenant_id: str, person_id: UUID, seq: int, limit: int) -> list[InAppMessage]:
        return sorted((m for m in self._of(tenant_id, person_id) if m.seq > seq), key=lambda m: m.seq)[:limit]

    async def last_seq(self, tenant_id: str, person_id: UUID) -> int:
        return self.last.get((tenant_id, person_id), 0)

    async def unread_count(self, tenant_id: str, person_id: UUID) -> int:
        return sum(m.read_at is None for m in self._of(tenant_id, person_id))

    async def mark_read(self, tenant_id: str, person_id: UUID, item_id: UUID) -> InAppMessage | None:
        known = self.messages.get(item_id)
        if known is None or known[:2] != (tenant_id, person_id):
            return None
        message = known[2]
        read = replace(message, read_at=message.read_at or datetime.now(UTC))
        self.messages[item_id] = (tenant_id, person_id, read)
        return read

    def _of(self, tenant_id: str, person_id: UUID) -> list[InAppMessage]:
        return [m for t, r, m in self.messages.values() if (t, r) == (tenant_id, person_id)]


@dataclass
class InMemoryHeldTriggers:
    held: dict[UUID, tuple[UUID, datetime, Envelope]] = field(default_factory=dict)  # client, created_at, envelope

    async def hold(self, envelope: Envelope, client_id: UUID) -> None:
        self.held.setdefault(envelope.event_id, (client_id, datetime.now(UTC), envelope))

    async def held_for(self, tenant_id: str, client_id: UUID) -> list[Envelope]:
        mine = [(at, e) for c, at, e in self.held.values() if c == client_id and e.tenant_id == tenant_id]
        return [e for _, e in sorted(mine, key=lambda pair: pair[0])]

    async def release(self, event_id: UUID) -> None:
        self.held.pop(event_id, None)


@dataclass
class InMemoryRetention:
    repo: "InMemoryRepository"

    async def remove_due(self, kind: RecordKind, cutoffs: Cutoffs, limit: int) -> int:
        """In-app messages, deliveries no longer pending and without a kept message, held triggers; this fake keeps
        no idempotency keys."""
        r = self.repo
        if kind is RecordKind.IN_APP_MESSAGES:
            store: dict[UUID, Any] = r.in_app_messages.messages
            due = [i for i, (t, _, m) in store.items() if m.created_at < cutoffs.for_tenant(t)]
        elif kind is RecordKind.DELIVERIES:
            store = r.deliveries.rows
            due = [
                i
                for i, d in store.items()
                if d.created_at < cutoffs.for_tenant(d.delivery.tenant_id)
                and d.status is not DeliveryStatus.PENDING
                and i not in r.in_app_messages.messages
            ]
        elif kind is RecordKind.HELD_TRIGGERS:
            store = r.held_triggers.held
            due = [i for i, (_, at, e) in store.items() if at < cutoffs.for_tenant(e.tenant_id)]
        else:
            return 0
        for i in due[:limit]:
            del store[i]
        return len(due[:limit])


@dataclass
class InMemoryRepository:
    care_teams: InMemoryCareTeams = field(default_factory=InMemoryCareTeams)
    people: InMemoryPeople = field(default_factory=InMemoryPeople)
    in_app_messages: InMemoryInAppMessages = field(default_factory=InMemoryInAppMessages)
    held_triggers: InMemoryHeldTriggers = field(default_factory=InMemoryHeldTriggers)
    published: list[Envelope] = field(default_factory=list)

    restricted: set[tuple[str, UUID]] = field(default_factory=set)
    """Clients an erasure was decided for (tenant, client)."""

    def __post_init__(self) -> None:
        self.deliveries = InMemoryDeliveries(self.people)
        self.retention = InMemoryRetention(self)
        self.erasure = self

    async def is_restricted(self, tenant_id: str, client_id: UUID) -> bool:
        return (tenant_id, client_id) in self.restricted

    async def publish(self, *envelopes: Envelope) -> None:
        self.published.extend(envelopes)


class InMemoryUnitOfWork(testing.InMemoryUnitOfWork[InMemoryRepository]):
    def __init__(self) -> None:
        super().__init__(InMemoryRepository())
