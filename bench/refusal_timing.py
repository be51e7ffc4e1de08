"""Does the time of a refusal tell an outsider whether a goal exists? The progress read answers an outsider the same
way for another client's goal and for a goal that does not exist; this measures whether it also takes the same time.

    uv run python bench/refusal_timing.py [--samples 3000] [--warmup 300]

Starts its own Kafka and PostgreSQL (or uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL), stores one agreed goal in the
progress service's goal view, and serves the progress API in this process (httpx over ASGI, so that the network adds
no noise of its own). An outsider (a client of the same tenant outside the episode) then reads the existing goal and
a missing one, `samples` times each, interleaved in a shuffled order, each read timed on its own. Prints the medians,
their ratio and a two-sided Mann-Whitney U test (normal approximation, no scipy), and writes
bench/results/refusal_timing.json. Not a test: the deterministic guarantee (same statements, same audit rows) is
services/progress/tests/integration/test_hostile_input.py.
"""

import asyncio
import json
import math
import os
import platform
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.progress.adapters.repository import Repository
from accord.progress.bootstrap import create_api
from accord.progress.handlers.goal_view import on_goal_agreed
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import (
    Direction,
    Measure,
    MeasureKind,
    MilestoneKind,
    MilestoneSpec,
    Party,
    Role,
    Visibility,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
console = Console()
app = typer.Typer(add_completion=False)
TENANT = "tenant-timing"


def agreed_goal(client: uuid.UUID, therapist: uuid.UUID) -> ev.GoalAgreed:
    agreed_at = datetime.now(UTC) - timedelta(days=1)
    return ev.GoalAgreed(
        client_id=client,
        goal_id=uuid.uuid4(),
        episode_id=uuid.uuid4(),
        version=1,
        category_code="daily_living",
        measure=Measure(kind=MeasureKind.GOAL_RATING, minimum=0, maximum=10),
        baseline=2,
        target=8,
        direction=Direction.INCREASE,
        due_date=date.today() + timedelta(days=60),
        review_interval_days=14,
        milestones=(MilestoneSpec(milestone_id=uuid.uuid4(), position=1, kind=MilestoneKind.THRESHOLD, threshold=5),),
        visibility=Visibility.PRIVATE,
        shared_with=(),
        parties=(Party(person_id=client, role=Role.CLIENT), Party(person_id=therapist, role=Role.THERAPIST)),
        proposed_at=agreed_at,
        agreed_at=agreed_at,
    )


def mann_whitney(a: list[float], b: list[float]) -> tuple[float, float]:
    """U of `a` and the two-sided p-value (normal approximation with the tie correction)."""
    pooled = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        ties += (j - i + 1) ** 3 - (j - i + 1)
        i = j + 1
    n1, n2 = len(a), len(b)
    u = sum(r for r, (_, group) in zip(ranks, pooled, strict=True) if group == 0) - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (u - n1 * n2 / 2) / sigma
    return u, math.erfc(abs(z) / math.sqrt(2))


async def measure(samples: int, warmup: int) -> dict[str, Any]:
    idp = DevIdentityProvider()
    os.environ.update(idp.env())
    api = create_api()
    client, therapist, outsider = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with api.router.lifespan_context(api):
        goal = agreed_goal(client, therapist)
        async with api.state.resources.pool.acquire() as conn:
            await on_goal_agreed(Repository(conn), Envelope.wrap(goal, producer="goals", tenant_id=TENANT), goal)
        headers = idp.bearer(outsider, ["client"], TENANT)
        urls = {"existing": f"/progress/goals/{goal.goal_id}", "missing": f"/progress/goals/{uuid.uuid4()}"}
        times: dict[str, list[float]] = {"existing": [], "missing": []}
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://progress") as http:
            first = {k: await http.get(u, headers=headers) for k, u in urls.items()}
            assert {(r.status_code, r.json()["detail"]) for r in first.values()}.__len__() == 1, "answers differ"
            for _ in range(warmup):
                for url in urls.values():
                    await http.get(url, headers=headers)
            order = [k for k in urls for _ in range(samples)]
            random.shuffle(order)
            for kind in order:
                started = time.perf_counter_ns()
                await http.get(urls[kind], headers=headers)
                times[kind].append((time.perf_counter_ns() - started) / 1e6)
    u, p = mann_whitney(times["existing"], times["missing"])
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {
        "samples_each": samples,
        "median_ms": medians,
        "p90_ms": {k: statistics.quantiles(v, n=10)[-1] for k, v in times.items()},
        "ratio_existing_to_missing": medians["existing"] / medians["missing"],
        "median_difference_ms": medians["existing"] - medians["missing"],
        "mann_whitney_u": u,
        "p_value": p,
        "status": first["existing"].status_code,
    }


@app.command()
def main(samples: int = 3000, warmup: int = 300) -> None:
    home = ROOT / ".accord" / "bench" / str(os.getpid())
    with console.status("starting Kafka and PostgreSQL"):
        servers = stack.start_servers(home)
    try:
        with console.status("provisioning schemas, topics and migrations"):
            infra = stack.prepare(servers)
        os.environ.update({**infra.service_env(), "ACCORD_LOG_JSON": "false", "ACCORD_LOG_LEVEL": "warning"})
        with console.status(f"timing {samples} refusals of each kind"):
            result = asyncio.run(measure(samples, warmup))
    finally:
        stack.stop_servers(servers)
    result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    table = Table("goal", "median ms", "p90 ms")
    for kind in ("existing", "missing"):
        table.add_row(kind, f"{result['median_ms'][kind]:.3f}", f"{result['p90_ms'][kind]:.3f}")
    console.print(table)
    console.print(
        f"ratio of medians {result['ratio_existing_to_missing']:.3f} "
        f"(difference {result['median_difference_ms'] * 1000:.0f} µs); Mann-Whitney p = {result['p_value']:.3g}"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "refusal_timing.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    app()
