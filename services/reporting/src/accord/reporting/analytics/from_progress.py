"""What the analytics stream keeps of each progress event (accord.progress.v1): scores and bands, never notes."""

from typing import Any

from accord.reporting.analytics.pseudonyms import Pseudonyms
from accord.shared.events.contracts import analytics as a
from accord.shared.events.contracts import progress as pr


def _entry(e: pr.ProgressRecorded | pr.GoalRatingRecorded, p: Pseudonyms) -> dict[str, Any]:
    """What a measurement and a rating both keep: who, which goal, the day; never the value's note."""
    return {
        **p.about(e.client_id),
        "entry_pseudonym": p.record(e.entry_id),
        "goal_pseudonym": p.record(e.goal_id),
        "goal_version": e.goal_version,
        "occurred_on": e.occurred_at.date(),
        "recorded_by_pseudonym": p.person(e.recorded_by),
        "recorded_by_role": e.recorded_by_role,
    }


def progress_recorded(e: pr.ProgressRecorded, p: Pseudonyms) -> a.AnalyticsProgressRecorded:
    return a.AnalyticsProgressRecorded(**_entry(e, p))


def goal_rating_recorded(e: pr.GoalRatingRecorded, p: Pseudonyms) -> a.AnalyticsGoalRatingRecorded:
    return a.AnalyticsGoalRatingRecorded(**_entry(e, p))


def milestone_checked(e: pr.MilestoneChecked, p: Pseudonyms) -> a.AnalyticsMilestoneChecked:
    return a.AnalyticsMilestoneChecked(
        **p.about(e.client_id),
        entry_pseudonym=p.record(e.entry_id),
        goal_pseudonym=p.record(e.goal_id),
        milestone_pseudonym=p.record(e.milestone_id),
        occurred_on=e.occurred_at.date(),
        recorded_by_pseudonym=p.person(e.recorded_by),
    )


def questionnaire_completed(e: pr.QuestionnaireCompleted, p: Pseudonyms) -> a.AnalyticsQuestionnaireCompleted:
    return a.AnalyticsQuestionnaireCompleted(
        **p.about(e.client_id),
        response_pseudonym=p.record(e.response_id),
        instrument=e.instrument,
        occurred_on=e.occurred_at.date(),
        episode_pseudonym=None if e.episode_id is None else p.record(e.episode_id),
    )


def milestone_reached(e: pr.MilestoneReached, p: Pseudonyms) -> a.AnalyticsMilestoneReached:
    return a.AnalyticsMilestoneReached(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        goal_version=e.goal_version,
        milestone_pseudonym=p.record(e.milestone_id),
        entry_pseudonym=p.record(e.entry_id),
        reached_on=e.reached_at.date(),
    )


def goal_target_reached(e: pr.GoalTargetReached, p: Pseudonyms) -> a.AnalyticsGoalTargetReached:
    return a.AnalyticsGoalTargetReached(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        goal_version=e.goal_version,
        entry_pseudonym=p.record(e.entry_id),
        reached_on=e.reached_at.date(),
    )


def achievement_status_changed(e: pr.AchievementStatusChanged, p: Pseudonyms) -> a.AnalyticsAchievementStatusChanged:
    return a.AnalyticsAchievementStatusChanged(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        goal_version=e.goal_version,
        status=e.status,
        previous=e.previous,
        changed_on=e.changed_at.date(),
    )


def review_suggested(e: pr.ReviewSuggested, p: Pseudonyms) -> a.AnalyticsReviewSuggested:
    return a.AnalyticsReviewSuggested(
        **p.about(e.client_id),
        goal_pseudonym=p.record(e.goal_id),
        goal_version=e.goal_version,
        reason=e.reason,
        suggested_on=e.suggested_at.date(),
    )


def safety_signal_raised(e: pr.SafetySignalRaised, p: Pseudonyms) -> a.AnalyticsSafetySignalRaised:
    return a.AnalyticsSafetySignalRaised(
        **p.about(e.client_id),
        signal_pseudonym=p.record(e.signal_id),
        source_pseudonym=p.record(e.source_id),
        instrument=e.instrument,
        raised_on=e.raised_at.date(),
    )


def session_held(e: pr.SessionHeld, p: Pseudonyms) -> a.AnalyticsSessionHeld:
    return a.AnalyticsSessionHeld(
        **p.about(e.client_id),
        episode_pseudonym=p.record(e.episode_id),
        session_pseudonym=p.record(e.session_id),
        held_on=e.held_at.date(),
        held_by_pseudonym=p.person(e.held_by),
    )


def feedback_check_scheduled(e: pr.FeedbackCheckScheduled, p: Pseudonyms) -> a.AnalyticsFeedbackCheckScheduled:
    return a.AnalyticsFeedbackCheckScheduled(
        **p.about(e.client_id),
        episode_pseudonym=p.record(e.episode_id),
        session_pseudonym=p.record(e.session_id),
        scheduled_on=e.scheduled_at.date(),
    )


def session_feedback_given(e: pr.SessionFeedbackGiven, p: Pseudonyms) -> a.AnalyticsSessionFeedbackGiven:
    """No scores: the analytics stream carries no health scores (the project's rule)."""
    return a.AnalyticsSessionFeedbackGiven(
        **p.about(e.client_id),
        episode_pseudonym=p.record(e.episode_id),
        session_pseudonym=p.record(e.session_id),
        occurred_on=e.occurred_at.date(),
    )
