"""Against real Kafka and PostgreSQL: a supervisor's read-only team caseload, and clients' preferred names entered
by their therapists, each authorized in this service exactly like the rows and reports they appear in."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from reporting_expectations import caseload_of_lead, rows_as_expected
from reporting_live import consumed
from reporting_scenario import Cast, script

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
async def cast(infra: Infra, service_env: dict[str, str]) -> AsyncIterator[Cast]:
    scripted = Cast()
    async with consumed(infra.bootstrap_servers, script(scripted, NOW)):
        yield scripted


async def listing(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        page = await client.get(path, headers=headers, params={"limit": 4, "cursor": cursor or ""})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            return items


async def test_a_supervisor_sees_each_of_their_teams_caseload_and_no_other_team(
    cast: Cast, client: httpx.AsyncClient, tokens: TokenFactory, admin_db: asyncpg.Pool
) -> None:
    both = tokens.bearer(cast.supervisor, ["supervisor"], cast.tenant, teams=[cast.team, cast.small_team])
    teams = await client.get("/reporting/teams", headers=both)
    assert teams.json() == {"team_ids": sorted([str(cast.team), str(cast.small_team)])}
    team = await listing(client, f"/reporting/teams/{cast.team}/caseload", both)
    assert rows_as_expected(team) == caseload_of_lead(cast, NOW)
    small = await listing(client, f"/reporting/teams/{cast.small_team}/caseload", both)
    assert sorted(r["client_id"] for r in small) == sorted(str(c) for c in cast.small_clients)

    only_small = tokens.bearer(cast.supervisor, ["supervisor"], cast.tenant, teams=[cast.small_team])
    refused = await client.get(f"/reporting/teams/{cast.team}/caseload", headers=only_small)
    assert (refused.status_code, refused.json()["field"]) == (403, "team_id")
    lead = tokens.bearer(cast.therapist, ["therapist"], cast.tenant, teams=[cast.team])
    assert (await client.get(f"/reporting/teams/{cast.team}/caseload", headers=lead)).status_code == 403
    assert (await client.get("/reporting/teams", headers=lead)).json() == {"team_ids": []}
    elsewhere = tokens.bearer(cast.supervisor, ["supervisor"], "t-else", teams=[cast.team])
    assert await listing(client, f"/reporting/teams/{cast.team}/caseload", elsewhere) == []  # tenants stay apart

    audited = await admin_db.fetch(
        "SELECT resource_type, allowed FROM reporting.audit_log WHERE tenant_id = $1 AND actor_id = $2 "
        "AND resource_type = 'team_caseload'",
        cast.tenant,
        cast.supervisor,
    )
    assert sorted(r["allowed"] for r in audited) == [
        False,
        True,
        True,
        True,
    ]  # three pages read (6 + 2 rows, 4 a page), one refused


async def test_a_therapist_names_their_client_and_the_name_goes_only_where_the_client_is_seen(
    cast: Cast, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    c0, c1 = cast.clients[0], cast.clients[1]
    lead = tokens.bearer(cast.therapist, ["therapist"], cast.tenant)
    named = await client.put(f"/reporting/clients/{c0}/name", headers=lead, json={"display_name": "  Sam  "})
    assert named.json() == {"client_id": str(c0), "display_name": "Sam"}

    rows = {r["client_id"]: r["client_name"] for r in await listing(client, "/reporting/caseload", lead)}
    assert rows[str(c0)] == "Sam" and rows[str(c1)] is None
    report = await client.get(f"/reporting/clients/{c0}/report", headers=lead)
    assert report.json()["client_name"] == "Sam"
    read = await client.get(f"/reporting/clients/{c0}/name", headers=lead)
    assert read.json() == {"client_id": str(c0), "display_name": "Sam"}
    unnamed = await client.get(f"/reporting/clients/{c1}/name", headers=lead)
    assert unnamed.json() == {"client_id": str(c1), "display_name": None}
    supervisor = tokens.bearer(cast.supervisor, ["supervisor"], cast.tenant, teams=[cast.team])
    team = {
        r["client_id"]: r["client_name"]
        for r in await listing(client, f"/reporting/teams/{cast.team}/caseload", supervisor)
    }
    assert team[str(c0)] == "Sam"

    # Not their client (the small team's lead; the colleague for c0): answered as for a client who does not exist.
    for stranger in (cast.small_lead, cast.colleague):
        headers = tokens.bearer(stranger, ["therapist"], cast.tenant)
        refused = await client.put(f"/reporting/clients/{c0}/name", headers=headers, json={"display_name": "X"})
        assert refused.status_code == 404
        assert (await client.get(f"/reporting/clients/{c0}/name", headers=headers)).status_code == 404
    as_client = tokens.bearer(c0, ["client"], cast.tenant)
    assert (
        await client.put(f"/reporting/clients/{c0}/name", headers=as_client, json={"display_name": "X"})
    ).status_code == 404
    # This read is for the screens that list clients, which only clinicians have.
    assert (await client.get(f"/reporting/clients/{c0}/name", headers=as_client)).status_code == 404
    for bad in ("   ", "Sam\nSmith", "x" * 61):
        invalid = await client.put(f"/reporting/clients/{c0}/name", headers=lead, json={"display_name": bad})
        problem = invalid.json()
        named = problem.get("field") or problem["errors"][0]["field"]
        assert (invalid.status_code, named.removeprefix("body.")) == (422, "display_name"), invalid.text
    report = await client.get(f"/reporting/clients/{c0}/report", headers=lead)
    assert report.json()["client_name"] == "Sam"
