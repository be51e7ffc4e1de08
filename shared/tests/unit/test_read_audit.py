"""Group commit of read audit rows: no read returns before its rows are stored, and reads in flight together share
one write."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import pytest

from accord.shared.audit import Audit, AuditEntry, ReadAudit
from accord.shared.auth import Principal
from accord.shared.events.contracts.common import Role


class FakeDatabase:
    """Stores rows after a short delay, like a round trip; can be told to fail the next write."""

    def __init__(self) -> None:
        self.writes: list[list[tuple[Any, ...]]] = []
        self.fail_next = False

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator["FakeDatabase"]:
        yield self

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        await asyncio.sleep(0.01)
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("database went away")
        self.writes.append(rows)

    def stored(self) -> list[tuple[Any, ...]]:
        return [row for write in self.writes for row in write]


def reader() -> Principal:
    return Principal(subject=uuid4(), tenant_id="t", roles=frozenset({Role.CLIENT}))


def entry() -> AuditEntry:
    return AuditEntry("read progress", "goal", uuid4(), uuid4())


async def test_each_read_returns_only_after_its_row_is_stored_and_concurrent_reads_share_writes() -> None:
    db = FakeDatabase()
    audit = ReadAudit(Audit("progress"), db)  # type: ignore[arg-type]

    async def read() -> None:
        e = entry()
        await audit.record(reader(), [e])
        assert str(e.resource_id) in {row[5] for row in db.stored()}

    await asyncio.gather(*(read() for _ in range(50)))
    assert len(db.stored()) == 50
    assert len(db.writes) <= 3  # the first alone, the rest gathered while it was in flight


async def test_a_failed_write_fails_the_reads_waiting_on_it_and_the_next_batch_is_written() -> None:
    db = FakeDatabase()
    audit = ReadAudit(Audit("progress"), db)  # type: ignore[arg-type]
    db.fail_next = True
    outcomes = await asyncio.gather(*(audit.record(reader(), [entry()]) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)
    await audit.record(reader(), [entry()])
    assert len(db.stored()) == 1


async def test_a_reader_that_gives_up_does_not_cancel_the_write_of_the_others() -> None:
    db = FakeDatabase()
    audit = ReadAudit(Audit("progress"), db)  # type: ignore[arg-type]
    quitter = asyncio.create_task(audit.record(reader(), [entry()]))
    stayer = asyncio.create_task(audit.record(reader(), [entry()]))
    await asyncio.sleep(0)
    quitter.cancel()
    await stayer
    with pytest.raises(asyncio.CancelledError):
        await quitter
    assert len(db.stored()) == 2
