"""A care episode's changes are announced by the domain, as a goal's are: the handler only passes them on."""

from uuid import uuid4

import pytest
from goals_factories import NOW, episode

from accord.goals.domain.errors import NotAllowed
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Role


def test_an_opened_episode_announces_its_client_team_and_lead_therapist() -> None:
    ep = episode()
    [opened] = ep.opened()
    assert opened == ev.EpisodeOpened(
        client_id=ep.client_id,
        episode_id=ep.episode_id,
        team_id=ep.team_id,
        lead_therapist_id=ep.lead_therapist_id,
        opened_at=NOW,
    )


def test_a_family_member_joining_and_leaving_is_announced_with_their_role_and_relationship() -> None:
    ep, mum = episode(), uuid4()
    [joined] = ep.add_family_member(ep.lead_therapist_id, mum, "parent", NOW)
    assert (joined.person_id, joined.role, joined.relationship_code) == (mum, Role.FAMILY, "parent")
    [left] = ep.remove_family_member(ep.lead_therapist_id, mum)
    assert isinstance(left, ev.ParticipantLeft) and left.person_id == mum and not ep.is_member(mum)


def test_closing_is_announced_once_and_only_by_the_lead_therapist() -> None:
    ep = episode()
    with pytest.raises(NotAllowed):
        ep.close(ep.client_id, NOW)
    [closed] = ep.close(ep.lead_therapist_id, NOW)
    assert closed == ev.EpisodeClosed(client_id=ep.client_id, episode_id=ep.episode_id, closed_at=NOW)
