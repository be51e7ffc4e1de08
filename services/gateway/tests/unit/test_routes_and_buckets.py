from accord.gateway.domain.ratelimit import take
from accord.gateway.domain.routes import route


def test_each_public_path_goes_to_the_service_that_owns_it() -> None:
    assert route("goals/123/agreements") == route("goals/123/agreements")
    assert route("episodes/1/goals").service == "goals"  # type: ignore[union-attr]
    assert route("progress/goals/1").upstream_path == "/progress/goals/1"  # type: ignore[union-attr]
    assert route("reporting/caseload").service == "reporting"  # type: ignore[union-attr]
    assert route("notifications/inbox").service == "notifications"  # type: ignore[union-attr]
    waiting = route("goals/erasure-requests")  # the list of erasure requests is the goals service's
    assert waiting is not None and waiting.service == "goals"
    assert route("admin/secrets") is None
    assert route("") is None


def test_an_episodes_sessions_and_their_feedback_go_to_the_progress_service_and_the_rest_of_it_to_goals() -> None:
    assert route("episodes/1/sessions").service == "progress"  # type: ignore[union-attr]
    assert route("episodes/1/sessions/2/feedback").service == "progress"  # type: ignore[union-attr]
    assert route("episodes/1/session-feedback").service == "progress"  # type: ignore[union-attr]
    assert route("episodes/1/sessions/2/feedback").upstream_path == "/episodes/1/sessions/2/feedback"  # type: ignore[union-attr]
    assert route("episodes/1/ses%73ions").service == "progress"  # type: ignore[union-attr]
    assert route("episodes/1/participants").service == "goals"  # type: ignore[union-attr]
    assert route("episodes/sessions").service == "goals"  # type: ignore[union-attr]
    assert route("feedback-instrument").service == "progress"  # type: ignore[union-attr]


def test_a_bucket_allows_a_burst_then_the_rate_and_says_when_to_retry() -> None:
    bucket, allowed = None, []
    for _ in range(5):
        bucket, verdict = take(bucket, now=100.0, rate=1.0, burst=3)
        allowed.append(verdict.allowed)
    assert allowed == [True, True, True, False, False]
    assert verdict.retry_after == 1
    bucket, verdict = take(bucket, now=101.0, rate=1.0, burst=3)
    assert verdict.allowed
    bucket, verdict = take(bucket, now=101.1, rate=0.25, burst=3)
    assert not verdict.allowed and verdict.retry_after == 4
