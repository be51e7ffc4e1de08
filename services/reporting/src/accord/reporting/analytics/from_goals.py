"""What the analytics stream keeps of each goals event (accord.goals.v1)."""

from collections.abc import Iterable

from accord.reporting.analytics.pseudonyms import Pseudonyms
from accord.shared.events.contracts import analytics as a
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts.common import Measure, MilestoneSpec, Party


def parties(p: Pseudonyms, found: Iterable[Party]) -> tuple[a.PseudonymousParty, ...]:
    return tuple(a.PseudonymousParty(person_pseudonym=p.person(x.person_id), role=x.role) for x in found)


def milestones(p: Pseudonyms, found: Iterable[MilestoneSpec]) -> tuple[a.PseudonymousMilestone, ...]:
    return tuple(
        a.PseudonymousMilestone(milestone_pseudonym=p.record(m.milestone_id), position=m.position, kind=m.kind)
        for m in found
    )


def measure(m: Measure) -> a.AnalyticsMeasure:
    return a.AnalyticsMeasure(
        kind=m.kind, minimum=m.minimum, maximum=m.maximum, period_days=m.period_days, instrument=m.instrument
    )


def episode_opened(e: g.EpisodeOpened, p: Pseudonyms) -> a.AnalyticsEpisodeOpened:
    return a.AnalyticsEpisodeOpened(
        **p.about(e.client_id),
        episode_pseudonym=p.record(e.episode_id),
        team_pseudonym=p.record(e.team_id),
        lead_therapist_pseudonym=p.person(e.lead_therapist_id),
        opened_on=e.opened_at.date(),
    )


def participant_joined(e: g.ParticipantJoined, p: Pseudonyms) -> a.AnalyticsParticipantJoined:
    return a.AnalyticsParticipantJoined(
        **p.about(e.client_id),
        episode_pseudonym=p.record(e.episode_id),
        person_pseudonym=p.person(e.person_id),
        role=e.role,
    )


def participant_left(e: g.ParticipantLeft, p: Pseudonyms) -> a.AnalyticsParticipantLeft:
    return a.AnalyticsParticipantLeft(
        **p.about(e.client_id), episode_pseudonym=p.record(e.episode_id), person_pseudonym=p.person(e.person_id)
    )


def episode_closed(e: g.EpisodeClosed, p: Pseudonyms) -> a.AnalyticsEpisodeClosed:
    return a.AnalyticsEpisodeClosed(
        **p.about(e.client_id), episode_pseudonym=p.record(e.episode_id), closed_on=e.closed_at.date()
    )


def goal_proposed(e: g.GoalProposed, p: Pseudonyms) -> a.AnalyticsGoalProposed:
    return a.AnalyticsGoalProposed(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        episode_pseudonym=p.record(e.episode_id),
        version=e.version,
        proposed_by_pseudonym=p.person(e.proposed_by),
        required_parties=parties(p, e.required_parties),
        visibility=e.visibility,
        shared_with_pseudonyms=p.persons(e.shared_with),
    )


def goal_agreement_recorded(e: g.GoalAgreementRecorded, p: Pseudonyms) -> a.AnalyticsGoalAgreementRecorded:
    return a.AnalyticsGoalAgreementRecorded(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        version=e.version,
        party_pseudonym=p.person(e.party_id),
        decision=e.decision,
    )


def goal_agreed(e: g.GoalAgreed, p: Pseudonyms) -> a.AnalyticsGoalAgreed:
    return a.AnalyticsGoalAgreed(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        episode_pseudonym=p.record(e.episode_id),
        version=e.version,
        category_code=e.category_code,
        measure=measure(e.measure),
        direction=e.direction,
        due_date=e.due_date,
        review_interval_days=e.review_interval_days,
        milestones=milestones(p, e.milestones),
        visibility=e.visibility,
        shared_with_pseudonyms=p.persons(e.shared_with),
        parties=parties(p, e.parties),
        proposed_on=e.proposed_at.date(),
        agreed_on=e.agreed_at.date(),
    )


def goal_revision_proposed(e: g.GoalRevisionProposed, p: Pseudonyms) -> a.AnalyticsGoalRevisionProposed:
    return a.AnalyticsGoalRevisionProposed(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        version=e.version,
        proposed_by_pseudonym=p.person(e.proposed_by),
        required_parties=parties(p, e.required_parties),
    )


def goal_visibility_changed(e: g.GoalVisibilityChanged, p: Pseudonyms) -> a.AnalyticsGoalVisibilityChanged:
    return a.AnalyticsGoalVisibilityChanged(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        visibility=e.visibility,
        shared_with_pseudonyms=p.persons(e.shared_with),
    )


def goal_paused(e: g.GoalPaused, p: Pseudonyms) -> a.AnalyticsGoalPaused:
    return a.AnalyticsGoalPaused(
        **p.about(e.client_id), goal_pseudonym=p.record(e.goal_id), paused_by_pseudonym=p.person(e.paused_by)
    )


def goal_resumed(e: g.GoalResumed, p: Pseudonyms) -> a.AnalyticsGoalResumed:
    return a.AnalyticsGoalResumed(
        **p.about(e.client_id), goal_pseudonym=p.record(e.goal_id), resumed_by_pseudonym=p.person(e.resumed_by)
    )


def goal_closed(e: g.GoalClosed, p: Pseudonyms) -> a.AnalyticsGoalClosed:
    return a.AnalyticsGoalClosed(
        **p.about(e.client_id), goal_pseudonym=p.record(e.goal_id), outcome=e.outcome, closed_on=e.closed_at.date()
    )


def goal_importance_rated(e: g.GoalImportanceRated, p: Pseudonyms) -> a.AnalyticsGoalImportanceRated:
    return a.AnalyticsGoalImportanceRated(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        episode_pseudonym=p.record(e.episode_id),
        version=e.version,
        party=e.party,
        occurred_on=e.occurred_at.date(),
    )


def alignment_divergence_raised(e: g.AlignmentDivergenceRaised, p: Pseudonyms) -> a.AnalyticsAlignmentDivergenceRaised:
    return a.AnalyticsAlignmentDivergenceRaised(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        episode_pseudonym=p.record(e.episode_id),
        version=e.version,
        threshold=e.threshold,
    )


def alignment_divergence_resolved(
    e: g.AlignmentDivergenceResolved, p: Pseudonyms
) -> a.AnalyticsAlignmentDivergenceResolved:
    return a.AnalyticsAlignmentDivergenceResolved(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        episode_pseudonym=p.record(e.episode_id),
        version=e.version,
    )
