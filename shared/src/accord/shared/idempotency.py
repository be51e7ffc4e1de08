"""Idempotency-Key on POST: a retried request returns the first answer instead of acting twice.

The key is scoped to the tenant and the caller. The stored answer is written in the same transaction as the effect,
so a crash leaves either both or neither. Reusing a key for a different request is a 422.
"""

import hashlib
import json
from typing import Any

from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.problems import Problem


def idempotency_ddl(schema: str) -> list[str]:
    return [
        f"""
        CREATE TABLE {schema}.idempotency_keys (
            tenant_id text NOT NULL,
            actor_id uuid NOT NULL,
            key text NOT NULL,
            request_hash text NOT NULL,
            status integer NOT NULL,
            body jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, actor_id, key)
        )""",
    ]


def request_fingerprint(method: str, path: str, body: Any) -> str:
    return hashlib.sha256(json.dumps([method, path, body], sort_keys=True, default=str).encode()).hexdigest()


class Idempotency:
    def __init__(self, schema: str) -> None:
        self.table = f"{schema}.idempotency_keys"

    async def replay(
        self, conn: Connection, principal: Principal, key: str | None, fingerprint: str
    ) -> tuple[int, Any] | None:
        """The stored (status, body) of an earlier request with this key, locking the key for this transaction."""
        if key is None:
            return None
        if not 1 <= len(key) <= 200:
            raise Problem(400, "Invalid Idempotency-Key", "Use 1 to 200 characters", field="Idempotency-Key")
        # Serialises concurrent retries of one key: the second waits for the first and then sees its answer.
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{principal.tenant_id}:{principal.subject}:{key}"
        )
        row = await conn.fetchrow(
            f"SELECT request_hash, status, body FROM {self.table} WHERE tenant_id = $1 AND actor_id = $2 AND key = $3",
            principal.tenant_id,
            principal.subject,
            key,
        )
        if row is None:
            return None
        if row["request_hash"] != fingerprint:
            raise Problem(
                422, "Idempotency-Key reused", "This key was used for a different request", field="Idempotency-Key"
            )
        return row["status"], json.loads(row["body"])

    async def remember(
        self, conn: Connection, principal: Principal, key: str | None, fingerprint: str, status: int, body: Any
    ) -> None:
        if key is None:
            return
        await conn.execute(
            f"INSERT INTO {self.table} (tenant_id, actor_id, key, request_hash, status, body) "
            "VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
            principal.tenant_id,
            principal.subject,
            key,
            fingerprint,
            status,
            json.dumps(body, default=str),
        )
