"""Against real PostgreSQL (in a transaction rolled back afterwards): `EpisodeRecordsExpired`, through the handler the
worker registers, removes every projection row of that episode (its goals' versions, events, entries and decisions,
its questionnaire responses, participants, closure, alliance facts) and nothing else: the client's other episode and
the other clients keep every row. The episode is remembered, so that what a rebuild brings back from the topics is
removed again."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from reporting_scenario import Cast, Script, script

from accord.devtools.testing import rolled_back
from accord.reporting.adapters.clinical_retention import ExpiredEpisodes
from accord.reporting.adapters.repository import Repository
from accord.reporting.bootstrap import settings
from accord.reporting.domain.projection import TABLES, rows_for
from accord.reporting.handlers import event_handlers
from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import EpisodeRecordsExpired
from accord.shared.events.contracts.reporting import ReportingEpisodeRecordsRemoved
from accord.shared.runtime import Resources

pytestmark = pytest.mark.integration
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


class Outbox:
    def __init__(self) -> None:
        self.added: list[Envelope] = []

    async def add(self, conn: object, *envelopes: Envelope) -> None:
        self.added += envelopes


def with_a_second_episode(cast: Cast) -> list[Envelope]:
    """The script, and a later episode of the first client with a goal and a rating of its own."""
    s, c0 = Script(cast, NOW), cast.clients[0]
    s.episode(c0, "E0x", cast.team, cast.therapist, 20)
    s.agree(c0, "G0x", "E0x", cast.therapist, 15, 14, baseline=2, target=7)
    s.rating(c0, "G0x", 5, 3)
    return script(cast, NOW) + s.envelopes


async def every_row(conn: Connection, schema: str, tenant: str) -> set[tuple[str, str]]:
    rows = set()
    for table in TABLES:
        for row in await conn.fetch(f"SELECT * FROM {schema}.{table} WHERE tenant_id = $1", tenant):
            rows.add((table, repr(sorted(dict(row).items()))))
    return rows


async def test_an_expired_episodes_rows_leave_every_projection_and_stay_out_after_a_replay(
    service_env: object,
) -> None:
    config, cast = settings(), Cast()
    schema, c0 = config.db_schema, cast.clients[0]
    async with rolled_back(config) as conn:
        repo, history = Repository(conn, schema), with_a_second_episode(cast)
        for envelope in history:
            await repo.add(rows_for(envelope, envelope.open()))
        before = await every_row(conn, schema, cast.tenant)
        e0_ids = {str(cast[n]) for n in ("E0", "G0a", "G0b")}
        e0_ids |= {
            str(r["response_id"])
            for r in await conn.fetch(
                f"SELECT response_id FROM {schema}.questionnaires WHERE episode_id = $1", cast["E0"]
            )
        }
        of_e0 = {row for row in before if any(i in row[1] for i in e0_ids)}
        assert {table for table, _ in of_e0} >= {
            "episodes",
            "participant_changes",
            "goal_events",
            "goal_versions",
            "entries",
            "progress_decisions",
            "questionnaires",
        }

        event = EpisodeRecordsExpired(
            client_id=c0, episode_id=cast["E0"], expired_at=NOW, kept_after=NOW - timedelta(days=30)
        )
        outbox = Outbox()
        resources: Resources[Any] = Resources(config, None, outbox, None)  # type: ignore[arg-type]
        handle = event_handlers(resources)["EpisodeRecordsExpired"]
        await handle(conn, Envelope.wrap(event, producer="goals", tenant_id=cast.tenant), event)  # type: ignore[call-arg, arg-type]

        assert await every_row(conn, schema, cast.tenant) == before - of_e0
        removal = await conn.fetchrow(
            f"SELECT action, resource_id FROM {schema}.audit_log WHERE tenant_id = $1 AND client_id = $2",
            cast.tenant,
            c0,
        )
        assert removal is not None and tuple(removal) == ("remove expired records", str(cast["E0"]))
        [announced] = outbox.added
        assert announced.open() == ReportingEpisodeRecordsRemoved(client_id=c0, episode_id=cast["E0"])

        # A rebuild empties the projections (here: this tenant's) and replays every event from the topics, which
        # still hold E0's, then removes what expired.
        for table in TABLES:
            await conn.execute(f"DELETE FROM {schema}.{table} WHERE tenant_id = $1", cast.tenant)
        for envelope in history:
            await repo.add(rows_for(envelope, envelope.open()))
        assert await every_row(conn, schema, cast.tenant) != before - of_e0  # the topics bring E0 back
        await ExpiredEpisodes(conn, schema).remove_all_expired()
        assert await every_row(conn, schema, cast.tenant) == before - of_e0
