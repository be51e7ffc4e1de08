"""Against real Kafka and PostgreSQL: no two published outcome figures can be differenced to reveal a withheld one.

Seven clients of one team: five agree a goal in March 2026, one on 10 April 2026, one never. April's figure alone is
drawn from one client and withheld; yet the figure for March and April, less March's, would be that one client's
goal, and so would the figure up to 10 April less the one up to 9 April.
"""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from reporting_live import consumed
from reporting_scenario import Cast, Script

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)  # D(n) is n days before 1 May 2026, noon
PERIODS = {
    "march": (date(2026, 3, 1), date(2026, 3, 31)),
    "april": (date(2026, 4, 1), date(2026, 4, 30)),
    "march_and_april": (date(2026, 3, 1), date(2026, 4, 30)),
    "to_10_april": (date(2026, 3, 1), date(2026, 4, 10)),
    "to_9_april": (date(2026, 3, 1), date(2026, 4, 9)),
}


@pytest.fixture(scope="module")
async def cast(infra: Infra, service_env: dict[str, str]) -> AsyncIterator[Cast]:
    cast = Cast()
    s = Script(cast, NOW)
    for i, client in enumerate(cast.clients + cast.small_clients[:1]):
        s.episode(client, f"E{i}", cast.team, cast.therapist, 80)
    for i in range(5):
        s.agree(cast.clients[i], f"G{i}", f"E{i}", cast.therapist, 60 - i, 57 - i, baseline=2, target=8)  # March
    s.agree(cast.clients[5], "G5", "E5", cast.therapist, 23, 21, baseline=2, target=8)  # 10 April
    async with consumed(infra.bootstrap_servers, s.envelopes):
        yield cast


async def goals_agreed(
    client: httpx.AsyncClient, tokens: TokenFactory, cast: Cast, period: tuple[date, date], csv: bool = False
) -> Any:
    """The goals_agreed figure as (goals, clients), or None when withheld."""
    headers = tokens.bearer(cast.supervisor, ["supervisor"], cast.tenant, teams=[cast.team])
    params = {"team_id": str(cast.team), "from": period[0].isoformat(), "to": period[1].isoformat()}
    if csv:
        answer = await client.get("/reporting/outcomes.csv", headers=headers, params=params)
        assert answer.status_code == 200, answer.text
        row = next(line.split(",") for line in answer.text.splitlines() if line.startswith("goals_agreed,"))
        return None if row[4] == "true" else (float(row[2]), int(row[3]))
    answer = await client.get("/reporting/outcomes", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    m = next(m for m in answer.json()["metrics"] if m["name"] == "goals_agreed")
    return None if m["suppressed"] else (m["value"], m["clients"])


@pytest.mark.parametrize("csv", [False, True], ids=["json", "csv"])
async def test_no_two_published_figures_differ_by_a_withheld_one(
    cast: Cast, client: httpx.AsyncClient, tokens: TokenFactory, csv: bool
) -> None:
    figures = {name: await goals_agreed(client, tokens, cast, period, csv) for name, period in PERIODS.items()}
    assert figures["april"] is None  # one client: withheld on its own
    assert figures["march"] == (5, 5)  # five clients: published
    published = {name: f for name, f in figures.items() if f is not None}
    # Two different published figures would differ by April's single goal and client.
    assert len(set(published.values())) == 1, published
