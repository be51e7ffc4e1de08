"""Client-supplied ids (a record's id is chosen by the app, so that a retry is safe) already taken by another
tenant's record: the second create is refused as a conflict (409 problem+json) or makes a record of its own tenant,
never crashes on the database's unique key nor answers with the other tenant's record."""

import json
from uuid import uuid4

import fuzz_templates as body
from fuzz_wire import PROBLEM_JSON, Finding, Findings, NoAnswer, Wire, example_of
from fuzz_world import World, post

# Create operation -> (role, path template, body with the id to reuse, the id's field).
CREATES = {
    "POST /api/v1/episodes": (
        "therapist",
        "/episodes",
        lambda w: {"client_id": w.ids["client_id"], "team_id": str(w.cast.team)},
        "episode_id",
    ),
    "POST /api/v1/episodes/{episode_id}/goals": (
        "client",
        "/episodes/{episode_id}/goals",
        lambda w: body.goal(),
        "goal_id",
    ),
    "POST /api/v1/progress/goals/{goal_id}/entries": (
        "client",
        "/progress/goals/{goal_id}/entries",
        lambda w: body.entry(),
        "entry_id",
    ),
    "POST /api/v1/progress/checkins": ("client", "/progress/checkins", lambda w: body.check_in(), "checkin_id"),
    "POST /api/v1/progress/questionnaires": (
        "client",
        "/progress/questionnaires",
        # Named: by now the client has a second open episode (the episode row above), and then the service asks which.
        lambda w: {**body.questionnaire(), "episode_id": w.ids["episode_id"]},
        "response_id",
    ),
}


def reused_ids(wire: Wire, first: World, second: World) -> Findings:
    """Each record created in `first`'s tenant, then again with the same id in `second`'s."""
    findings = Findings()
    for operation, (role, template, make, field) in CREATES.items():
        taken = str(uuid4())
        post(wire, first.cast, role, template.format(**first.ids), {**make(first), field: taken})
        path = "/api/v1" + template.format(**second.ids)
        payload = json.dumps({**make(second), field: taken}).encode()
        headers = [*second.cast.headers(role).items(), ("Content-Type", "application/json")]
        example = example_of("POST", path, payload, role)
        try:
            answer = wire.send("POST", path, headers, payload)
        except NoAnswer as exc:
            findings.add(
                Finding(
                    "a taken id is not a conflict", operation, f"{field} of another tenant", None, str(exc), example
                )
            )
            continue
        leaked = [value for value in first.ids.values() if value.encode() in answer.body]
        conflict = answer.status == 409 and answer.media_type == PROBLEM_JSON
        if not (conflict or (answer.status in (200, 201) and not leaked)):
            detail = f"{answer.status} {answer.media_type}: {answer.body[:200]!r}"
            findings.add(
                Finding(
                    "a taken id is not a conflict",
                    operation,
                    f"{field} of another tenant",
                    answer.status,
                    detail,
                    example,
                )
            )
    return findings
