"""Reads and writes in the progress schema: the local goal view, entries, check-ins, questionnaires, decisions; and
the unit of work the worker's own loop (the review sweep) opens a repository in.

Handlers that are typed by what they need take `handlers.ports` Protocols; the tests' in-memory fake
(`tests/progress_fakes.InMemoryRepository`) is the other thing that satisfies them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from typing import Any
from uuid import UUID

import asyncpg

from accord.progress.domain.progress import LATEST_NEEDED, Decision, Ledger, Point, in_time_order
from accord.shared import db
from accord.shared.commands import GuardedWrite
from accord.shared.db import Connection, Pool
from accord.shared.episode_keys import EpisodesRead
from accord.shared.errors import Conflict
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import MeasureKind, Role, Visibility
from accord.shared.events.contracts.goals import GoalAgreed
from accord.shared.events.contracts.progress import AchievementStatus
from accord.shared.outbox import Outbox


@dataclass(frozen=True)
class GoalView:
    terms: GoalAgreed
    tenant_id: str
    status: str
    visibility: Visibility
    shared_with: list[UUID]
    achievement: AchievementStatus | None
    episode_opened_at: datetime | None = None
    progress_revision: int = 0  # changes whenever its entries or reached milestones do

    @property
    def goal_id(self) -> UUID:
        return self.terms.goal_id

    def visible_to(self, person: UUID, role: Role | None) -> bool:
        if role in (Role.CLIENT, Role.THERAPIST):
            return True
        return role is Role.FAMILY and self.visibility is Visibility.SHARED and person in self.shared_with


@lru_cache(maxsize=4096)
def _terms(raw: str) -> GoalAgreed:
    """Agreed terms never change within a version, and every request reads them: parsed once per text."""
    return GoalAgreed.model_validate_json(raw)


def _goal(row: asyncpg.Record) -> GoalView:
    return GoalView(
        _terms(row["terms"]),
        row["tenant_id"],
        row["status"],
        Visibility(row["visibility"]),
        list(row["shared_with"]),
        AchievementStatus(row["achievement"]) if row["achievement"] else None,
        row["opened_at"],
        row["progress_revision"],
    )


# A restricted client's records are kept but hidden from every read and use (an erasure was decided): to this
# service their goals, entries, check-ins and questionnaires are as if they did not exist.
_NOT_RESTRICTED = (
    "{alias}client_id NOT IN (SELECT client_id FROM restricted_clients WHERE tenant_id = {alias}tenant_id)"
)

# A goal with the asker's role in its episode and the episode's start: one round trip for what every request needs.
_GOALS_WITH_ROLE = (
    "SELECT g.goal_id, g.terms, g.tenant_id, g.status, g.visibility, g.shared_with, g.achievement, m.role, "
    "e.opened_at, g.progress_revision FROM goals g "
    "LEFT JOIN episode_members m ON m.episode_id = g.episode_id AND m.person_id = $3 "
    "LEFT JOIN episodes e ON e.episode_id = g.episode_id "
    "WHERE g.tenant_id = $1 AND {goals} AND " + _NOT_RESTRICTED.format(alias="g.") + " "
    "ORDER BY g.goal_id"
)
# A write's: with the goal's episode and its key (`key_here`: the episode has a key row, its key NULL once destroyed).
_GOALS_WITH_ROLE_AND_KEY = (
    "SELECT g.goal_id, g.terms, g.tenant_id, g.status, g.visibility, g.shared_with, g.achievement, m.role, "
    "e.opened_at, g.progress_revision, g.episode_id, k.episode_id IS NOT NULL AS key_here, k.key, "
    "g.xmin AS row_version FROM goals g "
    "LEFT JOIN episode_members m ON m.episode_id = g.episode_id AND m.person_id = $3 "
    "LEFT JOIN episodes e ON e.episode_id = g.episode_id "
    "LEFT JOIN episode_keys k ON k.episode_id = g.episode_id "
    "WHERE g.tenant_id = $1 AND {goals} AND " + _NOT_RESTRICTED.format(alias="g.") + " "
    "ORDER BY g.goal_id"
)
# One goal is asked for by `=`, not `= ANY` of a one-element array. PostgreSQL keeps a prepared statement's generic
# plan only while it costs no more than the plans made for each call, and it costs an array parameter as ten
# elements there but as the array sent in each custom plan: once the goals number a few thousand, the generic plan
# never wins and the statement is planned afresh on every call (for every entry written, ~0.3 ms of the server's
# CPU). With `=` the generic plan costs what a custom one does and is kept after the first five calls.
_ONE_GOAL, _GOALS = "g.goal_id = $2::uuid", "g.goal_id = ANY($2::uuid[])"
# (with the episode's key, one goal) → the statement.
_GOAL_READS = {
    (keyed, one): query.format(goals=_ONE_GOAL if one else _GOALS)
    for keyed, query in ((False, _GOALS_WITH_ROLE), (True, _GOALS_WITH_ROLE_AND_KEY))
    for one in (False, True)
}

# The same, for many (tenant, goal, person) at once; `asked` numbers them from 1 in the order given.
_GOALS_FOR_EACH = (
    "SELECT a.asked, g.goal_id, g.terms, g.tenant_id, g.status, g.visibility, g.shared_with, g.achievement, m.role, "
    "e.opened_at, g.progress_revision "
    "FROM unnest($1::text[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS a(tenant_id, goal_id, person_id, asked) "
    "JOIN goals g ON g.tenant_id = a.tenant_id AND g.goal_id = a.goal_id "
    "LEFT JOIN episode_members m ON m.episode_id = g.episode_id AND m.person_id = a.person_id "
    "LEFT JOIN episodes e ON e.episode_id = g.episode_id "
    "WHERE " + _NOT_RESTRICTED.format(alias="g.")
)


def _counted_kinds(goal: GoalAgreed) -> list[str]:
    """The entries that count towards the goal's measure: measurements, and 0-10 ratings for GBO goals."""
    return ["measurement", "rating"] if goal.measure.kind is MeasureKind.GOAL_RATING else ["measurement"]


_ENTRY_COLUMNS = {
    "entry_id": "uuid",
    "tenant_id": "text",
    "client_id": "uuid",
    "goal_id": "uuid",
    "goal_version": "integer",
    "kind": "text",
    "value": "float8",
    "milestone_id": "uuid",
    "occurred_at": "timestamptz",
    "recorded_by": "uuid",
    "recorded_by_role": "text",
    "note": "text",
}
"""An entry row as a handler gives it, and each column's type (what `record_progress` sends: one array a column)."""

_RECORD_PROGRESS = (
    f"WITH new_entries AS (INSERT INTO entries ({', '.join(_ENTRY_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i}::{t}[]" for i, t in enumerate(_ENTRY_COLUMNS.values(), start=1))
    + ")), new_decisions AS (INSERT INTO decisions (goal_id, goal_version, decision_key, entry_id) "
    "SELECT * FROM unnest($13::uuid[], $14::integer[], $15::text[], $16::uuid[])) "
    "UPDATE goals g SET progress_revision = pg_current_xact_id()::text::bigint, "
    "achievement = coalesce(c.achievement, g.achievement) "
    "FROM unnest($17::uuid[], $18::text[]) AS c (goal_id, achievement) WHERE g.goal_id = c.goal_id"
)

# The same change written at once (`CommandRunner.execute` with `at_once`): one goal, taken only while its row is the
# version the write read (`xmin`: any change to the row, an entry's or the goal's own, makes a new version) and its
# client is not restricted, every write under that guard. The guard sees changes to the goal's own row: a
# restriction (a row of restricted_clients, not the goal's) is checked again as of the write's own snapshot, so one
# committed between the read and the write stops it, as the lock's read would have; the review sweep's decisions are
# other keys (and a decision's key is unique in any case). The goal's revision is the statement's own transaction's,
# as above.
_RECORD_PROGRESS_GUARDED = (
    "guard AS (UPDATE goals g SET progress_revision = pg_current_xact_id()::text::bigint, "
    "achievement = coalesce($19::text, g.achievement) WHERE g.goal_id = $17 AND g.xmin = $18::xid AND "
    + _NOT_RESTRICTED.format(alias="g.")
    + " RETURNING g.goal_id), "
    f"new_entries AS (INSERT INTO entries ({', '.join(_ENTRY_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i}::{t}[]" for i, t in enumerate(_ENTRY_COLUMNS.values(), start=1))
    + ") WHERE EXISTS (SELECT FROM guard)), "
    "new_decisions AS (INSERT INTO decisions (goal_id, goal_version, decision_key, entry_id) "
    "SELECT * FROM unnest($13::uuid[], $14::integer[], $15::text[], $16::uuid[]) WHERE EXISTS (SELECT FROM guard))"
)

_STORED_ENTRY = [*_ENTRY_COLUMNS, "created_at"]
"""An entry as stored (its table's columns)."""

# The entries stored under some ids (part 0), then for each goal version the decisions already made (part 1) and the
# latest points that count towards its measure (part 2: the newest LATEST_NEEDED of the kinds `_counted_kinds` names,
# by the `entries_latest` index). One row shape for the three parts, a part's unused columns NULL.
_POINT = {"entry_id": "p.entry_id", "value": "p.value", "occurred_at": "p.occurred_at"}
_PARTS = (
    "SELECT 0 AS part, NULL::uuid AS of_goal, NULL::text AS decision_key, "
    + ", ".join(f"e.{column}" for column in _STORED_ENTRY)
    + " FROM entries e WHERE e.entry_id {entry} "
    "UNION ALL SELECT 1, d.goal_id, d.decision_key" + ", NULL" * len(_STORED_ENTRY) + " FROM {decisions} "
    "UNION ALL SELECT 2, p.goal_id, NULL, "
    + ", ".join(_POINT.get(column, "NULL") for column in _STORED_ENTRY)
    + " FROM {points}"
)
_LATEST = f"ORDER BY occurred_at DESC, entry_id DESC LIMIT {LATEST_NEEDED}"
# One entry for one goal (the entry route's): every parameter a scalar and the LIMIT a constant, so that PostgreSQL
# keeps a generic plan for it after its first five executions. An array parameter (`= ANY($1)`) or a parameter LIMIT
# makes it plan every execution afresh, which cost the server several times the generic plan's CPU
# (bench/write_reads.py; docs/benchmarks.md, branch s32-entry).
_ENTRY_AND_LEDGER = _PARTS.format(
    entry="= $1",
    decisions="decisions d WHERE d.goal_id = $2 AND d.goal_version = $3",
    points="(SELECT goal_id, entry_id, value, occurred_at FROM entries "
    f"WHERE goal_id = $2 AND goal_version = $3 AND kind = ANY($4::text[]) {_LATEST}) p",
)
# Any number of entries and goals (a batch's): goal versions as arrays ($2, $3), and $4 whether ratings count.
_ENTRIES_AND_LEDGERS = _PARTS.format(
    entry="= ANY($1::uuid[])",
    decisions="unnest($2::uuid[], $3::integer[]) AS v (goal_id, version) "
    "JOIN decisions d ON d.goal_id = v.goal_id AND d.goal_version = v.version",
    points="unnest($2::uuid[], $3::integer[], $4::boolean[]) AS v (goal_id, version, ratings_count) "
    "CROSS JOIN LATERAL (SELECT goal_id, entry_id, value, occurred_at FROM entries "
    "WHERE goal_id = v.goal_id AND goal_version = v.version "
    f"AND (kind = 'measurement' OR (v.ratings_count AND kind = 'rating')) {_LATEST}) p",
)


@dataclass(frozen=True)
class QuietGoal:
    """An active goal with the time of its latest entry (or its agreement) and whether its target was reached."""

    tenant_id: str
    terms: GoalAgreed
    last_activity: datetime
    target_reached: bool


_QUIET_GOALS = (
    """
SELECT g.tenant_id, g.terms, coalesce(max(e.occurred_at), (g.terms ->> 'agreed_at')::timestamptz) AS last_activity,
       EXISTS (SELECT 1 FROM decisions d WHERE d.goal_id = g.goal_id AND d.goal_version = g.version
               AND d.decision_key = 'target') AS target_reached
FROM goals g LEFT JOIN entries e ON e.goal_id = g.goal_id AND e.goal_version = g.version
WHERE g.status = 'active' AND """
    + _NOT_RESTRICTED.format(alias="g.")
    + """
GROUP BY g.goal_id
"""
)


class Repository:
    """The service's storage on one connection. Commands publish through their runner; a repository opened by a
    `UnitOfWork` also has the outbox, so that `publish` adds rows in the same transaction as its writes.

    A repository that writes at once (`write_at_once`, for `CommandRunner.execute` with `at_once`) locks nothing: a
    write's goal is read with its row version, and `record_progress` keeps its change (`deferred`) for one statement
    that writes it only if that version is still the goal's."""

    def __init__(self, conn: Connection, outbox: Outbox | None = None) -> None:
        self.conn, self.outbox = conn, outbox
        self.at_once = False
        self.read_versions: dict[UUID, int] = {}
        self.deferred: GuardedWrite | None = None

    def write_at_once(self) -> None:
        self.at_once = True

    async def publish(self, *envelopes: Envelope) -> None:
        if self.outbox is None:
            raise RuntimeError("a repository opened without the outbox cannot publish: open it through UnitOfWork")
        await self.outbox.add(self.conn, *envelopes)

    # --- the local view of care teams and goals, written from the goals service's events ------------------------
    async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """Everything here is the client's clinical record: it is restricted, not erased."""
        await self.conn.execute(
            "INSERT INTO restricted_clients (tenant_id, client_id, request_id) VALUES ($1, $2, $3)"
            " ON CONFLICT (tenant_id, client_id) DO NOTHING",
            tenant_id,
            client_id,
            request_id,
        )

    async def add_episode(
        self,
        tenant_id: str,
        episode_id: UUID,
        client_id: UUID,
        lead_therapist_id: UUID,
        team_id: UUID,
        opened_at: datetime,
    ) -> None:
        """The episode with its client and lead therapist as members; an episode already known is left as it is."""
        await self.conn.execute(
            "INSERT INTO episodes (episode_id, tenant_id, client_id, lead_therapist_id, team_id, opened_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (episode_id) DO NOTHING",
            episode_id,
            tenant_id,
            client_id,
            lead_therapist_id,
            team_id,
            opened_at,
        )
        await self.conn.executemany(
            "INSERT INTO episode_members (episode_id, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [(episode_id, client_id, Role.CLIENT.value), (episode_id, lead_therapist_id, Role.THERAPIST.value)],
        )

    async def set_member(self, episode_id: UUID, person_id: UUID, role: Role) -> None:
        await self.conn.execute(
            "INSERT INTO episode_members (episode_id, person_id, role) VALUES ($1, $2, $3) "
            "ON CONFLICT (episode_id, person_id) DO UPDATE SET role = excluded.role",
            episode_id,
            person_id,
            role.value,
        )

    async def remove_member(self, episode_id: UUID, person_id: UUID) -> None:
        await self.conn.execute(
            "DELETE FROM episode_members WHERE episode_id = $1 AND person_id = $2", episode_id, person_id
        )

    async def close_episode(self, episode_id: UUID) -> None:
        await self.conn.execute("UPDATE episodes SET closed = true WHERE episode_id = $1", episode_id)

    async def agree_goal(self, tenant_id: str, terms: GoalAgreed) -> None:
        """The goal's agreed terms, active; an older version never replaces a newer one."""
        await self.conn.execute(
            "INSERT INTO goals (goal_id, tenant_id, client_id, episode_id, version, status, terms, visibility, "
            "shared_with) VALUES ($1, $2, $3, $4, $5, 'active', $6::jsonb, $7, $8) "
            "ON CONFLICT (goal_id) DO UPDATE SET version = excluded.version, terms = excluded.terms, "
            "visibility = excluded.visibility, shared_with = excluded.shared_with "
            "WHERE goals.version < excluded.version",
            terms.goal_id,
            tenant_id,
            terms.client_id,
            terms.episode_id,
            terms.version,
            terms.model_dump_json(),
            terms.visibility.value,
            list(terms.shared_with),
        )

    async def set_visibility(self, goal_id: UUID, visibility: Visibility, shared_with: Sequence[UUID]) -> None:
        await self.conn.execute(
            "UPDATE goals SET visibility = $2, shared_with = $3 WHERE goal_id = $1",
            goal_id,
            visibility.value,
            list(shared_with),
        )

    async def set_status(self, goal_id: UUID, status: str) -> None:
        """A closed goal stays closed, whatever arrives after."""
        await self.conn.execute(
            "UPDATE goals SET status = $2 WHERE goal_id = $1 AND status <> 'closed'", goal_id, status
        )

    async def quiet_goals(self) -> list[QuietGoal]:
        """Every active goal, with what the review sweep decides on."""
        rows = await self.conn.fetch(_QUIET_GOALS)
        return [QuietGoal(r["tenant_id"], _terms(r["terms"]), r["last_activity"], r["target_reached"]) for r in rows]

    # --- goals, entries and decisions ----------------------------------------------------------------------------

    async def goals_with_role(
        self,
        tenant_id: str,
        goal_ids: list[UUID],
        person_id: UUID,
        *,
        for_update: bool = False,
        read: EpisodesRead | None = None,
    ) -> dict[UUID, tuple[GoalView, Role | None]]:
        """The goals known here among `goal_ids`, each with the person's role in its episode. Locked goals are
        locked in goal-id order, so two requests touching the same goals cannot deadlock; a repository that writes
        at once locks nothing and notes each goal's row version instead, for its write's guard.

        With `read` (a write's), each goal's episode and that episode's key are read in the same statement and noted
        there, for sealing the write's events (accord.shared.episode_keys) without asking again. As correct as
        asking later in the transaction: the key is destroyed only with the episode's goals, in the transaction that
        deletes them (clinical retention deletes the goals first, so it waits for this lock; a write at once whose
        goal it deleted finds no row at its guard and writes nothing), and a key row not there yet is looked up
        again."""
        one = len(goal_ids) == 1
        lock = " FOR UPDATE OF g" if for_update and not self.at_once else ""
        query = _GOAL_READS[read is not None, one] + lock
        rows = await self.conn.fetch(query, tenant_id, goal_ids[0] if one else goal_ids, person_id)
        if for_update and self.at_once:
            self.read_versions.update({r["goal_id"]: r["row_version"] for r in rows})
        if read is not None:
            read.episodes.update({r["goal_id"]: r["episode_id"] for r in rows})
            read.keys.update({r["episode_id"]: r["key"] for r in rows if r["key_here"]})
        return {r["goal_id"]: (_goal(r), Role(r["role"]) if r["role"] else None) for r in rows}

    async def goals_for_each(self, asked: list[tuple[str, UUID, UUID]]) -> list[tuple[GoalView, Role | None] | None]:
        """For each (tenant, goal, person) asked, in order: the goal as `goals_with_role` finds it, with the person's
        role in its episode, or None when it is not known here (or hidden by a restriction). One statement for the
        reads of many callers at once (the progress read groups them: accord.shared.grouping). A lone one (most,
        below saturation) is asked for by `=`, planned once: the arrays' statement is planned afresh for every call,
        as `_ONE_GOAL` explains; for a batch of several that planning is shared by its reads."""
        if len(asked) == 1:
            [(tenant_id, goal_id, person_id)] = asked
            rows = await self.conn.fetch(_GOAL_READS[False, True], tenant_id, goal_id, person_id)
            return [(_goal(r), Role(r["role"]) if r["role"] else None) for r in rows] or [None]
        rows = await self.conn.fetch(
            _GOALS_FOR_EACH, [a[0] for a in asked], [a[1] for a in asked], [a[2] for a in asked]
        )
        found: list[tuple[GoalView, Role | None] | None] = [None] * len(asked)
        for r in rows:
            found[r["asked"] - 1] = _goal(r), Role(r["role"]) if r["role"] else None
        return found

    async def role_towards_client(self, tenant_id: str, client_id: UUID, person_id: UUID) -> Role | None:
        """The person's role in any open episode of the client (therapist, family, or the client themself)."""
        roles = await self.conn.fetch(
            "SELECT m.role FROM episodes e JOIN episode_members m USING (episode_id) "
            "WHERE e.tenant_id = $1 AND e.client_id = $2 AND m.person_id = $3 AND "
            + _NOT_RESTRICTED.format(alias="e."),
            tenant_id,
            client_id,
            person_id,
        )
        found = {Role(r["role"]) for r in roles}
        for role in (Role.CLIENT, Role.THERAPIST, Role.FAMILY):
            if role in found:
                return role
        return None

    async def entries_and_ledgers(
        self, entry_ids: list[UUID], goals: Sequence[GoalAgreed]
    ) -> tuple[dict[UUID, dict[str, Any]], dict[UUID, Ledger]]:
        """In one round trip: the entries already stored under `entry_ids` (a resend's, or an id used elsewhere), and
        each goal version's ledger: the decisions already made for it and its latest points. Read after the goals'
        lock, in a snapshot of its own, so it sees whatever the lock's previous holder wrote (written at once: after
        the goal's row version was read, so that a write in between changes the version the write's guard checks)."""
        if len(entry_ids) == 1 and len(goals) == 1:
            [goal] = goals
            rows = await self.conn.fetch(
                _ENTRY_AND_LEDGER, entry_ids[0], goal.goal_id, goal.version, _counted_kinds(goal)
            )
        else:
            rows = await self.conn.fetch(
                _ENTRIES_AND_LEDGERS,
                entry_ids,
                [g.goal_id for g in goals],
                [g.version for g in goals],
                ["rating" in _counted_kinds(g) for g in goals],
            )
        stored: dict[UUID, dict[str, Any]] = {}
        decided: dict[UUID, set[str]] = {g.goal_id: set() for g in goals}
        latest: dict[UUID, list[Point]] = {g.goal_id: [] for g in goals}
        for r in rows:
            if r["part"] == 0:
                stored[r["entry_id"]] = {column: r[column] for column in _STORED_ENTRY}
            elif r["part"] == 1:
                decided[r["of_goal"]].add(r["decision_key"])
            else:
                latest[r["of_goal"]].append(Point(r["entry_id"], r["value"], r["occurred_at"]))
        return stored, {
            g.goal_id: Ledger(g, decided[g.goal_id], sorted(latest[g.goal_id], key=in_time_order)) for g in goals
        }

    async def record_progress(
        self,
        entries: list[dict[str, Any]],
        decisions: list[tuple[GoalAgreed, Decision]],
        achievements: Mapping[UUID, AchievementStatus | None],
    ) -> None:
        """In one round trip: the new entries; the decisions new to their goal versions (the goals are locked by the
        caller, or, written at once, the write is guarded by the goal's row version, so none is made twice); and the
        goals' progress answers marked as changed by this transaction (see migration 0005), with the achievement
        status of those whose status moved (None: unchanged). Whoever adds entries or milestone and target decisions
        calls it; review decisions are not part of the answer."""
        if not (entries or decisions or achievements):
            return
        if self.at_once:
            self.deferred = self._guarded(entries, decisions, achievements)
            return
        try:
            await self.conn.execute(
                _RECORD_PROGRESS,
                *([e[column] for e in entries] for column in _ENTRY_COLUMNS),
                [g.goal_id for g, _ in decisions],
                [g.version for g, _ in decisions],
                [d.key for _, d in decisions],
                [d.entry_id for _, d in decisions],
                list(achievements),
                [None if status is None else status.value for status in achievements.values()],
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.table_name != "entries":
                raise
            # The same id sent at the same instant for another goal (a different lock) won the race: nothing is kept.
            raise Conflict("this entry id is already used") from exc

    def _guarded(
        self,
        entries: list[dict[str, Any]],
        decisions: list[tuple[GoalAgreed, Decision]],
        achievements: Mapping[UUID, AchievementStatus | None],
    ) -> GuardedWrite:
        """`record_progress`'s change for one statement, guarded by the version of its goal's row read earlier."""
        [(goal_id, status)] = achievements.items()  # a write at once records against one goal
        return GuardedWrite(
            _RECORD_PROGRESS_GUARDED,
            [
                *([e[column] for e in entries] for column in _ENTRY_COLUMNS),
                [g.goal_id for g, _ in decisions],
                [g.version for g, _ in decisions],
                [d.key for _, d in decisions],
                [d.entry_id for _, d in decisions],
                goal_id,
                self.read_versions[goal_id],
                None if status is None else status.value,
            ],
        )

    async def series(self, goal: GoalAgreed, latest: int) -> list[Point]:
        """The latest values that count towards the goal's measure, in time order."""
        rows = await self.conn.fetch(
            "SELECT entry_id, value, occurred_at FROM entries WHERE goal_id = $1 AND goal_version = $2 "
            "AND kind = ANY($3::text[]) ORDER BY occurred_at DESC, entry_id DESC LIMIT $4",
            goal.goal_id,
            goal.version,
            _counted_kinds(goal),
            latest,
        )
        return [Point(r["entry_id"], r["value"], r["occurred_at"]) for r in reversed(rows)]

    async def entries(self, goal_id: UUID) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self.conn.fetch(
            "SELECT * FROM entries WHERE goal_id = $1 ORDER BY occurred_at, entry_id", goal_id
        )
        return rows

    async def decide(self, goal: GoalAgreed, key: str, entry_id: UUID | None) -> bool:
        """Records a decision; True only the first time its key is seen for this goal version."""
        inserted = await self.conn.fetchval(
            "INSERT INTO decisions (goal_id, goal_version, decision_key, entry_id) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING RETURNING true",
            goal.goal_id,
            goal.version,
            key,
            entry_id,
        )
        return bool(inserted)

    async def decisions(self, goal: GoalAgreed) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self.conn.fetch(
            "SELECT d.decision_key, d.decided_at, e.occurred_at FROM decisions d LEFT JOIN entries e USING (entry_id) "
            "WHERE d.goal_id = $1 AND d.goal_version = $2 ORDER BY e.occurred_at",
            goal.goal_id,
            goal.version,
        )
        return rows

    # --- check-ins and questionnaires --------------------------------------------------------------------------
    async def checkin(self, checkin_id: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow("SELECT * FROM checkins WHERE checkin_id = $1", checkin_id)
        return dict(row) if row is not None else None

    async def add_checkin(self, **values: Any) -> None:
        await self._insert("checkins", values)

    async def share_checkin(self, checkin_id: UUID, shared: bool) -> None:
        await self.conn.execute(
            "UPDATE checkins SET shared_with_therapist = $2 WHERE checkin_id = $1", checkin_id, shared
        )

    async def checkins_of(self, tenant_id: str, client_id: UUID, only_shared: bool, limit: int) -> list[Any]:
        rows: list[Any] = await self.conn.fetch(
            "SELECT * FROM checkins WHERE tenant_id = $1 AND client_id = $2 AND (NOT $3 OR shared_with_therapist) "
            "ORDER BY occurred_at DESC LIMIT $4",
            tenant_id,
            client_id,
            only_shared,
            limit,
        )
        return rows

    async def questionnaire(self, response_id: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow("SELECT * FROM questionnaires WHERE response_id = $1", response_id)
        return dict(row) if row is not None else None

    async def add_questionnaire(self, **values: Any) -> None:
        await self._insert("questionnaires", values)

    async def questionnaires_of(
        self, tenant_id: str, client_id: UUID, limit: int, *, therapist: UUID | None
    ) -> list[Any]:
        """The client's responses, latest first; with `therapist`, only those completed for an episode that
        therapist is a member of (a response without an episode is the client's alone)."""
        rows: list[Any] = await self.conn.fetch(
            "SELECT response_id, instrument, total, severity, occurred_at FROM questionnaires q "
            "WHERE q.tenant_id = $1 AND q.client_id = $2 AND ($4::uuid IS NULL OR EXISTS ("
            " SELECT 1 FROM episode_members m WHERE m.episode_id = q.episode_id AND m.person_id = $4"
            " AND m.role = 'therapist')) "
            "ORDER BY occurred_at DESC LIMIT $3",
            tenant_id,
            client_id,
            limit,
            therapist,
        )
        return rows

    async def open_episodes_of_client(self, tenant_id: str, client_id: UUID) -> set[UUID]:
        rows = await self.conn.fetch(
            "SELECT e.episode_id FROM episodes e JOIN episode_members m USING (episode_id) "
            "WHERE e.tenant_id = $1 AND e.client_id = $2 AND NOT e.closed AND m.person_id = $2 AND m.role = 'client'",
            tenant_id,
            client_id,
        )
        return {r["episode_id"] for r in rows}

    async def active_goals_scored_by(self, tenant_id: str, episode_id: UUID, instrument: str) -> list[UUID]:
        """The active goals of the episode measured by this questionnaire."""
        rows = await self.conn.fetch(
            "SELECT goal_id FROM goals WHERE tenant_id = $1 AND episode_id = $2 AND status = 'active' "
            "AND terms #>> '{measure,kind}' = 'standard_score' AND terms #>> '{measure,instrument}' = $3",
            tenant_id,
            episode_id,
            instrument,
        )
        return [r["goal_id"] for r in rows]

    async def _insert(self, table: str, values: dict[str, Any]) -> None:
        columns = ", ".join(values)
        params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        await self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({params})", *values.values())


class UnitOfWork(db.UnitOfWork[Repository]):
    """A repository with the outbox in a transaction of its own: what the worker's own loop, the review sweep, runs
    in."""

    def __init__(self, pool: Pool, outbox: Outbox) -> None:
        super().__init__(pool, partial(Repository, outbox=outbox))
