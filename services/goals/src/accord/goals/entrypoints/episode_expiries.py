"""The removals at the end of the clinical retention period (`GET /goals/episode-expiries`): for a supervisor, the
episodes of their teams removed, newest first, each with every service's report of its own removal (ids and times
only: nothing of what was removed). Keyset paging (`cursor`, `limit`); each removal answered is audited as read."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from accord.goals.adapters.clinical_retention import ClinicalRecords
from accord.goals.domain.clinical_retention import REMOVED_BY, EpisodeExpiry, RemovalsRefused
from accord.goals.entrypoints.api import Limit
from accord.goals.entrypoints.erasure import ServiceCompletion
from accord.goals.handlers.clinical_retention import removals_for
from accord.shared.api import ResourcesDep
from accord.shared.audit import Audit, AuditEntry
from accord.shared.auth import CurrentPrincipal
from accord.shared.pagination import Page, time_and_id, time_and_id_cursor
from accord.shared.problems import Problem

router = APIRouter(tags=["retention"])
RESOURCE = "episode_expiry"


class EpisodeExpiryPublic(BaseModel):
    episode_id: UUID
    client_id: UUID
    expired_at: datetime
    services: list[ServiceCompletion] = Field(
        description="each service: whether (`applied`) and when it reported its records of the episode removed"
    )
    complete: bool

    @classmethod
    def of(cls, e: EpisodeExpiry) -> "EpisodeExpiryPublic":
        return cls(
            episode_id=e.episode_id,
            client_id=e.client_id,
            expired_at=e.expired_at,
            services=ServiceCompletion.each(e.removed, REMOVED_BY),
            complete=e.complete,
        )


@router.get("/goals/episode-expiries", response_model=Page[EpisodeExpiryPublic])
async def episode_expiries(
    res: ResourcesDep,
    me: CurrentPrincipal,
    cursor: str | None = None,
    limit: Limit = 20,
) -> Page[EpisodeExpiryPublic]:
    """The episodes of the supervisor's teams removed at the end of their clinical retention period, newest first,
    with each service's report of its removal. Anyone but a supervisor: 403."""
    schema = res.settings.db_schema
    try:
        async with res.pool.acquire() as conn, conn.transaction():
            found = await removals_for(ClinicalRecords(conn, schema), me, time_and_id(cursor), limit + 1)
            page = found[:limit]
            entries = [AuditEntry("read", RESOURCE, e.episode_id, e.client_id) for e in page]
            await Audit(schema).record_many(conn, me, entries)
    except RemovalsRefused as refused:
        await Audit(schema).denied(res.pool, me, "read", RESOURCE, None, None, str(refused))
        raise Problem(403, "Forbidden", "Only a supervisor follows the removals of records") from None
    last = page[-1] if len(found) > limit else None
    next_cursor = None if last is None else time_and_id_cursor(last.expired_at, last.episode_id)
    return Page(items=[EpisodeExpiryPublic.of(e) for e in page], next_cursor=next_cursor)
