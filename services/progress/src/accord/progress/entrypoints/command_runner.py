"""The progress service's command runner: each request in one transaction, with its events and audit rows."""

from datetime import UTC, datetime

from accord.progress.adapters.repository import Repository
from accord.progress.handlers.context import Context
from accord.progress.settings import Settings
from accord.shared.auth import Principal
from accord.shared.commands import CommandRunner
from accord.shared.db import Connection
from accord.shared.runtime import Resources


def _context(res: Resources[Settings], conn: Connection, principal: Principal) -> Context:
    settings = res.settings
    return Context(
        actor=principal,
        repo=Repository(conn),
        now=datetime.now(UTC),
        gbo_reliable_change=settings.gbo_reliable_change,
        clock_skew=settings.clock_skew,
    )


runner = CommandRunner("progress", _context)
