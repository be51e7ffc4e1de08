"""Days in a report's query are refused with 422 naming the parameter when a period built from them could not be
an instant (year 1 minus 89 days, the day after 9999-12-31), rather than overflowing into a 500."""

from uuid import uuid4

import httpx
import pytest

from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("params", "field"),
    [({"to": "0001-01-01"}, "query.to"), ({"to": "9999-12-31"}, "query.to"), ({"from": "0001-01-01"}, "query.from")],
)
@pytest.mark.parametrize("path", ["/reporting/outcomes", "/reporting/outcomes.csv"])
async def test_a_day_at_the_edge_of_the_calendar_is_refused_naming_the_parameter(
    client: httpx.AsyncClient, tokens: TokenFactory, path: str, params: dict[str, str], field: str
) -> None:
    team = uuid4()
    headers = tokens.bearer(uuid4(), ["supervisor"], "tenant-days", teams=[team])
    r = await client.get(path, params={"team_id": str(team), **params}, headers=headers)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert field in [e["field"] for e in r.json()["errors"]]
