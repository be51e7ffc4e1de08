"""The goals service's command runner: each request in one transaction, with its events and audit rows."""

from datetime import UTC, datetime

from accord.goals.adapters.repository import Repository
from accord.goals.handlers.context import Context
from accord.goals.settings import Settings
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
        active_goal_limit=settings.active_goal_limit,
        divergence_threshold=settings.divergence_threshold_for(principal.tenant_id),
        key_wrapping=settings.episode_key_wrapping(),
    )


runner = CommandRunner("goals", _context)
execute, query = runner.execute, runner.query
