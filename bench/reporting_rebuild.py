"""Reporting rebuild benchmark: events/s when every projection is rebuilt from the topics.

    uv run python bench/reporting_rebuild.py [--events 100000] [--rounds 2]

Starts its own Kafka and PostgreSQL (or uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL), publishes a realistic mix of
goals, progress and notification events (per client: an episode, participants, three agreed goals, ratings and
measurements, milestones, status changes, questionnaires, a safety signal and its notification), then runs the
`accord-reporting rebuild` code path. The first round fills empty projections; later rounds replace existing ones.
Prints a table and writes bench/results/reporting_rebuild.json. Target: >= 5,000 events/s.
"""

import asyncio
import json
import os
import platform
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.testing import TokenFactory
from accord.reporting.adapters.rebuild import rebuild
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.reporting.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.base import IntegrationEvent
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts import notifications as n
from accord.shared.events.contracts import progress as p
from accord.shared.events.contracts.common import Instrument, Measure, MeasureKind, Party, Role, Visibility
from accord.shared.events.registry import topic_for
from accord.shared.kafka import new_producer
from accord.shared.outbox.store import envelope_headers

ROOT = Path(__file__).resolve().parents[1]
console = Console()
app = typer.Typer(add_completion=False)
GBO = Measure(kind=MeasureKind.GOAL_RATING, minimum=0, maximum=10)
NOW = datetime.now(UTC)


def client_history(rng: random.Random, team: uuid.UUID, entries_per_goal: int) -> list[Envelope]:
    client, therapist, episode = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    out: list[tuple[IntegrationEvent, str]] = [
        (
            g.EpisodeOpened(
                client_id=client,
                episode_id=episode,
                team_id=team,
                lead_therapist_id=therapist,
                opened_at=NOW - timedelta(days=120),
            ),
            "goals",
        ),
        (g.ParticipantJoined(client_id=client, episode_id=episode, person_id=client, role=Role.CLIENT), "goals"),
        (g.ParticipantJoined(client_id=client, episode_id=episode, person_id=uuid.uuid4(), role=Role.FAMILY), "goals"),
    ]
    parties = (Party(person_id=client, role=Role.CLIENT), Party(person_id=therapist, role=Role.THERAPIST))
    for _ in range(3):
        goal, agreed = uuid.uuid4(), NOW - timedelta(days=rng.randint(30, 100))
        out += [
            (
                g.GoalProposed(
                    client_id=client,
                    goal_id=goal,
                    episode_id=episode,
                    version=1,
                    proposed_by=therapist,
                    required_parties=parties,
                    visibility=Visibility.PRIVATE,
                ),
                "goals",
            ),
            *(
                (
                    g.GoalAgreementRecorded(
                        client_id=client, goal_id=goal, version=1, party_id=x.person_id, decision=g.Decision.AGREE
                    ),
                    "goals",
                )
                for x in parties
            ),
            (
                g.GoalAgreed(
                    client_id=client,
                    goal_id=goal,
                    episode_id=episode,
                    version=1,
                    category_code="mood",
                    measure=GBO,
                    baseline=2,
                    target=8,
                    direction="increase",
                    due_date=NOW.date(),
                    review_interval_days=28,
                    visibility=Visibility.PRIVATE,
                    parties=parties,
                    proposed_at=agreed - timedelta(days=3),
                    agreed_at=agreed,
                ),
                "goals",
            ),
        ]
        for i in range(entries_per_goal):
            at = agreed + timedelta(days=i + 1)
            out.append(
                (
                    p.GoalRatingRecorded(
                        client_id=client,
                        entry_id=uuid.uuid4(),
                        goal_id=goal,
                        goal_version=1,
                        rating=rng.randint(0, 10),
                        occurred_at=at,
                        recorded_by=client,
                        recorded_by_role=Role.CLIENT,
                    ),
                    "progress",
                )
            )
            if i % 5 == 4:
                out.append(
                    (
                        p.AchievementStatusChanged(
                            client_id=client,
                            goal_id=goal,
                            goal_version=1,
                            status=p.AchievementStatus.IMPROVING,
                            changed_at=at,
                        ),
                        "progress",
                    )
                )
        out.append(
            (
                p.MilestoneReached(
                    client_id=client,
                    goal_id=goal,
                    goal_version=1,
                    milestone_id=uuid.uuid4(),
                    entry_id=uuid.uuid4(),
                    reached_at=agreed + timedelta(days=5),
                ),
                "progress",
            )
        )
    for instrument in Instrument:
        for days in (90, 10):
            out.append(
                (
                    p.QuestionnaireCompleted(
                        client_id=client,
                        response_id=uuid.uuid4(),
                        instrument=instrument,
                        total=rng.randint(0, 21),
                        severity=p.Severity.MILD,
                        occurred_at=NOW - timedelta(days=days),
                    ),
                    "progress",
                )
            )
    signal = Envelope.wrap(
        p.SafetySignalRaised(
            client_id=client, signal_id=uuid.uuid4(), source_id=uuid.uuid4(), instrument=Instrument.PHQ9, raised_at=NOW
        ),
        producer="progress",
        tenant_id="bench",
    )
    delivered = n.NotificationDelivered(
        client_id=client,
        notification_id=uuid.uuid4(),
        source_event_id=signal.event_id,
        recipient_id=therapist,
        channel=n.Channel.PUSH,
        template_code="safety_alert",
        delivered_at=NOW,
    )
    wrapped = [Envelope.wrap(e, producer=producer, tenant_id="bench") for e, producer in out]
    return [*wrapped, signal, Envelope.wrap(delivered, producer="notifications", tenant_id="bench")]


async def publish(bootstrap: str, target: int) -> int:
    rng, teams = random.Random(1), [uuid.uuid4() for _ in range(20)]
    producer = new_producer(bootstrap, "bench-reporting")
    await producer.start()
    sent = 0
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("publishing events", total=target)
            while sent < target:
                batch = client_history(rng, rng.choice(teams), entries_per_goal=rng.randint(5, 25))
                acks = [
                    await producer.send(
                        topic_for(e.event_type),
                        e.to_bytes(),
                        key=e.partition_key.encode(),
                        headers=[(k, v.encode()) for k, v in envelope_headers(e).items()],
                    )
                    for e in batch
                ]
                await asyncio.gather(*acks)
                sent += len(batch)
                progress.update(task, completed=sent)
    finally:
        await producer.stop()
    return sent


async def run(infra: stack.Infra, events: int, rounds: int) -> dict[str, Any]:
    published = await publish(infra.bootstrap_servers, events)
    results: dict[str, Any] = {"events_published": published, "rounds": []}
    for round_ in range(1, rounds + 1):
        console.print(f"round {round_}: " + ("empty projections" if round_ == 1 else "replacing existing projections"))
        result = await rebuild(Settings(), CONSUMED_TOPICS, show_progress=True)
        results["rounds"].append(
            {
                "events": result.events,
                "seconds": result.seconds,
                "per_s": result.per_second,
                "undecodable": result.undecodable,
            }
        )
    return results


@app.command()
def main(events: int = 100_000, rounds: int = 2) -> None:
    home = ROOT / ".accord" / "bench" / str(os.getpid())
    with console.status("starting Kafka and PostgreSQL"):
        servers = stack.start_servers(home)
    try:
        with console.status("provisioning schemas, topics and migrations"):
            infra = stack.prepare(servers)
        os.environ.update({**infra.service_env(), **TokenFactory().env(), "ACCORD_LOG_JSON": "false"})
        results = asyncio.run(run(infra, events, rounds))
    finally:
        stack.stop_servers(servers)
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    table = Table("round", "events", "seconds", "events/s", "target")
    for i, r in enumerate(results["rounds"], start=1):
        label = "1 (empty projections)" if i == 1 else f"{i} (replacing projections)"
        table.add_row(label, f"{r['events']:,}", f"{r['seconds']:.1f}", f"{r['per_s']:,.0f}", ">= 5,000 ev/s")
    console.print(table)
    out = ROOT / "bench" / "results" / "reporting_rebuild.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    app()
