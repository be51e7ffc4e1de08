"""GET /api/v1/me/overview: my goals, their progress and my unread notifications in one answer, fetched in
parallel; when a service is down the rest still comes back, with what is missing named."""

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from accord.gateway.adapters.upstreams import UpstreamFailed, Upstreams
from accord.gateway.entrypoints.proxy import admitted

router = APIRouter(tags=["overview"])
MAX_EPISODES, MAX_GOALS = 5, 10


class Overview(BaseModel):
    goals: list[dict[str, Any]] | None = Field(description="active goals in my care episodes; null if unavailable")
    progress: dict[str, dict[str, Any]] | None = Field(description="progress per goal id; null if unavailable")
    unread_notifications: int | None
    missing: list[str] = Field(description="the parts that could not be fetched just now")


def _id(value: Any) -> str:
    """An identifier from a service's answer, as one path segment (upstreams.send passes paths on as given)."""
    return quote(str(value), safe="")


class _Unavailable(Exception):
    pass


async def _get(upstreams: Upstreams, headers: Mapping[str, str], service: str, path: str, query: str = "") -> Any:
    try:
        answer = await upstreams.send(service, "GET", path, headers=headers, query=query.encode())
    except UpstreamFailed as exc:
        raise _Unavailable(service) from exc
    if answer.status != 200:
        raise _Unavailable(service)
    return answer.json()


async def _goals(upstreams: Upstreams, headers: Mapping[str, str]) -> list[dict[str, Any]]:
    episodes = (await _get(upstreams, headers, "goals", "/episodes", f"limit={MAX_EPISODES}"))["items"]
    pages = await asyncio.gather(
        *(
            _get(
                upstreams,
                headers,
                "goals",
                f"/episodes/{quote(str(e['episode_id']), safe='')}/goals",
                f"status=active&limit={MAX_GOALS}",
            )
            for e in episodes
        )
    )
    return [goal for page in pages for goal in page["items"]][:MAX_GOALS]


async def _progress(upstreams: Upstreams, headers: Mapping[str, str], goals: list[dict[str, Any]]) -> dict[str, Any]:
    found = await asyncio.gather(
        *(_get(upstreams, headers, "progress", f"/progress/goals/{_id(g['goal_id'])}") for g in goals),
        return_exceptions=True,
    )
    if goals and all(isinstance(f, BaseException) for f in found):
        raise _Unavailable("progress")
    return {g["goal_id"]: f for g, f in zip(goals, found, strict=True) if not isinstance(f, BaseException)}


@router.get("/api/v1/me/overview", response_model=Overview)
async def overview(request: Request) -> Overview:
    await admitted(request)
    return await compose(request.app.state.upstreams, request.headers)


async def compose(upstreams: Upstreams, headers: Mapping[str, str]) -> Overview:
    """The overview for whoever `headers` authenticate (their bearer token): each service authorizes and audits its
    own part. Also what the first screen the gateway renders is read from (first_screen.py)."""
    goals_task = asyncio.create_task(_goals(upstreams, headers))
    unread_task = asyncio.create_task(_get(upstreams, headers, "notifications", "/notifications/inbox/unread-count"))
    missing: list[str] = []
    goals: list[dict[str, Any]] | None
    progress: dict[str, Any] | None = None
    try:
        goals = await goals_task
    except _Unavailable:
        goals, missing = None, ["goals", "progress"]
    if goals is not None:
        try:
            progress = await _progress(upstreams, headers, goals)
        except _Unavailable:
            missing.append("progress")
    try:
        unread = (await unread_task)["unread"]
    except (_Unavailable, KeyError, TypeError):
        unread = None
        missing.append("notifications")
    return Overview(goals=goals, progress=progress, unread_notifications=unread, missing=missing)
