"""The fault campaign's own counting, without servers: the duplicate deliveries read from each worker's metrics (and
kept across its restarts), the e-mails its events make due, and a run in which no fault bit failing."""

from pathlib import Path
from uuid import UUID, uuid4

import httpx

from accord.devtools.faults import emails, invariants, writer
from accord.devtools.faults.campaign import Options, Result
from accord.devtools.faults.fleet import Instance

METRICS = """# HELP accord_consumer_events_total Events handled by a consumer
# TYPE accord_consumer_events_total counter
accord_consumer_events_total{event_type="GoalRatingRecorded",outcome="applied",service="reporting"} 900.0
accord_consumer_events_total{event_type="GoalRatingRecorded",outcome="duplicate",service="reporting"} 7.0
accord_consumer_events_total{event_type="MilestoneReached",outcome="duplicate",service="reporting"} 2.0
accord_consumer_events_created{event_type="MilestoneReached",outcome="duplicate",service="reporting"} 1.7e9
"""


async def test_a_workers_duplicates_are_its_duplicate_samples_summed_and_kept_over_a_silence_and_a_restart() -> None:
    answers = iter([httpx.Response(200, text=METRICS), httpx.ConnectError("paused")])

    def metrics(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    worker = Instance("reporting", 0, Path("unused.log"), metrics_port=1)
    async with httpx.AsyncClient(transport=httpx.MockTransport(metrics)) as client:
        await worker.ask_duplicates(client)
        assert worker.duplicates == 9  # both event types, not the applied ones nor the _created sample
        await worker.ask_duplicates(client)  # no answer (paused or dead): the last count stays
        assert worker.duplicates == 9
    worker.new_life()  # killed and started again: its new counter starts at 0
    assert (worker.duplicates_before, worker.duplicates_seen, worker.duplicates) == (9, 0, 9)


def _client(wants_email: bool) -> writer.Client:
    while True:
        client = writer.Client(uuid4(), uuid4(), uuid4(), uuid4(), uuid4())
        if writer.wants_email(client) == wants_email:
            return client


def test_a_celebration_is_due_by_e_mail_to_the_client_who_wants_it_and_their_therapist_a_review_to_the_therapist() -> (
    None
):
    keen, quiet = _client(True), _client(False)
    events = [
        {"event_id": UUID(int=1), "message_key": str(keen.client_id), "type": "MilestoneReached"},
        {"event_id": UUID(int=2), "message_key": str(quiet.client_id), "type": "GoalTargetReached"},
        {"event_id": UUID(int=3), "message_key": str(quiet.client_id), "type": "ReviewSuggested"},
    ]
    due = emails.due(events, {c.client_id: c for c in (keen, quiet)})  # type: ignore[arg-type]
    assert set(due) == {
        (UUID(int=1), keen.client_id, "celebration to the client"),
        (UUID(int=1), keen.therapist_id, "update to the therapist"),
        (UUID(int=2), quiet.therapist_id, "update to the therapist"),
        (UUID(int=3), quiet.therapist_id, "review note to the therapist"),
    }


def test_a_run_with_faults_in_which_no_inbox_absorbed_a_duplicate_is_broken() -> None:
    options = Options(10, 2, seed=1, home=Path("unused"))
    quiet = Result(options, [], invariants.Counts(), 1.0, 1.0, 0, [], {"progress": 0, "reporting": 0})
    bitten = Result(options, [], invariants.Counts(), 1.0, 1.0, 0, [], {"progress": 0, "reporting": 3})
    assert any("did not bite" in p for p in quiet.problems())
    assert not any("did not bite" in p for p in bitten.problems())


def test_a_run_that_does_not_require_duplicates_is_not_broken_by_having_none() -> None:
    options = Options(10, 2, seed=1, home=Path("unused"))
    options.require_duplicates = False
    quiet = Result(options, [], invariants.Counts(), 1.0, 1.0, 0, [], {"progress": 0, "reporting": 0})
    assert not any("did not bite" in p for p in quiet.problems())
