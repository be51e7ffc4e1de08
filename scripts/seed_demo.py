"""Demo data through the public API, as the demo users, with tokens signed by the local stack's development
identity (its keys in .accord/local, where scripts/up keeps them).

    uv run python scripts/seed_demo.py http://127.0.0.1:8080

Fixed, client-supplied ids make it safe to run again: a second run changes nothing.
"""

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import typer
from rich.console import Console
from rich.progress import Progress

from accord.devtools.infra.demo_users import DEMO_TEAM, DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.identity import DevIdentityProvider

console = Console()
ROOT = Path(__file__).resolve().parents[1]
EPISODE = UUID("e0000000-0000-4000-8000-0000000000e1")
GOALS = [UUID("90000000-0000-4000-8000-000000000001"), UUID("90000000-0000-4000-8000-000000000002")]


def goal(statement: str, why: str, milestones: list[tuple[str, float]], i: int) -> dict[str, Any]:
    return {
        "goal_id": str(GOALS[i]),
        "content": {
            "statement": statement,
            "why_it_matters": why,
            "category_code": "daily_living",
            "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
            "baseline": 2,
            "target": 8,
            "direction": "increase",
            "due_date": (date.today() + timedelta(days=90)).isoformat(),
            "review_interval_days": 14,
            "confidence": 6,
            "expressed_by": "client",
            "milestones": [
                {
                    "milestone_id": f"{GOALS[i].hex[:-4]}{n:04d}",
                    "kind": "threshold",
                    "description": text,
                    "threshold": threshold,
                }
                for n, (text, threshold) in enumerate(milestones, start=1)
            ],
        },
    }


class Demo:
    def __init__(self, base: str, identity: DevIdentityProvider) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self.tokens = {
            name: identity.token(u.sub, u.roles, DEMO_TENANT, teams=u.teams, lifetime=3600)
            for name, u in DEMO_USERS.items()
        }

    def call(
        self,
        user: str,
        method: str,
        path: str,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201),
        retry_for: float = 60.0,
        headers: dict[str, str] | None = None,
        not_yet: tuple[int, ...] = (),
    ) -> Any:
        """Calls as `user`; retries while another service has not yet heard of what was just agreed (409/503 marked
        retryable, or a status in `not_yet`, such as reporting's 404 for an episode it has not projected yet)."""
        deadline = time.monotonic() + retry_for
        while True:
            r = self.http.request(
                method,
                f"/api/v1{path}",
                json=body,
                headers={"Authorization": f"Bearer {self.tokens[user]}", **(headers or {})},
            )
            if r.status_code in ok:
                return r.json() if r.content else None
            if time.monotonic() < deadline and (
                r.status_code in not_yet
                or (r.status_code in (409, 503) and r.json().get("retryable", r.status_code == 503))
            ):
                time.sleep(0.5)
                continue
            if r.status_code == 409:
                return r.json()
            raise RuntimeError(f"{method} {path} as {user}: {r.status_code} {r.text}")


def seed(base: str, identity: DevIdentityProvider) -> None:
    demo = Demo(base, identity)
    sam, jo = DEMO_USERS["sam"].sub, DEMO_USERS["jo"].sub
    goals = [
        goal(
            "Take the bus to college on my own three days a week",
            "So I can see my friends and keep up",
            [("Bus with Mum", 4), ("Halfway there", 6)],
            0,
        ),
        goal("Speak up once in each seminar", "I want my tutors to know what I think", [("Once a week", 5)], 1),
    ]
    steps: list[tuple[str, Any]] = [
        (
            "Alex opens Sam's care episode",
            lambda: demo.call(
                "alex",
                "POST",
                "/episodes",
                {"episode_id": str(EPISODE), "client_id": str(sam), "team_id": str(DEMO_TEAM)},
            ),
        ),
        (
            "Jo joins as Sam's parent",
            lambda: demo.call(
                "alex",
                "POST",
                f"/episodes/{EPISODE}/participants",
                {"person_id": str(jo), "relationship_code": "parent"},
                ok=(200, 201, 409),
            ),
        ),
        (
            # The caseload, the report and the episode name a client by the preferred name their therapist enters
            # (kept by reporting alone: no event carries it); without it every demo client was "Unnamed client".
            # Reporting knows Alex as Sam's therapist once it has the episode: 404 until then.
            "Alex enters the name Sam prefers",
            lambda: demo.call(
                "alex",
                "PUT",
                f"/reporting/clients/{sam}/name",
                {"display_name": DEMO_USERS["sam"].name},
                not_yet=(404,),
            ),
        ),
        (
            "Sam registers an e-mail address",
            lambda: demo.call(
                "sam", "POST", "/notifications/contact-points", {"email": "sam@example.org"}, ok=(200, 201, 409)
            ),
        ),
    ]
    for g in goals:
        gid = g["goal_id"]
        steps += [
            ("Sam drafts a goal", lambda g=g: demo.call("sam", "POST", f"/episodes/{EPISODE}/goals", g)),
            ("Sam proposes it", lambda gid=gid: demo.call("sam", "POST", f"/goals/{gid}/proposal", {}, ok=(200, 409))),
            (
                "Sam agrees",
                lambda gid=gid: demo.call(
                    "sam", "POST", f"/goals/{gid}/agreements", {"decision": "agree"}, ok=(200, 409)
                ),
            ),
            (
                "Alex agrees",
                lambda gid=gid: demo.call(
                    "alex", "POST", f"/goals/{gid}/agreements", {"decision": "agree"}, ok=(200, 409)
                ),
            ),
        ]
    steps.append(("Sam shares the bus goal with Jo", lambda: share(demo, GOALS[0], jo)))
    for n, value in enumerate((3, 4, 5, 6), start=1):
        # Recorded as the seed runs: an entry may not predate the care episode, which began just now.
        entry = UUID(int=GOALS[0].int + 100 + n)
        steps.append((f"Sam rates the bus goal {value}/10", lambda value=value, entry=entry: rate(demo, entry, value)))
    with Progress(console=console) as progress:
        task = progress.add_task("Seeding demo data", total=len(steps))
        for label, step in steps:
            progress.update(task, description=label)
            step()
            progress.advance(task)


def rate(demo: Demo, entry: UUID, value: int) -> Any:
    body = {"entry_id": str(entry), "kind": "rating", "value": value, "occurred_at": datetime.now(UTC).isoformat()}
    return demo.call("sam", "POST", f"/progress/goals/{GOALS[0]}/entries", body)


def share(demo: Demo, goal_id: UUID, person: UUID) -> Any:
    current = demo.http.get(
        f"/api/v1/goals/{goal_id}", headers={"Authorization": f"Bearer {demo.tokens['sam']}"}
    ).raise_for_status()
    if current.json()["visibility"] == "shared":
        return current.json()
    return demo.call(
        "sam",
        "PUT",
        f"/goals/{goal_id}/visibility",
        {"visibility": "shared", "shared_with": [str(person)]},
        headers={"If-Match": current.headers["etag"]},
    )


def main(
    gateway: str = typer.Argument("http://127.0.0.1:8080"),
    keys: Path = typer.Option(ROOT / ".accord" / "local", help="the development identity's keys (scripts/up's)"),
) -> None:
    seed(gateway, DevIdentityProvider.load_or_create(keys))
    console.print("[green]Demo data is in.[/] Sign in as sam, alex, jo or priya at the development identity provider.")


if __name__ == "__main__":
    typer.run(main)
