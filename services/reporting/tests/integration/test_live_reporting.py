"""Against real Kafka and PostgreSQL: scripted events in, hand-computed figures out; the same after events arrive
shuffled and duplicated, after everything is replayed, and after a rebuild."""

import asyncio
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from reporting_expectations import (
    caseload_of_lead,
    check_report_of_c0,
    check_suppressed,
    rows_as_expected,
)
from reporting_fakes import InMemoryProjections, published_outcomes_json
from reporting_live import Worker, caught_up, committed_offsets, end_offsets, publish
from reporting_scenario import Cast, period, script, shuffled_with_copies

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import TokenFactory
from accord.reporting.adapters.rebuild import rebuild
from accord.reporting.bootstrap import settings
from accord.reporting.domain.suppression import whole_months
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.shared.episode_keys import key_issued
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import EpisodeRecordsExpired
from accord.shared.events.registry import topic_for
from accord.shared.events.sealing import WrappingKeys, is_sealable, new_key, seal

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


class World:
    """Four runs of the script: A published in order, B shuffled with copies, C for access checks, D for the end of
    an episode's retention period."""

    def __init__(self) -> None:
        self.a, self.b, self.c, self.d = Cast(), Cast(), Cast(), Cast()
        self.events = {cast.tenant: script(cast, NOW) for cast in (self.a, self.b, self.c, self.d)}
        self.episodes_left = -1  # D's episodes once its first expired (set by the test that expires it)


@pytest.fixture(scope="module")
async def worker(service_env: dict[str, str]) -> AsyncIterator[Worker]:
    running = Worker()
    running.start()
    yield running
    await running.stop()


@pytest.fixture(scope="module")
async def world(infra: Infra, worker: Worker) -> World:
    w = World()
    # D's events about an episode are sealed as the goals and progress services seal them, each episode's key issued
    # on the keys topic (reporting waits for a key that has not reached it yet).
    d = await sealed(infra.bootstrap_servers, w.d.tenant, w.events[w.d.tenant])
    await publish(infra.bootstrap_servers, w.events[w.a.tenant] + w.events[w.c.tenant] + d)
    await publish(infra.bootstrap_servers, shuffled_with_copies(w.events[w.b.tenant], seed=7))
    await caught_up(infra.bootstrap_servers)
    return w


async def sealed(bootstrap: str, tenant: str, envelopes: list[Envelope]) -> list[Envelope]:
    keys: dict[UUID, tuple[str, bytes]] = {}
    out = []
    for e in envelopes:
        episode = e.payload.get("episode_id")
        if episode is not None and is_sealable(e.event_type, topic_for(e.event_type)):
            _, key = keys.setdefault(UUID(str(episode)), (e.partition_key, new_key()))
            e = seal(e, UUID(str(episode)), key)
        out.append(e)
    issued = [
        key_issued(UUID(client), episode, key, WrappingKeys.development()) for episode, (client, key) in keys.items()
    ]
    await publish(bootstrap, [Envelope.wrap(i, producer="goals", tenant_id=tenant) for i in issued])
    return out


def as_lead(tokens: TokenFactory, cast: Cast) -> dict[str, str]:
    return tokens.bearer(cast.therapist, ["therapist"], cast.tenant)


def as_supervisor(tokens: TokenFactory, cast: Cast) -> dict[str, str]:
    return tokens.bearer(cast.supervisor, ["supervisor"], cast.tenant, teams=[cast.team, cast.small_team])


async def caseload(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        page = await client.get("/reporting/caseload", headers=headers, params={**params, "cursor": cursor or ""})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            return items


async def outcomes(client: httpx.AsyncClient, tokens: TokenFactory, cast: Cast, team: Any) -> list[dict[str, Any]]:
    first, last = period(NOW)
    params = {"team_id": str(team), "from": first.isoformat(), "to": last.isoformat()}
    answer = await client.get("/reporting/outcomes", headers=as_supervisor(tokens, cast), params=params)
    assert answer.status_code == 200, answer.text
    metrics: list[dict[str, Any]] = answer.json()["metrics"]
    return metrics


def published(world: World, cast: Cast) -> list[dict[str, Any]]:
    """What the API should publish for the team: the domain's figures over the whole months of the period (the
    hand-computed figures of the period itself are checked against the domain in the unit tests)."""
    months = whole_months(*period(NOW), datetime.now(UTC).date())
    assert months is not None
    store = InMemoryProjections().apply(world.events[cast.tenant])
    return published_outcomes_json(store, cast.tenant, cast.team, months)


async def check_all_figures(world: World, client: httpx.AsyncClient, tokens: TokenFactory, cast: Cast) -> None:
    lead = as_lead(tokens, cast)
    assert rows_as_expected(await caseload(client, lead, limit=4)) == caseload_of_lead(cast, NOW)
    c0, c1, c2, c3, c4, c5 = (str(c) for c in cast.clients)
    recent_first = await caseload(client, lead, sort="-last_progress_at", limit=2)
    assert [r["client_id"] for r in recent_first] == [c0, c5, c2, c1, c3, c4]  # never recorded: last
    due = await caseload(client, lead, due_for_review="true", sort="client_id")
    assert [r["client_id"] for r in due] == sorted([c0, c1, c2])
    quiet = await caseload(client, lead, no_progress_days=14)
    assert {r["client_id"] for r in quiet} == {c1, c2, c3, c4}
    assert await outcomes(client, tokens, cast, cast.team) == published(world, cast)
    check_suppressed(await outcomes(client, tokens, cast, cast.small_team))
    for viewer, headers in [
        ("client", tokens.bearer(cast.clients[0], ["client"], cast.tenant)),
        ("family", tokens.bearer(cast.family, ["family"], cast.tenant)),
        ("therapist", lead),
    ]:
        report = await client.get(f"/reporting/clients/{cast.clients[0]}/report", headers=headers)
        assert report.status_code == 200, report.text
        check_report_of_c0(cast, report.json(), NOW, viewer)


async def test_report_caseload_and_outcomes_equal_the_hand_computed_figures(
    world: World, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    await check_all_figures(world, client, tokens, world.a)


async def test_shuffled_and_duplicated_events_give_the_same_figures(
    world: World, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    await check_all_figures(world, client, tokens, world.b)


async def answers(client: httpx.AsyncClient, tokens: TokenFactory, cast: Cast) -> dict[str, Any]:
    """Everything the API says about a cast, minus the moment it was said."""
    lead, c0 = as_lead(tokens, cast), cast.clients[0]
    report = (await client.get(f"/reporting/clients/{c0}/report", headers=lead)).json()
    fhir = (await client.get(f"/reporting/clients/{c0}/fhir", headers=lead)).json()
    first, last = period(NOW)
    csv = await client.get(
        "/reporting/outcomes.csv",
        headers=as_supervisor(tokens, cast),
        params={"team_id": str(cast.team), "from": first.isoformat(), "to": last.isoformat()},
    )
    return {
        "report": {k: v for k, v in report.items() if k != "generated_at"},
        "fhir": {k: v for k, v in fhir.items() if k != "timestamp"},
        "caseload": await caseload(client, lead, sort="-last_progress_at"),
        "outcomes": await outcomes(client, tokens, cast, cast.team),
        "csv": csv.text,
    }


async def episodes_of(db: asyncpg.Pool, cast: Cast) -> tuple[int, int]:
    """D's first episode's rows (episode, goals' versions) and how many of D's episodes are left."""
    first = await db.fetchval(
        "SELECT (SELECT count(*) FROM reporting.episodes WHERE episode_id = $1)"
        " + (SELECT count(*) FROM reporting.goal_versions WHERE episode_id = $1)",
        cast["E0"],
    )
    left = await db.fetchval("SELECT count(*) FROM reporting.episodes WHERE tenant_id = $1", cast.tenant)
    return int(first), int(left)


async def test_an_expired_episode_leaves_the_live_projections(
    world: World, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    cast = world.d
    first, left = await episodes_of(admin_db, cast)
    assert first > 0
    expired = EpisodeRecordsExpired(
        client_id=cast.clients[0], episode_id=cast["E0"], expired_at=NOW, kept_after=NOW - timedelta(days=2922)
    )
    await publish(infra.bootstrap_servers, [Envelope.wrap(expired, producer="goals", tenant_id=cast.tenant)])
    await caught_up(infra.bootstrap_servers)
    assert await episodes_of(admin_db, cast) == (0, left - 1)
    world.episodes_left = left - 1


async def test_replaying_every_event_and_rebuilding_change_no_answer(
    world: World,
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    infra: Infra,
    worker: Worker,
    admin_db: asyncpg.Pool,
) -> None:
    before = {cast.tenant: await answers(client, tokens, cast) for cast in (world.a, world.b)}
    await publish(infra.bootstrap_servers, world.events[world.a.tenant])  # every event of A a second time
    await caught_up(infra.bootstrap_servers)
    assert await answers(client, tokens, world.a) == before[world.a.tenant]

    await worker.stop()
    async with admin_db.acquire() as conn:  # damage the projections: lose facts and invent one
        await conn.execute("DELETE FROM reporting.entries WHERE tenant_id = $1", world.a.tenant)
        await conn.execute(
            "INSERT INTO reporting.entries (entry_id, tenant_id, client_id, goal_id, kind, value, occurred_at, "
            "recorded_by) VALUES (gen_random_uuid(), $1, $2, $3, 'rating', 10, now(), $2)",
            world.a.tenant,
            world.a.clients[0],
            world.a["G0a"],
        )
    assert await answers(client, tokens, world.a) != before[world.a.tenant]
    result = await rebuild(settings(), CONSUMED_TOPICS, show_progress=False)
    assert result.group_caught_up  # other suites may publish undecodable records; those are only counted
    assert result.expired > 0  # the expired episode's sealed events: its key is destroyed, they are passed over
    assert result.events >= 3 * len(world.events[world.a.tenant])
    ends = await end_offsets(infra.bootstrap_servers)
    committed = await committed_offsets(infra.bootstrap_servers)
    assert all(committed.get(tp, 0) >= offset for tp, offset in ends.items() if offset)
    for cast in (world.a, world.b):
        assert await answers(client, tokens, cast) == before[cast.tenant]
    # The topics still hold the expired episode's events: those sealed are passed over, and the rebuild removes what
    # the others brought back; D's other episodes rebuild fully.
    assert await episodes_of(admin_db, world.d) == (0, world.episodes_left)
    worker.start()


async def test_exports_fhir_bundle_validates_and_csv_has_no_identifiers(
    world: World, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    cast = world.a
    fhir = await client.get(f"/reporting/clients/{cast.clients[0]}/fhir", headers=as_lead(tokens, cast))
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(fhir.content)
    kinds = [e.resource.get_resource_type() for e in bundle.entry or []]
    assert (kinds.count("Goal"), kinds.count("Observation"), kinds.count("QuestionnaireResponse")) == (2, 10, 5)
    csv = (await answers(client, tokens, cast))["csv"]
    assert not UUID_PATTERN.search(csv) and cast.tenant not in csv
    rows = {line.split(",")[0]: line.split(",") for line in csv.splitlines()[1:]}
    for m in published(world, cast):  # the same figures as the JSON answer, withheld alike
        assert rows[m["name"]][4] == str(m["suppressed"]).lower()
        assert (rows[m["name"]][2] == "") == (m["value"] is None)
    chart = await client.get(
        f"/reporting/clients/{cast.clients[0]}/goals/{cast['G0b']}/chart.svg", headers=as_lead(tokens, cast)
    )
    assert chart.headers["content-type"] == "image/svg+xml"
    assert len(ET.fromstring(chart.text).findall("{http://www.w3.org/2000/svg}circle")) == 3  # noqa: S314


async def test_a_safety_signal_is_unseen_until_the_therapist_opens_the_report(
    world: World, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    cast = world.c
    lead = as_lead(tokens, cast)
    unseen = {
        r["client_id"]: r["unseen_safety_signals"] for r in await caseload(client, lead, unseen_safety_signals=True)
    }
    assert unseen == {str(cast.clients[0]): 1, str(cast.clients[5]): 1}
    report = await client.get(f"/reporting/clients/{cast.clients[0]}/report", headers=lead)
    assert report.status_code == 200
    still = await caseload(client, lead, unseen_safety_signals=True)
    assert [r["client_id"] for r in still] == [str(cast.clients[5])]


async def test_each_sees_only_what_is_theirs_and_every_read_is_audited(
    world: World, client: httpx.AsyncClient, tokens: TokenFactory, admin_db: asyncpg.Pool
) -> None:
    cast, c0, c1, c2 = world.c, *world.c.clients[:3]

    async def status(path: str, subject: Any, roles: list[str], **kw: Any) -> int:
        answer = await client.get(path, headers=tokens.bearer(subject, roles, cast.tenant, **kw))
        return answer.status_code

    assert await status(f"/reporting/clients/{c1}/report", c0, ["client"]) == 404  # another client's
    assert await status(f"/reporting/clients/{c0}/report", cast.colleague, ["therapist"]) == 404  # not their episode
    assert await status(f"/reporting/clients/{c2}/report", cast.colleague, ["therapist"]) == 404  # left it
    assert await status(f"/reporting/clients/{c1}/report", cast.colleague, ["therapist"]) == 200
    assert await status(f"/reporting/clients/{c1}/report", cast.family, ["family"]) == 404
    assert await status(f"/reporting/clients/{c0}/fhir", cast.family, ["family"]) == 404  # relatives get no export
    g0b = f"/reporting/clients/{c0}/goals/{cast['G0b']}/chart.svg"
    assert await status(g0b, cast.family, ["family"]) == 404  # a private goal's chart
    assert await status(f"/reporting/clients/{c0}/report", cast.supervisor, ["supervisor"]) == 404  # aggregates only
    assert await status("/reporting/caseload", c0, ["client"]) == 403
    other_team = f"/reporting/outcomes?team_id={cast.team}"
    assert await status(other_team, cast.supervisor, ["supervisor"], teams=[cast.small_team]) == 403
    other_tenant = await client.get(f"/reporting/clients/{c0}/report", headers=tokens.bearer(c0, ["client"], "t-else"))
    assert other_tenant.status_code == 200 and other_tenant.json()["goals"] == []  # a tenant's data stays in it
    assert (await client.get("/reporting/caseload?cursor=bm9wZQ", headers=as_lead(tokens, cast))).status_code == 400

    rows = await admin_db.fetch(
        "SELECT resource_type, allowed FROM reporting.audit_log WHERE tenant_id = $1 AND actor_id = $2",
        cast.tenant,
        cast.colleague,
    )
    assert sorted((r["resource_type"], r["allowed"]) for r in rows) == [
        ("client_report", False),
        ("client_report", False),
        ("client_report", True),
    ]
    refused = await admin_db.fetchval(
        "SELECT count(*) FROM reporting.audit_log WHERE tenant_id = $1 AND actor_id = $2 AND NOT allowed",
        cast.tenant,
        cast.supervisor,
    )
    assert refused == 2  # the report and the other team's outcomes


async def test_rebuild_command_runs_beside_a_running_worker(
    world: World, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    before = await answers(client, tokens, world.a)
    command = [sys.executable, "-m", "accord.reporting.entrypoints.cli", "rebuild", "--no-progress"]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "rebuilt from" in done.stdout
    assert await answers(client, tokens, world.a) == before
