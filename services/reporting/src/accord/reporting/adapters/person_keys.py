"""Each person's own analytics key material (`analytics_person_keys`): made on first use, destroyed on erasure.

A secret is random and never leaves this table (it is in no event, log or export). Destroying it is what makes a
person's analytics events before the erasure unlinkable to any after: the next event gets a fresh secret.
"""

import secrets
from collections.abc import Iterable
from uuid import UUID

from accord.shared.db import Connection

SECRET_BYTES = 32


class PersonKeys:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def material(self, tenant_id: str, person_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        """Each person's secret, made for those who have none (a concurrent maker's secret wins). Read first: after
        a person's first event they have one, so a batch usually costs one statement and makes no secret."""
        ids = sorted(set(person_ids), key=str)
        found = await self._read(tenant_id, ids)
        if missing := [p for p in ids if p not in found]:
            await self.conn.execute(
                f"INSERT INTO {self.schema}.analytics_person_keys (tenant_id, person_id, secret)"
                " SELECT $1, person_id, secret FROM unnest($2::uuid[], $3::bytea[]) AS made(person_id, secret)"
                " ON CONFLICT (tenant_id, person_id) DO NOTHING",
                tenant_id,
                missing,
                [secrets.token_bytes(SECRET_BYTES) for _ in missing],
            )
            found |= await self._read(tenant_id, missing)
        return found

    async def _read(self, tenant_id: str, ids: list[UUID]) -> dict[UUID, bytes]:
        rows = await self.conn.fetch(
            f"SELECT person_id, secret FROM {self.schema}.analytics_person_keys"
            " WHERE tenant_id = $1 AND person_id = ANY($2::uuid[])",
            tenant_id,
            ids,
        )
        return {r["person_id"]: bytes(r["secret"]) for r in rows}

    async def destroy(self, tenant_id: str, person_id: UUID) -> None:
        await self.conn.execute(
            f"DELETE FROM {self.schema}.analytics_person_keys WHERE tenant_id = $1 AND person_id = $2",
            tenant_id,
            person_id,
        )
