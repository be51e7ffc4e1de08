"""A care team's records made with clean values, so that hostile requests can name real things: an open episode
with a family member, an agreed goal the progress service knows, and a check-in."""

import json
import time
from dataclasses import dataclass
from typing import Any

import fuzz_templates as body
from fuzz_cast import Cast
from fuzz_wire import Wire

KNOWN_WITHIN_SECONDS = 60.0  # events reach the progress and reporting services through Kafka: soon, not at once


@dataclass
class World:
    cast: Cast
    ids: dict[str, str]  # path parameter name -> a real record of this team


def post(wire: Wire, cast: Cast, role: str, path: str, payload: Any, *, until_known: bool = False) -> dict[str, Any]:
    """POSTs as `role` and returns the created record; with `until_known`, retries while the progress service has
    not heard of the episode or goal yet (409)."""
    deadline, bad_gateway = time.monotonic() + KNOWN_WITHIN_SECONDS, 0
    headers = [*cast.headers(role).items(), ("Content-Type", "application/json")]
    while True:
        answer = wire.send("POST", f"/api/v1{path}", headers, json.dumps(payload).encode())
        # A 502 right after another request's 500 is a gateway defect the suite reports elsewhere (a connection the
        # service closed, used again); setting up must not fail on it, so it is sent once more.
        bad_gateway += answer.status == 502
        if answer.status == 502 and bad_gateway == 1:
            continue
        if not (until_known and answer.status == 409 and time.monotonic() < deadline):
            break
        time.sleep(0.25)
    assert answer.status in (200, 201), f"{role} POST {path}: {answer.status} {answer.body[:300]!r}"
    created: dict[str, Any] = json.loads(answer.body)
    return created


def build(wire: Wire, cast: Cast) -> World:
    client, family = str(cast.ids["client"]), str(cast.ids["family"])
    episode = post(wire, cast, "therapist", "/episodes", {"client_id": client, "team_id": str(cast.team)})["episode_id"]
    member = {"person_id": family, "relationship_code": "parent"}
    post(wire, cast, "therapist", f"/episodes/{episode}/participants", member)
    goal = post(wire, cast, "client", f"/episodes/{episode}/goals", body.goal())["goal_id"]
    post(wire, cast, "client", f"/goals/{goal}/proposal", {})
    for role in ("client", "therapist"):
        post(wire, cast, role, f"/goals/{goal}/agreements", body.agreement())
    post(wire, cast, "client", f"/progress/goals/{goal}/entries", body.entry(), until_known=True)
    checkin = post(wire, cast, "client", "/progress/checkins", body.check_in(), until_known=True)["checkin_id"]
    ids = {"episode_id": episode, "goal_id": goal, "client_id": client, "checkin_id": checkin, "person_id": family}
    return World(cast, ids)
