"""Runs a command or a query in one transaction (or a command in one guarded statement, `at_once`): idempotency, the
domain change, its outbox events and its audit rows commit together; a refusal is audited in a transaction of its
own and answered as problem+json."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from accord.shared.audit import Audit, AuditEntry
from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodesRead
from accord.shared.errors import TITLES, Conflict, DomainError, Invalid, NotYetKnown, status_of
from accord.shared.events import Envelope, IntegrationEvent
from accord.shared.idempotency import Idempotency, request_fingerprint
from accord.shared.metrics import WRITES_TAKEN_AGAIN
from accord.shared.problems import Problem
from accord.shared.runtime import Resources

T = TypeVar("T")
# A handler looks a client-supplied id up within its tenant only; the same id taken in another tenant (or by a
# request racing this one) is found by the database's unique key instead. The same answer as a taken id in the
# tenant, and no more: which tenant holds it is not said.
TAKEN = "this id is already used"


@dataclass(frozen=True)
class AuditNote:
    action: str
    resource_type: str
    resource_id: UUID
    client_id: UUID | None  # None: the resource is not known here (a refusal that must not reveal whose it is)

    def entry(self, *, refused_because: str | None = None) -> AuditEntry:
        return AuditEntry(
            self.action,
            self.resource_type,
            self.resource_id,
            self.client_id,
            allowed=refused_because is None,
            reason=refused_because,
        )


@dataclass(frozen=True)
class GuardedWrite:
    """A command's change as the WITH items of one statement, written only if what the command read is unchanged.

    `ctes` are the items, their parameters numbered from $1 (`params`). One of them, named `guard`, takes the one row
    the change depends on (an UPDATE) only while it is as the command read it, and returns it; every other item
    writes only `WHERE EXISTS (SELECT FROM guard)`. The runner adds the command's outbox and audit rows to the same
    statement under the same guard (`CommandRunner.execute` with `at_once`)."""

    ctes: str
    params: list[Any]


@dataclass
class CommandContext:
    """What every handler collects while it works: events to publish and accesses to audit."""

    actor: Principal
    events: list[IntegrationEvent] = field(default_factory=list)
    audit: list[AuditNote] = field(default_factory=list)
    attempted: AuditNote | None = None
    """What is being attempted, so that a refusal can be audited too."""
    denied: list[tuple[AuditNote, str]] = field(default_factory=list)
    """Refused parts of a request that otherwise goes ahead (an item of a batch), with the reason: audited in the
    request's own transaction."""
    episodes_read: EpisodesRead = field(default_factory=EpisodesRead)
    """Episodes and keys read by the command (a goal's, with the goal under its lock, or read with its row version
    when written at once), so that sealing its events asks for them no second time."""

    def write_at_once(self) -> None:
        """From now on, reads take no lock and the change is kept for one guarded statement (`guarded_write`)."""
        raise NotImplementedError(f"{type(self).__name__}'s changes are written in their transaction only")

    def guarded_write(self) -> GuardedWrite | None:
        """The change kept by a context that writes at once; None when the command changed nothing."""
        return None

    def touching(self, action: str, resource_type: str, resource_id: UUID, client_id: UUID | None) -> None:
        note = AuditNote(action, resource_type, resource_id, client_id or resource_id)
        self.attempted = note
        if client_id is not None:
            self.audit.append(note)


C = TypeVar("C", bound=CommandContext)


class CommandRunner(Generic[C]):
    def __init__(self, service: str, new_context: Callable[[Resources[Any], Connection, Principal], C]) -> None:
        self.service = service
        self.new_context = new_context
        self.audit, self.idempotency = Audit(service), Idempotency(service)

    async def execute(
        self,
        res: Resources[Any],
        principal: Principal,
        request: Request,
        handler: Callable[[C, Any], Awaitable[T]],
        command: object,
        render: Callable[[T], tuple[Any, dict[str, str]]],
        *,
        status: int = 200,
        body: Any = None,
        at_once: bool = False,
    ) -> JSONResponse:
        """The request in one transaction; or, `at_once`, first in one statement (`_at_once`), and in the transaction
        only when that wrote nothing."""
        key = request.headers.get("idempotency-key")
        if at_once and not key:
            answered = await self._at_once(res, principal, handler, command, render, status)
            if answered is not None:
                return answered
        fingerprint = request_fingerprint(request.method, request.url.path, body) if key else ""
        async with res.pool.acquire() as conn:
            ctx = self.new_context(res, conn, principal)
            try:
                async with conn.transaction():
                    if (stored := await self.idempotency.replay(conn, principal, key, fingerprint)) is not None:
                        return JSONResponse(stored[1], status_code=stored[0])
                    result = await handler(ctx, command)
                    content, headers = render(result)
                    content = _encoded(content)
                    # The answer is encoded before the commit: if it cannot be sent (a value JSON cannot hold), the
                    # change is rolled back with it rather than committed behind a 500 and unreadable ever after.
                    response = JSONResponse(content, status_code=status, headers=headers)
                    await self.publish_and_audit(conn, res, ctx)
                    await self.idempotency.remember(conn, principal, key, fingerprint, status, content)
            except DomainError as exc:
                raise await self.refusal(res, ctx, exc) from exc
            except asyncpg.UniqueViolationError as exc:
                raise await self.refusal(res, ctx, Conflict(TAKEN)) from exc
        return response

    async def _at_once(
        self,
        res: Resources[Any],
        principal: Principal,
        handler: Callable[[C, Any], Awaitable[T]],
        command: object,
        render: Callable[[T], tuple[Any, dict[str, str]]],
        status: int,
    ) -> JSONResponse | None:
        """The request in one statement instead of a transaction, for a handler whose context can keep its change for
        later (`CommandContext.write_at_once`). Its reads take no lock; its change, events and audit rows are written
        by one statement, and only if the row the change depends on is as the handler read it (`GuardedWrite`). That
        saves the transaction's BEGIN and COMMIT and one write's round trip; a statement is atomic on its own.

        None when nothing was written, and `execute` goes on in a transaction: the row changed between the read and
        the write (a write to the same goal, its status), or an id the change uses was taken meanwhile. The
        transaction waits for its lock and decides on what is there, as if the request had come a moment later. A
        request with an Idempotency-Key is not taken here (its stored answer needs the transaction). A refusal is
        answered here, as the transaction answers it."""
        async with res.pool.acquire() as conn:
            ctx = self.new_context(res, conn, principal)
            ctx.write_at_once()
            try:
                result = await handler(ctx, command)
                content, headers = render(result)
                # Encoded before the write, as in `execute`: an answer that cannot be sent changes nothing.
                response = JSONResponse(_encoded(content), status_code=status, headers=headers)
                if not await self.write_guarded(conn, res, ctx):
                    WRITES_TAKEN_AGAIN.labels(self.service, "changed").inc()
                    return None
            except DomainError as exc:
                raise await self.refusal(res, ctx, exc) from exc
            except asyncpg.UniqueViolationError:
                # Nothing was written; `execute` finds what took the id and answers as it does.
                WRITES_TAKEN_AGAIN.labels(self.service, "id_taken").inc()
                return None
        return response

    async def write_guarded(self, conn: Connection, res: Resources[Any], ctx: C) -> bool:
        """The context's kept change with its events and audit rows, in one statement: whether it was written (False:
        the guard's row had changed, and nothing was). A command that changed nothing (a resend answered from what
        is stored) writes only its audit rows."""
        write = ctx.guarded_write()
        if write is None:
            if ctx.events:
                raise RuntimeError("events with no change to write them with")
            await self.audit.record_many(conn, ctx.actor, self.audit_entries(ctx))
            return True
        events = [Envelope.wrap(e, producer=self.service, tenant_id=ctx.actor.tenant_id) for e in ctx.events]
        return await self.audit.record_guarded(
            conn, ctx.actor, self.audit_entries(ctx), res.outbox, events, (write.ctes, write.params), ctx.episodes_read
        )

    async def attempt(
        self, res: Resources[Any], principal: Principal, handler: Callable[[C, Any], Awaitable[T]], command: object
    ) -> T | Problem:
        """One command in its own transaction, without HTTP: the result, or the problem a refusal becomes.
        For batches, where one item's refusal must not undo the others."""
        async with res.pool.acquire() as conn:
            ctx = self.new_context(res, conn, principal)
            try:
                async with conn.transaction():
                    result = await handler(ctx, command)
                    await self.publish_and_audit(conn, res, ctx)
                    return result
            except DomainError as exc:
                return await self.refusal(res, ctx, exc)
            except asyncpg.UniqueViolationError:
                return await self.refusal(res, ctx, Conflict(TAKEN))

    async def query(self, res: Resources[Any], principal: Principal, read: Callable[[C], Awaitable[T]]) -> T:
        """A read, audited. No explicit transaction: a read's statements change nothing. Its audit rows are stored
        before the answer leaves, together with those of the reads in flight beside it (see ReadAudit)."""
        async with res.pool.acquire() as conn:
            ctx = self.new_context(res, conn, principal)
            try:
                result = await read(ctx)
            except DomainError as exc:
                raise await self.refusal(res, ctx, exc) from exc
        await res.read_audit.record(ctx.actor, self.audit_entries(ctx))
        return result

    async def publish_and_audit(self, conn: Connection, res: Resources[Any], ctx: C) -> None:
        """The command's events into the outbox and its audit rows, in its transaction, in one round trip."""
        events = [Envelope.wrap(e, producer=self.service, tenant_id=ctx.actor.tenant_id) for e in ctx.events]
        await self.audit.record_many_with_events(
            conn, ctx.actor, self.audit_entries(ctx), res.outbox, events, ctx.episodes_read
        )

    @staticmethod
    def audit_entries(ctx: C) -> list[AuditEntry]:
        entries = [note.entry() for note in dict.fromkeys(ctx.audit)]  # each distinct access once
        return entries + [note.entry(refused_because=reason) for note, reason in ctx.denied]

    async def refusal(self, res: Resources[Any], ctx: C, exc: DomainError) -> Problem:
        """The refusal's audit rows, in a transaction of their own (the request's was rolled back): the denials the
        handler noted, or else what was being attempted when the refusal hides or forbids something."""
        denials = [note.entry(refused_because=reason) for note, reason in ctx.denied]
        hidden = isinstance(exc, NotYetKnown) and exc.hidden
        if not denials and (status_of(exc) in (403, 404) or hidden) and ctx.attempted is not None:
            denials = [ctx.attempted.entry(refused_because=type(exc).__name__)]
        if denials:
            async with res.pool.acquire() as conn:
                await self.audit.record_many(conn, ctx.actor, denials)
        return problem_for(exc)


def _encoded(content: Any) -> Any:
    """The answer's JSON-ready form: a model dumped as jsonable_encoder would (JSON mode, by alias) without its
    second walk over the dumped values (~0.15 ms a write under cProfile)."""
    if isinstance(content, BaseModel):
        return content.model_dump(mode="json", by_alias=True)
    return jsonable_encoder(content)


def problem_for(exc: DomainError) -> Problem:
    """The problem+json answer to a refusal."""
    status = status_of(exc)
    extra: dict[str, Any] = {"field": exc.field} if isinstance(exc, Invalid) else {}
    headers = {}
    if isinstance(exc, NotYetKnown):
        extra["retryable"] = True
        headers["Retry-After"] = "5"
    return Problem(status, TITLES[status], str(exc), headers=headers, **extra)
