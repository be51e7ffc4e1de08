"""Authorization through the gateway across every public endpoint: a client reading another client's data, a
therapist outside the episode, a family member on a private goal, a supervisor of another team, another tenant.
No leak (404 where existence would leak), and each refusal audited in the service that owns the data."""

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import TokenFactory
from accord.gateway.domain.routes import owner_of

pytestmark = pytest.mark.integration
REFUSED = {401, 403, 404, 409}  # 409: progress answers "not known here yet" for goals hidden from the caller


@dataclass
class Who:
    id: UUID
    roles: list[str]
    tenant: str
    teams: tuple[UUID, ...] = ()

    def headers(self, tokens: TokenFactory) -> dict[str, str]:
        return tokens.bearer(self.id, self.roles, self.tenant, teams=self.teams)


@dataclass
class Victim:
    ids: dict[str, str]  # path parameter -> the victim's resource


def _call(http: httpx.Client, tokens: TokenFactory, who: Who, method: str, path: str, **kw: Any) -> httpx.Response:
    return http.request(method, f"/api/v1{path}", headers=who.headers(tokens), **kw)


@pytest.fixture(scope="module")
def world(running: RunningServices, tokens: TokenFactory) -> tuple[Victim, dict[str, Who]]:
    tenant, team, other_team = f"tenant-{uuid4().hex[:8]}", uuid4(), uuid4()
    people = {
        "client": Who(uuid4(), ["client"], tenant),
        "therapist": Who(uuid4(), ["therapist"], tenant),
        "mum": Who(uuid4(), ["family"], tenant),
        "another client": Who(uuid4(), ["client"], tenant),
        "therapist outside the episode": Who(uuid4(), ["therapist"], tenant),
        "family on a private goal": Who(uuid4(), ["family"], tenant),
        "supervisor of another team": Who(uuid4(), ["supervisor"], tenant, (other_team,)),
        "another tenant": Who(uuid4(), ["therapist"], "tenant-elsewhere"),
    }
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        c, t = people["client"], people["therapist"]

        def ok(r: httpx.Response) -> Any:
            assert r.status_code in (200, 201), r.text
            return r.json()

        episode = ok(_call(http, tokens, t, "POST", "/episodes", json={"client_id": str(c.id), "team_id": str(team)}))
        eid = episode["episode_id"]
        for member in ("mum", "family on a private goal"):
            ok(
                _call(
                    http,
                    tokens,
                    t,
                    "POST",
                    f"/episodes/{eid}/participants",
                    json={"person_id": str(people[member].id), "relationship_code": "parent"},
                )
            )
        goal = ok(_call(http, tokens, c, "POST", f"/episodes/{eid}/goals", json={"content": _content()}))
        gid = goal["goal_id"]
        ok(_call(http, tokens, c, "POST", f"/goals/{gid}/proposal", json={}))
        for who in (c, t):
            ok(_call(http, tokens, who, "POST", f"/goals/{gid}/agreements", json={"decision": "agree"}))
        checkin = _until_known(
            lambda: _call(
                http,
                tokens,
                c,
                "POST",
                "/progress/checkins",
                json={"mood": 4, "occurred_at": datetime.now(UTC).isoformat()},
            )
        )
        point = ok(_call(http, tokens, c, "POST", "/notifications/contact-points", json={"email": "kid@example.org"}))
        _until_known(
            lambda: _call(
                http,
                tokens,
                c,
                "POST",
                f"/progress/goals/{gid}/entries",
                json={"kind": "rating", "value": 6, "occurred_at": datetime.now(UTC).isoformat()},
            )
        )
        items = ok(_call(http, tokens, c, "GET", "/notifications/inbox"))["items"]
    ids = {
        "episode_id": eid,
        "goal_id": gid,
        "client_id": str(c.id),
        "checkin_id": checkin["checkin_id"],
        "point_id": point["id"] if "id" in point else point.get("point_id", str(uuid4())),
        "item_id": items[0]["id"] if items else str(uuid4()),
        "person_id": str(people["mum"].id),
    }
    return Victim(ids), people


def _until_known(call: Any, timeout: float = 60) -> Any:
    """Retries while the progress service has not yet heard of the episode or goal (409, retryable)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = call()
        if r.status_code in (200, 201):
            return r.json()
        time.sleep(0.3)
    raise TimeoutError("the agreement never reached the progress service")


def _content() -> dict[str, Any]:
    return {
        "statement": "Walk the dog on my own before school",
        "why_it_matters": "I want to feel brave",
        "category_code": "daily_living",
        "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
        "baseline": 2,
        "target": 8,
        "direction": "increase",
        "due_date": (date.today() + timedelta(days=60)).isoformat(),
        "review_interval_days": 14,
        "confidence": 6,
        "expressed_by": "client",
    }


ATTACKERS = [
    "another client",
    "therapist outside the episode",
    "family on a private goal",
    "supervisor of another team",
    "another tenant",
]


async def test_every_endpoint_refuses_or_reveals_nothing_and_refusals_are_audited(
    running: RunningServices,
    tokens: TokenFactory,
    world: tuple[Victim, dict[str, Who]],
    admin_db: asyncpg.Pool,
) -> None:
    victim, people = world
    checked, leaks = 0, []
    async with httpx.AsyncClient(base_url=running.gateway, timeout=30) as http:
        doc = (await http.get("/api/v1/openapi.json")).json()
        for template, item in sorted(doc["paths"].items()):
            for method, operation in item.items():
                if method not in ("get", "post", "put", "delete"):
                    continue
                path = re.sub(r"\{(\w+)\}", lambda m: victim.ids.get(m.group(1), str(uuid4())), template)
                service = owner_of(template.removeprefix("/api/v1/"))
                for name in ATTACKERS:
                    who = people[name]
                    secrets = {victim.ids["goal_id"], victim.ids["checkin_id"], "Walk the dog"}
                    if name != "family on a private goal":  # a member of the episode, though not of this goal
                        secrets.add(victim.ids["episode_id"])
                    before = await _denials(admin_db, service, who.id)
                    r = await http.request(method.upper(), path, headers=who.headers(tokens), json=_body(operation))
                    checked += 1
                    leaked = [s for s in secrets if s in r.text] if r.status_code < 300 else []
                    if leaked:
                        leaks.append(f"{name} {method.upper()} {template}: {r.status_code} shows {leaked}")
                    refused = r.status_code in (403, 404) and service is not None and _owned(template)
                    if refused and await _denials(admin_db, service, who.id) <= before:
                        leaks.append(f"{name} {method.upper()} {template}: {r.status_code} not audited")
                    assert r.status_code < 500, f"{name} {method.upper()} {template}: {r.status_code} {r.text}"
    assert checked > 150
    assert not leaks, "\n".join(leaks)


def _owned(template: str) -> bool:
    """Paths naming the victim's own resources (not ones the caller creates or owns)."""
    return any(p in template for p in ("{episode_id}", "{goal_id}", "{client_id}", "{checkin_id}"))


def _body(operation: dict[str, Any]) -> Any:
    return {} if "requestBody" in operation else None


async def _denials(admin_db: asyncpg.Pool, service: str | None, actor: UUID) -> int:
    if service is None:
        return 0
    count: int = await admin_db.fetchval(
        f"SELECT count(*) FROM {service}.audit_log WHERE actor_id = $1 AND NOT allowed", actor
    )
    return count
