"""The demo people of local runs and tests: who they are to the services (subject, roles, teams) and to a person
choosing whom to sign in as. The development identity provider and the demo data both read this one list."""

from dataclasses import dataclass, field
from uuid import UUID

DEMO_TENANT = "demo-trust"
DEMO_TEAM = UUID("7e3a0000-0000-4000-8000-000000000001")
# A second team, so that a supervisor can be shown to see nothing of the first one's clients.
DEMO_OTHER_TEAM = UUID("7e3a0000-0000-4000-8000-000000000002")


@dataclass(frozen=True)
class DemoUser:
    login: str
    sub: UUID
    name: str
    roles: tuple[str, ...]
    about: str
    teams: tuple[UUID, ...] = field(default=())


DEMO_USERS: dict[str, DemoUser] = {
    u.login: u
    for u in (
        DemoUser("sam", UUID("5a000000-0000-4000-8000-000000000001"), "Sam", ("client",), "Sam, 16, client"),
        DemoUser("alex", UUID("a1e00000-0000-4000-8000-000000000002"), "Alex", ("therapist",), "Alex, therapist"),
        DemoUser("jo", UUID("70000000-0000-4000-8000-000000000003"), "Jo", ("family",), "Jo, Sam's parent"),
        DemoUser(
            "priya",
            UUID("b0000000-0000-4000-8000-000000000004"),
            "Priya",
            ("supervisor",),
            "Priya, team supervisor",
            (DEMO_TEAM,),
        ),
        # The clinician workspace's browser tests use these, apart from Sam's journey: a second client and parent,
        # a therapist in no episode of theirs, and a supervisor of another team.
        DemoUser("casey", UUID("5a000000-0000-4000-8000-000000000005"), "Casey", ("client",), "Casey, 17, client"),
        DemoUser(
            "morgan", UUID("70000000-0000-4000-8000-000000000006"), "Morgan", ("family",), "Morgan, Casey's parent"
        ),
        DemoUser(
            "robin",
            UUID("a1e00000-0000-4000-8000-000000000007"),
            "Robin",
            ("therapist",),
            "Robin, therapist of other clients",
        ),
        DemoUser(
            "kim",
            UUID("b0000000-0000-4000-8000-000000000008"),
            "Kim",
            ("supervisor",),
            "Kim, supervisor of another team",
            (DEMO_OTHER_TEAM,),
        ),
    )
}
