"""SQL of the end of an episode's clinical retention period in the reporting service's schema (from
`EpisodeRecordsExpired`): the episode is remembered in `expired_episodes` (ids only) and its rows leave every
projection: the episode, its closure and participants, its goals' events, versions, entries and decisions, its
questionnaire responses with their safety signals (and who has seen them), its alignment facts and session
feedback. Safety signals, responses that belong to no episode, and the name a therapist typed are the client's: they
go with the client's last episode here.

A rebuild replays the topics from offset 0, which still hold the episode's events, and so brings the rows back; it
calls `remove_all_expired` before it commits, so it ends with them removed again."""

from uuid import UUID

from accord.shared import clinical_retention
from accord.shared.db import Connection

_GOALS = (
    "SELECT goal_id FROM {s}.goal_versions WHERE tenant_id = $1 AND episode_id = $2 UNION"
    " SELECT goal_id FROM {s}.goal_events WHERE tenant_id = $1 AND episode_id = $2"
)
_QUESTIONNAIRES = "SELECT response_id FROM {s}.questionnaires WHERE tenant_id = $1 AND episode_id = $2"
_SIGNALS = "SELECT signal_id FROM {s}.safety_signals WHERE tenant_id = $1 AND source_id IN (" + _QUESTIONNAIRES + ")"
# Keyed by the episode ($1 tenant, $2 episode), in an order that keeps each statement's subquery answerable.
BY_EPISODE = (
    (
        "seen_safety_signals",
        "DELETE FROM {s}.seen_safety_signals WHERE tenant_id = $1 AND signal_id IN (" + _SIGNALS + ")",
    ),
    (
        "safety_signals",
        "DELETE FROM {s}.safety_signals WHERE tenant_id = $1 AND source_id IN (" + _QUESTIONNAIRES + ")",
    ),
    ("questionnaires", "DELETE FROM {s}.questionnaires WHERE tenant_id = $1 AND episode_id = $2"),
    ("alignment_divergences", "DELETE FROM {s}.alignment_divergences WHERE tenant_id = $1 AND episode_id = $2"),
    ("session_feedback", "DELETE FROM {s}.session_feedback WHERE tenant_id = $1 AND episode_id = $2"),
    ("participant_changes", "DELETE FROM {s}.participant_changes WHERE tenant_id = $1 AND episode_id = $2"),
    ("episode_closures", "DELETE FROM {s}.episode_closures WHERE tenant_id = $1 AND episode_id = $2"),
    ("episodes", "DELETE FROM {s}.episodes WHERE tenant_id = $1 AND episode_id = $2"),
)
# Keyed by the episode's goals ($1 tenant, $2 goal ids).
BY_GOAL = tuple(
    (table, f"DELETE FROM {{s}}.{table} WHERE tenant_id = $1 AND goal_id = ANY($2::uuid[])")
    for table in ("entries", "progress_decisions", "goal_versions", "goal_events")
)
_NO_EPISODE_LEFT = "NOT EXISTS (SELECT 1 FROM {s}.episodes WHERE tenant_id = $1 AND client_id = $2)"
# The client's own ($1 tenant, $2 client), once no episode of theirs is left here.
_CLIENTS_SIGNALS = "SELECT signal_id FROM {s}.safety_signals WHERE tenant_id = $1 AND client_id = $2"
BY_CLIENT = (
    (
        "seen_safety_signals",
        "DELETE FROM {s}.seen_safety_signals WHERE tenant_id = $1 AND signal_id IN ("
        + _CLIENTS_SIGNALS
        + ") AND "
        + _NO_EPISODE_LEFT,
    ),
    (
        "safety_signals",
        "DELETE FROM {s}.safety_signals WHERE tenant_id = $1 AND client_id = $2 AND " + _NO_EPISODE_LEFT,
    ),
    (
        "questionnaires",
        "DELETE FROM {s}.questionnaires WHERE tenant_id = $1 AND client_id = $2 AND episode_id IS NULL"
        " AND " + _NO_EPISODE_LEFT,
    ),
    ("client_names", "DELETE FROM {s}.client_names WHERE tenant_id = $1 AND client_id = $2 AND " + _NO_EPISODE_LEFT),
)


# What audit rows name the episode's records by, besides the episode itself ($1 tenant, $2 episode).
_AUDITED = _GOALS + " UNION " + _QUESTIONNAIRES


class ExpiredEpisodes:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def remove_episode(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> dict[str, int]:
        """Remembers the episode as expired and removes its rows; answers how many of each kind went."""
        await self.conn.execute(
            f"INSERT INTO {self.schema}.expired_episodes (tenant_id, episode_id, client_id) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            tenant_id,
            episode_id,
            client_id,
        )
        return await self._remove(tenant_id, client_id, episode_id)

    async def records_of(self, tenant_id: str, episode_id: UUID) -> list[UUID]:
        return await clinical_retention.ids_of_episode(self.conn, _AUDITED.format(s=self.schema), tenant_id, episode_id)

    async def keeps_episode_of(self, tenant_id: str, client_id: UUID) -> bool:
        return await clinical_retention.keeps_episode_of(self.conn, f"{self.schema}.episodes", tenant_id, client_id)

    async def remove_all_expired(self) -> int:
        """Removes the rows of every episode remembered as expired (after a rebuild brought them back); answers how
        many rows went."""
        rows = await self.conn.fetch(f"SELECT tenant_id, client_id, episode_id FROM {self.schema}.expired_episodes")
        total = 0
        for row in rows:
            total += sum((await self._remove(row["tenant_id"], row["client_id"], row["episode_id"])).values())
        return total

    async def _remove(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> dict[str, int]:
        s = self.schema
        goal_ids = await clinical_retention.ids_of_episode(self.conn, _GOALS.format(s=s), tenant_id, episode_id)
        removed: dict[str, int] = {}
        for table, statement in BY_GOAL:
            removed[table] = await self._count(statement, tenant_id, goal_ids)
        for table, statement in BY_EPISODE:
            removed[table] = removed.get(table, 0) + await self._count(statement, tenant_id, episode_id)
        for table, statement in BY_CLIENT:
            removed[table] = removed.get(table, 0) + await self._count(statement, tenant_id, client_id)
        return removed

    async def _count(self, statement: str, *args: object) -> int:
        status = await self.conn.execute(statement.format(s=self.schema), *args)
        return int(status.rsplit(" ", 1)[-1])
