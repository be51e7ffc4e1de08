"""Valid request bodies for the records a fuzz run creates: the attack goes into one place of an otherwise valid
body, so that it reaches the service's checks and, if they let it through, the database and every reader."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from client_journey import goal_content as journey_goal_content


def now() -> str:
    return datetime.now(UTC).isoformat()


def goal_content() -> dict[str, Any]:
    milestones = [
        {"milestone_id": str(uuid4()), "kind": "threshold", "description": "Halfway", "threshold": 5},
        {"milestone_id": str(uuid4()), "kind": "action", "description": "Buy a bus pass"},
    ]
    return journey_goal_content(
        "Take the bus to college on my own three days a week", "So I can see my friends", milestones=milestones
    )


def goal() -> dict[str, Any]:
    return {"content": goal_content()}


def revision() -> dict[str, Any]:
    return {"content": goal_content(), "reason": "Three days was too many to start with"}


def agreement() -> dict[str, Any]:
    return {"decision": "agree", "comment": "Sounds right to me"}


def closure() -> dict[str, Any]:
    return {"outcome": "partly_achieved", "reason": "Two days a week is where it settled"}


def visibility(family: UUID) -> dict[str, Any]:
    return {"visibility": "shared", "shared_with": [str(family)]}


def family_member() -> dict[str, Any]:
    return {"person_id": str(uuid4()), "relationship_code": "sibling"}


def entry() -> dict[str, Any]:
    return {"entry_id": str(uuid4()), "kind": "rating", "value": 6, "occurred_at": now(), "note": "Went twice"}


def batch(goal_id: str) -> dict[str, Any]:
    return {"entries": [{**entry(), "goal_id": goal_id, "kind": "measurement", "value": 3}]}


def check_in() -> dict[str, Any]:
    return {
        "checkin_id": str(uuid4()),
        "mood": 6,
        "text": "A better day",
        "share_with_therapist": True,
        "occurred_at": now(),
    }


def questionnaire() -> dict[str, Any]:
    return {"response_id": str(uuid4()), "instrument": "GAD-7", "answers": [1, 0, 2, 1, 0, 1, 0], "occurred_at": now()}


def preferences() -> dict[str, Any]:
    return {
        "locale": "en-GB",
        "time_zone": "Europe/London",
        "channels": ["email"],
        "quiet_hours": {"start": "22:00:00", "end": "07:00:00"},
        "clinician_delivery": "immediate",
    }


def contact_point() -> dict[str, Any]:
    return {"email": f"fuzz-{uuid4().hex[:8]}@example.org"}
