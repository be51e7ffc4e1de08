"""Every service's migrations, each run as that service's own role (its URL from the environment)."""

import os
from collections.abc import Callable, Iterable, Mapping

from accord.shared import migrations
from accord.shared.services import SERVICES


def database_url_variable(service: str) -> str:
    return f"ACCORD_{service.upper()}_DATABASE_URL"


def migrate_services(
    services: Iterable[str] = SERVICES,
    env: Mapping[str, str] | None = None,
    revision: str = "head",
    on_done: Callable[[str], None] = lambda _: None,
) -> None:
    """Fails on the first service whose URL is missing or whose migrations fail; earlier ones stay applied
    (each migration is its own transaction), so a re-run continues from there."""
    env = os.environ if env is None else env
    services = list(services)
    missing = [database_url_variable(s) for s in services if not env.get(database_url_variable(s))]
    if missing:
        raise RuntimeError(f"set {', '.join(missing)}")
    for service in services:
        migrations.upgrade(service, env[database_url_variable(service)], revision)
        on_done(service)
