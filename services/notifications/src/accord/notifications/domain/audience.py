"""Who hears of what: the audience of every trigger, decided from this service's own view of the care team.

The rule that matters most: a family member hears of a goal only while it is shared with them by name and they
are still part of the care team. Clinicians hear only while they are on the client's team.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from accord.notifications.domain.templates import TemplateCode
from accord.shared.events.contracts.common import Party, Role, Visibility


@dataclass(frozen=True)
class CareTeam:
    """The people currently around one client, from EpisodeOpened / ParticipantJoined / ParticipantLeft."""

    client_id: UUID
    therapists: frozenset[UUID] = frozenset()
    family: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class GoalAccess:
    visibility: Visibility
    shared_with: frozenset[UUID] = frozenset()

    def family_may_see(self, person_id: UUID) -> bool:
        return self.visibility is Visibility.SHARED and person_id in self.shared_with


@dataclass(frozen=True)
class Notice:
    """One recipient's notification, before channels are chosen."""

    recipient_id: UUID
    template: TemplateCode
    urgent: bool = False
    """Every channel the person has, at once, past quiet hours and digests."""
    digestible: bool = False
    """A clinician's routine update: held for their digest if they prefer one."""


def goal_waiting_for_view(
    required: Iterable[Party], proposed_by: UUID, team: CareTeam, goal: GoalAccess
) -> list[Notice]:
    """GoalProposed / GoalRevisionProposed: the other required parties."""
    people = _allowed((p for p in required if p.person_id != proposed_by), team, goal)
    return _unique(Notice(p, TemplateCode.GOAL_WAITING_FOR_VIEW) for p in people)


def goal_agreed(parties: Iterable[Party], team: CareTeam, goal: GoalAccess) -> list[Notice]:
    """GoalAgreed: every party, as confirmation."""
    return _unique(Notice(p, TemplateCode.GOAL_AGREED) for p in _allowed(parties, team, goal))


def celebration(template: TemplateCode, team: CareTeam, goal: GoalAccess) -> list[Notice]:
    """MilestoneReached / GoalTargetReached: the client and family on shared goals celebrate; clinicians get an
    update they may take in a digest."""
    cheering = [team.client_id, *sorted(f for f in team.family if goal.family_may_see(f))]
    notices = [Notice(p, template) for p in cheering]
    notices += [Notice(t, TemplateCode.CLIENT_UPDATE, digestible=True) for t in sorted(team.therapists)]
    return _unique(notices)


def review_suggested(team: CareTeam) -> list[Notice]:
    """ReviewSuggested: the therapists only, never a reproach to the client."""
    return [Notice(t, TemplateCode.REVIEW_SUGGESTED, digestible=True) for t in sorted(team.therapists)]


def safety_signal(team: CareTeam) -> list[Notice]:
    """SafetySignalRaised: the therapists, at once, through every channel they have."""
    return [Notice(t, TemplateCode.SAFETY_SIGNAL, urgent=True) for t in sorted(team.therapists)]


def check_in_reminder(team: CareTeam) -> list[Notice]:
    """A goal's review interval came round without an entry from the client: a gentle nudge, to them only."""
    return [Notice(team.client_id, TemplateCode.CHECK_IN_REMINDER)]


def session_feedback(client_id: UUID) -> list[Notice]:
    """SessionHeld: an invitation to the young person alone to say how the session went (never the family, who
    are not told that feedback exists, nor the therapist, who marked the session)."""
    return [Notice(client_id, TemplateCode.SESSION_FEEDBACK)]


def _allowed(parties: Iterable[Party], team: CareTeam, goal: GoalAccess) -> list[UUID]:
    """The parties who may hear of this goal: the client; therapists on the team; family it is shared with."""
    return [p.person_id for p in parties if _may_hear(p, team, goal)]


def _may_hear(party: Party, team: CareTeam, goal: GoalAccess) -> bool:
    person = party.person_id
    if party.role is Role.CLIENT:
        return person == team.client_id
    if party.role is Role.THERAPIST:
        return person in team.therapists
    if party.role is Role.FAMILY:
        return person in team.family and goal.family_may_see(person)
    return False


def _unique(notices: Iterable[Notice]) -> list[Notice]:
    seen: set[UUID] = set()
    unique = []
    for notice in notices:
        if notice.recipient_id not in seen:
            seen.add(notice.recipient_id)
            unique.append(notice)
    return unique
