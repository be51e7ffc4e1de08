"""Care episodes: who is in a client's care. Only people in an episode see anything of it."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from accord.goals.domain.errors import NotAllowed, WrongState
from accord.shared.events import IntegrationEvent
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Role


class EpisodeStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Participant(BaseModel):
    person_id: UUID
    role: Role
    relationship_code: str | None = Field(default=None, max_length=30, pattern=r"^[a-z_]+$")
    joined_at: datetime
    display_name: str | None = Field(default=None, max_length=60)
    """What the lead therapist calls a family member (so screens show a name, not an id); kept in the episode only,
    never in an event."""


class Episode(BaseModel):
    episode_id: UUID
    tenant_id: str
    client_id: UUID
    team_id: UUID
    lead_therapist_id: UUID
    status: EpisodeStatus = EpisodeStatus.OPEN
    opened_at: datetime
    closed_at: datetime | None = None
    participants: list[Participant]

    @classmethod
    def open(
        cls, *, episode_id: UUID, tenant_id: str, client_id: UUID, team_id: UUID, therapist_id: UUID, now: datetime
    ) -> "Episode":
        return cls(
            episode_id=episode_id,
            tenant_id=tenant_id,
            client_id=client_id,
            team_id=team_id,
            lead_therapist_id=therapist_id,
            opened_at=now,
            participants=[
                Participant(person_id=client_id, role=Role.CLIENT, joined_at=now),
                Participant(person_id=therapist_id, role=Role.THERAPIST, joined_at=now),
            ],
        )

    def opened(self) -> list[IntegrationEvent]:
        """What opening the episode announces (a client-supplied id retried finds it opened, and announces none)."""
        return [
            ev.EpisodeOpened(
                client_id=self.client_id,
                episode_id=self.episode_id,
                team_id=self.team_id,
                lead_therapist_id=self.lead_therapist_id,
                opened_at=self.opened_at,
            )
        ]

    def role_of(self, person_id: UUID) -> Role | None:
        for p in self.participants:
            if p.person_id == person_id:
                return p.role
        return None

    def is_member(self, person_id: UUID) -> bool:
        return self.role_of(person_id) is not None

    def family_ids(self) -> set[UUID]:
        return {p.person_id for p in self.participants if p.role is Role.FAMILY}

    def add_family_member(
        self, actor: UUID, person_id: UUID, relationship_code: str, now: datetime, display_name: str | None = None
    ) -> list[IntegrationEvent]:
        self._lead_only(actor)
        self._open_only()
        if self.is_member(person_id):
            raise WrongState("this person is already in the episode")
        participant = Participant(
            person_id=person_id,
            role=Role.FAMILY,
            relationship_code=relationship_code,
            joined_at=now,
            display_name=display_name,
        )
        self.participants.append(participant)
        return [
            ev.ParticipantJoined(
                client_id=self.client_id,
                episode_id=self.episode_id,
                person_id=person_id,
                role=participant.role,
                relationship_code=relationship_code,
            )
        ]

    def remove_family_member(self, actor: UUID, person_id: UUID) -> list[IntegrationEvent]:
        self._lead_only(actor)
        if self.role_of(person_id) is not Role.FAMILY:
            raise WrongState("only family participants can be removed")
        self.participants = [p for p in self.participants if p.person_id != person_id]
        return [ev.ParticipantLeft(client_id=self.client_id, episode_id=self.episode_id, person_id=person_id)]

    def close(self, actor: UUID, now: datetime) -> list[IntegrationEvent]:
        self._lead_only(actor)
        self._open_only()
        self.status, self.closed_at = EpisodeStatus.CLOSED, now
        return [ev.EpisodeClosed(client_id=self.client_id, episode_id=self.episode_id, closed_at=now)]

    def _lead_only(self, actor: UUID) -> None:
        if actor != self.lead_therapist_id:
            raise NotAllowed("only the lead therapist manages the episode")

    def _open_only(self) -> None:
        if self.status is not EpisodeStatus.OPEN:
            raise WrongState("the episode is closed")
