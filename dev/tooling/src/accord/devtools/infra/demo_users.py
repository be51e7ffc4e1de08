"""The demo people of local runs and tests: who they are to the services (subject, roles, teams) and to a person
choosing whom to sign in as. The development identity provider and the demo data both read this one list."""

from dataclasses import dataclass, field
from uuid import UUID

DEMO_TENANT = "demo-trust"
DEMO_TEAM = UUID("7e3a0000-0000-4000-8000-000000000001")


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
    )
}
