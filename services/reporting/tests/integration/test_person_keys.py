"""Each person's own analytics key material in PostgreSQL (reporting.analytics_person_keys), as the analytics
stream's batches ask for it."""

import asyncio
from typing import Any
from uuid import uuid4

import pytest

from accord.devtools.testing import rolled_back
from accord.reporting.adapters.person_keys import PersonKeys
from accord.reporting.bootstrap import settings

pytestmark = pytest.mark.integration


async def test_material_is_made_once_and_then_read_back_in_one_statement_while_an_erased_persons_is_made_afresh(
    service_env: dict[str, str],
) -> None:
    known, new = uuid4(), uuid4()
    async with rolled_back(settings()) as conn:
        sent: list[str] = []

        def logged(query: Any) -> None:
            sent.append(query.query)

        keys = PersonKeys(conn, settings().db_schema)
        first = await keys.material("tenant-a", [known])
        conn.add_query_logger(logged)
        again = await keys.material("tenant-a", [known, known])
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not during
        assert again == first and len(first[known]) == 32
        assert len(sent) == 1  # everyone named has material already: read, nothing made
        sent.clear()
        both = await keys.material("tenant-a", [known, new])
        await asyncio.sleep(0)
        assert both[known] == first[known] and len(both[new]) == 32 and both[new] != first[known]
        assert len(sent) == 3  # read, the one without made, read back (a concurrent maker's would win)
        await keys.destroy("tenant-a", known)
        afresh = await keys.material("tenant-a", [known])
        assert afresh[known] != first[known]  # destroyed on erasure: the next event gets fresh material
        conn.remove_query_logger(logged)
