"""Who may see what of a client, decided from reporting's own view of the care episodes."""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from accord.reporting.domain.goals import GoalState
from accord.reporting.domain.history import ClientHistory, Questionnaire
from accord.shared.events.contracts.common import Role


class Audience(StrEnum):
    CLIENT = "client"
    CLINICIAN = "clinician"
    FAMILY = "family"


@dataclass(frozen=True)
class Scope:
    """What one viewer may see of one client: all of their own, a clinician's episodes, a relative's shared goals."""

    audience: Audience
    viewer_id: UUID
    episode_ids: frozenset[UUID] | None  # None: every episode

    def sees(self, goal: GoalState) -> bool:
        if self.episode_ids is not None and goal.episode_id not in self.episode_ids:
            return False
        return self.audience is not Audience.FAMILY or goal.shared_with_family_member(self.viewer_id)

    @property
    def sees_scores(self) -> bool:
        """Questionnaire scores are for the client and clinicians; safety signals for clinicians alone."""
        return self.audience is not Audience.FAMILY

    def questionnaires(self, history: ClientHistory) -> list[Questionnaire]:
        """The responses this viewer may see, in time order: all of them for the client, none for a relative, and
        for a clinician those completed for one of their episodes only."""
        if not self.sees_scores:
            return []
        return sorted(
            (
                q
                for q in history.questionnaires
                if self.episode_ids is None or questionnaire_episode(history, q) in self.episode_ids
            ),
            key=lambda q: (q.at, str(q.response_id)),
        )


def questionnaire_episode(history: ClientHistory, response: Questionnaire) -> UUID | None:
    """The episode a response was completed for. A response published before responses named their episode belongs
    to the one episode of the client open when it was recorded; with none or several open then, to no episode (the
    client alone sees it), since a guess could show it to a therapist of another episode."""
    if response.episode_id is not None:
        return response.episode_id
    open_then = [e.episode_id for e in history.episodes if e.spans(response.at)]
    return open_then[0] if len(open_then) == 1 else None


def active_roles(history: ClientHistory, person_id: UUID) -> dict[UUID, Role]:
    """Episode -> the person's role there, for the episodes they have joined and not (since) left."""
    latest: dict[UUID, tuple[bool, Role | None]] = {}
    for change in sorted(history.participants, key=lambda c: (c.at, c.joined)):
        if change.person_id == person_id:
            latest[change.episode_id] = (change.joined, change.role)
    return {episode: role for episode, (joined, role) in latest.items() if joined and role is not None}


def clinician_episodes(history: ClientHistory, person_id: UUID) -> frozenset[UUID]:
    """Episodes the person leads or takes part in as a clinician (open or closed)."""
    led = {e.episode_id for e in history.episodes if e.lead_therapist_id == person_id}
    taking_part = {
        e for e, role in active_roles(history, person_id).items() if role in (Role.THERAPIST, Role.SUPERVISOR)
    }
    return frozenset(led | taking_part)


def report_scope(history: ClientHistory, viewer_id: UUID, roles: Collection[Role]) -> Scope | None:
    """The viewer's scope on this client's report, or None when they may not see it at all."""
    if Role.CLIENT in roles and viewer_id == history.client_id:
        return Scope(Audience.CLIENT, viewer_id, None)
    if Role.THERAPIST in roles and (episodes := clinician_episodes(history, viewer_id)):
        return Scope(Audience.CLINICIAN, viewer_id, episodes)
    family = frozenset(e for e, role in active_roles(history, viewer_id).items() if role is Role.FAMILY)
    if Role.FAMILY in roles and family:
        return Scope(Audience.FAMILY, viewer_id, family)
    return None
