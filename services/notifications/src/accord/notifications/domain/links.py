"""Where a message's link leads: a route of the web app, which the gateway serves under the public base URL
(`app_base_url`). The app (web/) has exactly these routes; a link to anything else would land on its not-found page.
"""

from uuid import UUID

INBOX = "/inbox"
CHECK_INS = "/checkins"


def goal(goal_id: UUID) -> str:
    return f"/goals/{goal_id}"


def client(client_id: UUID) -> str:
    """A client's page in the clinician workspace: their goals, feedback and warnings."""
    return f"/clients/{client_id}"


def session_feedback(episode_id: UUID, session_id: UUID) -> str:
    return f"/feedback/{episode_id}/{session_id}"
