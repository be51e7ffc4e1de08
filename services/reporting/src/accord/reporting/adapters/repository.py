"""Reporting's repository: clients' facts read back from the projections (and added to them), and the record of
who was shown which safety signal and of clients' preferred names."""

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from uuid import UUID

from accord.reporting.adapters.history_store import Record, assemble
from accord.reporting.adapters.person_keys import PersonKeys
from accord.reporting.adapters.projection_store import ProjectionStore
from accord.reporting.domain.history import ClientHistory
from accord.reporting.domain.projection import TABLES, Row
from accord.shared.audit import Audit
from accord.shared.auth import Principal
from accord.shared.db import Connection, Pool
from accord.shared.erasure import Restrictions


class Repository:
    """The projections and what reporting remembers (signals seen, preferred names), on one connection."""

    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema
        self._projections = ProjectionStore(schema)

    async def add(self, rows: Iterable[Row]) -> None:
        """Adds an event's facts; a fact already there (a copy) changes nothing."""
        await self._projections.add(self.conn, rows)

    async def histories(
        self, tenant_id: str, client_ids: Sequence[UUID], *, include_restricted: bool = False
    ) -> list[ClientHistory]:
        """Every fact about these clients (one query per table, whatever the number of clients)."""
        ids = sorted(set(client_ids), key=str)
        rows: dict[UUID, dict[str, list[Record]]] = {c: defaultdict(list) for c in ids}
        # A restricted client's records stay, hidden from every read and use (an erasure decided for them), except
        # from the client's own right of access (their export).
        hidden = (
            ""
            if include_restricted
            else f" AND client_id NOT IN (SELECT client_id FROM {self.schema}.restricted_clients WHERE tenant_id = $1)"
        )
        for table in TABLES:
            query = f"SELECT * FROM {self.schema}.{table} WHERE tenant_id = $1 AND client_id = ANY($2){hidden}"
            for r in await self.conn.fetch(query, tenant_id, ids):
                rows[r["client_id"]][table].append(r)
        return [assemble(tenant_id, c, rows[c]) for c in ids]

    async def history(self, tenant_id: str, client_id: UUID) -> ClientHistory:
        return (await self.histories(tenant_id, [client_id]))[0]

    async def own_history(self, tenant_id: str, client_id: UUID) -> ClientHistory:
        """The client's history for their own export: restricted records included (a restriction hides records from
        use, not from the data subject's right of access)."""
        return (await self.histories(tenant_id, [client_id], include_restricted=True))[0]

    async def access_log(self, tenant_id: str, client_id: UUID) -> list[dict[str, Any]]:
        """Who read or changed the client's data in this service, for their export."""
        return await Audit(self.schema).client_log(self.conn, tenant_id, client_id)

    async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """The clinical record is restricted (kept, read by nothing); the name a therapist typed is app-only data and
        is erased; the client's analytics key material is destroyed, so that their analytics events before this
        cannot be joined to any after."""
        await Restrictions(self.schema).restrict(self.conn, tenant_id, client_id, request_id)
        await self.conn.execute(
            f"DELETE FROM {self.schema}.client_names WHERE tenant_id = $1 AND client_id = $2", tenant_id, client_id
        )
        await PersonKeys(self.conn, self.schema).destroy(tenant_id, client_id)

    async def clients_of_clinician(self, tenant_id: str, person_id: UUID) -> list[UUID]:
        """Clients whose episodes the person leads or has ever joined (the domain decides who is still in)."""
        rows = await self.conn.fetch(
            f"SELECT client_id FROM {self.schema}.episodes WHERE tenant_id = $1 AND lead_therapist_id = $2 "
            f"UNION SELECT client_id FROM {self.schema}.participant_changes WHERE tenant_id = $1 AND person_id = $2 "
            f"EXCEPT SELECT client_id FROM {self.schema}.restricted_clients WHERE tenant_id = $1",
            tenant_id,
            person_id,
        )
        return [r["client_id"] for r in rows]

    async def clients_of_team(self, tenant_id: str, team_id: UUID) -> list[UUID]:
        rows = await self.conn.fetch(
            f"SELECT DISTINCT client_id FROM {self.schema}.episodes WHERE tenant_id = $1 AND team_id = $2"
            f" AND client_id NOT IN (SELECT client_id FROM {self.schema}.restricted_clients WHERE tenant_id = $1)",
            tenant_id,
            team_id,
        )
        return [r["client_id"] for r in rows]

    async def seen_signals(self, tenant_id: str, viewer_id: UUID) -> set[UUID]:
        rows = await self.conn.fetch(
            f"SELECT signal_id FROM {self.schema}.seen_safety_signals WHERE tenant_id = $1 AND viewer_id = $2",
            tenant_id,
            viewer_id,
        )
        return {r["signal_id"] for r in rows}

    async def mark_seen(self, tenant_id: str, viewer_id: UUID, signal_ids: Sequence[UUID]) -> None:
        """Remembers the safety signals a clinician was shown, by id: a signal projected later stays unseen."""
        await self.conn.execute(
            f"INSERT INTO {self.schema}.seen_safety_signals (tenant_id, viewer_id, signal_id) "
            "SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING",
            tenant_id,
            viewer_id,
            list(signal_ids),
        )

    async def seen_by_anyone(self, tenant_id: str, signal_ids: Sequence[UUID]) -> set[UUID]:
        """Of these safety signals, those some clinician has been shown."""
        rows = await self.conn.fetch(
            f"SELECT DISTINCT signal_id FROM {self.schema}.seen_safety_signals "
            "WHERE tenant_id = $1 AND signal_id = ANY($2)",
            tenant_id,
            list(signal_ids),
        )
        return {r["signal_id"] for r in rows}

    async def client_names(self, tenant_id: str, client_ids: Sequence[UUID]) -> dict[UUID, str]:
        rows = await self.conn.fetch(
            f"SELECT client_id, display_name FROM {self.schema}.client_names "
            "WHERE tenant_id = $1 AND client_id = ANY($2)",
            tenant_id,
            list(client_ids),
        )
        return {r["client_id"]: r["display_name"] for r in rows}

    async def set_client_name(self, tenant_id: str, client_id: UUID, display_name: str, set_by: UUID) -> None:
        await self.conn.execute(
            f"INSERT INTO {self.schema}.client_names (tenant_id, client_id, display_name, set_by) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, client_id) "
            "DO UPDATE SET display_name = $3, set_by = $4, set_at = clock_timestamp()",
            tenant_id,
            client_id,
            display_name,
            set_by,
        )


class AuditedRepository(Repository):
    """The repository of one read, whose audit row is written on its connection: it commits with the answer."""

    def __init__(self, conn: Connection, schema: str) -> None:
        super().__init__(conn, schema)
        self._audit = Audit(schema)

    async def audited(
        self,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_id: object | None = None,
        client_id: UUID | None = None,
    ) -> None:
        await self._audit.record(self.conn, principal, action, resource_type, resource_id, client_id)


def snapshots(pool: Pool, schema: str) -> Callable[[], AbstractAsyncContextManager[AuditedRepository]]:
    """Opens a read: REPEATABLE READ, so that the tables of one answer come from one snapshot."""

    @asynccontextmanager
    async def snapshot() -> AsyncIterator[AuditedRepository]:
        async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            yield AuditedRepository(conn, schema)

    return snapshot


def refusals(pool: Pool, schema: str) -> Callable[[Principal, str, str, object, UUID | None, str], Awaitable[None]]:
    """Records a refused read in a transaction of its own (nothing else of the request is committed)."""
    audit = Audit(schema)

    async def refuse(
        principal: Principal, action: str, resource_type: str, resource_id: object, client_id: UUID | None, reason: str
    ) -> None:
        await audit.denied(pool, principal, action, resource_type, resource_id, client_id, reason)

    return refuse
