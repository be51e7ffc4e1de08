"""Test helpers for the goals API: people in a care episode, and requests made as them."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from accord.devtools.testing import TokenFactory


@dataclass
class Person:
    id: UUID
    roles: list[str]
    tenant: str
    teams: list[UUID] = field(default_factory=list)

    def headers(self, tokens: TokenFactory, **extra: str) -> dict[str, str]:
        return {**tokens.bearer(self.id, self.roles, self.tenant, teams=self.teams), **extra}


@dataclass
class Cast:
    """A care episode's people, and people outside it."""

    client: Person
    therapist: Person
    mum: Person
    dad: Person
    other_client: Person
    other_therapist: Person
    other_tenant_therapist: Person
    team: UUID


def cast() -> Cast:
    tenant = f"tenant-{uuid4().hex[:8]}"
    return Cast(
        client=Person(uuid4(), ["client"], tenant),
        therapist=Person(uuid4(), ["therapist"], tenant),
        mum=Person(uuid4(), ["family"], tenant),
        dad=Person(uuid4(), ["family"], tenant),
        other_client=Person(uuid4(), ["client"], tenant),
        other_therapist=Person(uuid4(), ["therapist"], tenant),
        other_tenant_therapist=Person(uuid4(), ["therapist"], "tenant-elsewhere"),
        team=uuid4(),
    )


def goal_content(**changes: Any) -> dict[str, Any]:
    due = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    body = {
        "statement": "Take the bus to college on my own three days a week",
        "why_it_matters": "So I can see my friends and keep up with my course",
        "category_code": "daily_living",
        "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
        "baseline": 2,
        "target": 8,
        "direction": "increase",
        "due_date": due,
        "review_interval_days": 14,
        "confidence": 6,
        "expressed_by": "client",
        "milestones": [
            {"milestone_id": str(uuid4()), "kind": "threshold", "description": "Halfway there", "threshold": 5},
            {"milestone_id": str(uuid4()), "kind": "threshold", "description": "Nearly", "threshold": 7},
        ],
    }
    body.update(changes)
    return body


class Api:
    def __init__(self, client: httpx.AsyncClient, tokens: TokenFactory) -> None:
        self.http, self.tokens = client, tokens

    async def as_(self, who: Person, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {**who.headers(self.tokens), **kw.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kw)

    async def every_page(self, who: Person, url: str, params: dict[str, str | int]) -> list[dict[str, Any]]:
        """Every item of a keyset-paged list, following `next_cursor` until there is none; each page must be 200."""
        items: list[dict[str, Any]] = []
        params = dict(params)
        while True:
            page = await self.as_(who, "GET", url, params=params)
            assert page.status_code == 200, page.text
            items += page.json()["items"]
            if page.json()["next_cursor"] is None:
                return items
            params["cursor"] = page.json()["next_cursor"]

    async def episode_with_family(self, c: Cast) -> str:
        r = await self.as_(
            c.therapist, "POST", "/episodes", json={"client_id": str(c.client.id), "team_id": str(c.team)}
        )
        assert r.status_code == 201, r.text
        episode = r.json()["episode_id"]
        for person, relation in ((c.mum, "parent"), (c.dad, "parent")):
            r = await self.as_(
                c.therapist,
                "POST",
                f"/episodes/{episode}/participants",
                json={"person_id": str(person.id), "relationship_code": relation},
            )
            assert r.status_code == 201, r.text
        return str(episode)

    async def draft(self, c: Cast, episode: str, by: Person | None = None, **content: Any) -> dict[str, Any]:
        r = await self.as_(
            by or c.client, "POST", f"/episodes/{episode}/goals", json={"content": goal_content(**content)}
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    async def agreed_goal(self, c: Cast, episode: str) -> dict[str, Any]:
        goal = await self.draft(c, episode)
        url = f"/goals/{goal['goal_id']}"
        assert (await self.as_(c.client, "POST", f"{url}/proposal", json={})).status_code == 200
        for who in (c.client, c.therapist):
            r = await self.as_(who, "POST", f"{url}/agreements", json={"decision": "agree"})
            assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body
