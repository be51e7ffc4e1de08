"""Where browser sessions live: in this process, or in Redis when several gateways share them.

Keys are a SHA-256 of the session id, so the store never holds a cookie value that could be replayed. A session is
two parts: its tokens (written at sign-in and on a refresh, under the session's lock) and the time it was last
seen (written on every request): a request that only marks the session seen can never put back tokens that a
concurrent refresh has just replaced."""

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import redis.asyncio as redis

from accord.gateway.domain.sessions import PendingLogin, Session


def store_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore(Protocol):
    async def load(self, session_id: str) -> Session | None: ...

    async def save(self, session_id: str, session: Session, ttl_seconds: float) -> None: ...

    async def touch(self, session_id: str, seen_at: float, ttl_seconds: float) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    async def put_pending(self, state: str, pending: PendingLogin, ttl_seconds: float) -> None: ...

    async def take_pending(self, state: str) -> PendingLogin | None:
        """Once only: a second callback with the same state finds nothing."""
        ...

    def lock(self, session_id: str) -> AbstractAsyncContextManager[None]:
        """Held while the session's access token is refreshed, so concurrent requests refresh it once."""
        ...

    async def close(self) -> None: ...


def _tokens_part(session: Session) -> str:
    data = session.to_json()
    del data["last_seen_at"]
    return json.dumps(data)


def _session_of(tokens: str, seen_at: float) -> Session:
    return Session.from_json({**json.loads(tokens), "last_seen_at": seen_at})


class InProcessSessionStore:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.sessions: dict[str, tuple[str, float, float]] = {}  # key -> (tokens, seen_at, gone_at)
        self.pending: dict[str, tuple[PendingLogin, float]] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    async def load(self, session_id: str) -> Session | None:
        key = store_key(session_id)
        found = self.sessions.get(key)
        if found is None or self.clock() >= found[2]:
            self.sessions.pop(key, None)
            return None
        return _session_of(found[0], found[1])

    async def save(self, session_id: str, session: Session, ttl_seconds: float) -> None:
        key = store_key(session_id)
        if key not in self.sessions:
            self._forget_ended()
        self.sessions[key] = (_tokens_part(session), session.last_seen_at, self.clock() + ttl_seconds)

    async def touch(self, session_id: str, seen_at: float, ttl_seconds: float) -> None:
        key = store_key(session_id)
        if (found := self.sessions.get(key)) is not None:
            self.sessions[key] = (found[0], seen_at, self.clock() + ttl_seconds)

    async def delete(self, session_id: str) -> None:
        key = store_key(session_id)
        self.sessions.pop(key, None)
        self.locks.pop(key, None)

    async def put_pending(self, state: str, pending: PendingLogin, ttl_seconds: float) -> None:
        self._forget_stale_pending()
        self.pending[store_key(state)] = (pending, self.clock() + ttl_seconds)

    async def take_pending(self, state: str) -> PendingLogin | None:
        found = self.pending.pop(store_key(state), None)
        return found[0] if found is not None and self.clock() < found[1] else None

    @asynccontextmanager
    async def _locked(self, session_id: str) -> AsyncIterator[None]:
        async with self.locks.setdefault(store_key(session_id), asyncio.Lock()):
            yield

    def lock(self, session_id: str) -> AbstractAsyncContextManager[None]:
        return self._locked(session_id)

    def _forget_ended(self) -> None:
        """Sessions nobody came back to must not pile up: swept whenever a new one starts."""
        now = self.clock()
        for key in [k for k, (_, _, gone_at) in self.sessions.items() if now >= gone_at]:
            del self.sessions[key]
            self.locks.pop(key, None)

    def _forget_stale_pending(self) -> None:
        """Logins that were started and never finished must not pile up."""
        now = self.clock()
        for key in [k for k, (_, gone_at) in self.pending.items() if now >= gone_at]:
            del self.pending[key]

    async def close(self) -> None:
        self.sessions.clear()
        self.pending.clear()


class RedisSessionStore:
    PREFIX = "accord:session:"

    def __init__(self, url: str, lock_timeout_seconds: float = 15.0) -> None:
        self.redis = redis.from_url(url)
        self.lock_timeout = lock_timeout_seconds

    def _key(self, session_id: str) -> str:
        return f"{self.PREFIX}{store_key(session_id)}"

    async def load(self, session_id: str) -> Session | None:
        found = await self.redis.hgetall(self._key(session_id))
        tokens, seen = found.get(b"tokens"), found.get(b"seen")
        if not isinstance(tokens, bytes) or not isinstance(seen, bytes):
            return None  # gone, or only a late `touch` of a session that had been deleted
        return _session_of(tokens.decode(), float(seen))

    async def save(self, session_id: str, session: Session, ttl_seconds: float) -> None:
        key = self._key(session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"tokens": _tokens_part(session), "seen": repr(session.last_seen_at)})
            pipe.expire(key, max(1, int(ttl_seconds + 0.999)))
            await pipe.execute()

    async def touch(self, session_id: str, seen_at: float, ttl_seconds: float) -> None:
        key = self._key(session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, "seen", repr(seen_at))
            pipe.expire(key, max(1, int(ttl_seconds + 0.999)))
            await pipe.execute()

    async def delete(self, session_id: str) -> None:
        await self.redis.delete(self._key(session_id))

    async def put_pending(self, state: str, pending: PendingLogin, ttl_seconds: float) -> None:
        await self.redis.set(
            f"accord:login:{store_key(state)}", json.dumps(pending.to_json()), ex=max(1, int(ttl_seconds))
        )

    async def take_pending(self, state: str) -> PendingLogin | None:
        found = await self.redis.getdel(f"accord:login:{store_key(state)}")
        return PendingLogin.from_json(json.loads(found)) if found else None

    @asynccontextmanager
    async def _locked(self, session_id: str) -> AsyncIterator[None]:
        lock = self.redis.lock(
            f"accord:session-lock:{store_key(session_id)}",
            timeout=self.lock_timeout,
            blocking_timeout=self.lock_timeout,
        )
        async with lock:
            yield

    def lock(self, session_id: str) -> AbstractAsyncContextManager[None]:
        return self._locked(session_id)

    async def close(self) -> None:
        await self.redis.aclose()
