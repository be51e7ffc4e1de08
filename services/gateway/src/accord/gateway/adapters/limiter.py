"""Where token buckets live: in this process, or in Redis when several gateway instances share the limits."""

import time
from typing import Protocol

import redis.asyncio as redis

from accord.gateway.domain.ratelimit import Bucket, Verdict, take


class Limiter(Protocol):
    async def take(self, key: str, rate: float, burst: int) -> Verdict: ...

    async def check(self) -> None:
        """Raises when the store does not answer."""

    async def close(self) -> None: ...


class InProcessLimiter:
    def __init__(self) -> None:
        self.buckets: dict[str, Bucket] = {}

    async def take(self, key: str, rate: float, burst: int) -> Verdict:
        bucket, verdict = take(self.buckets.get(key), time.monotonic(), rate, burst)
        self.buckets[key] = bucket
        return verdict

    async def check(self) -> None:
        return None  # in this process: answers while the process does

    async def close(self) -> None:
        self.buckets.clear()


# The same arithmetic as domain.ratelimit.take, run atomically inside Redis so instances never race.
_TAKE = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
if allowed == 1 then return {1, 0} end
return {0, math.max(1, math.ceil((1 - tokens) / rate))}
"""


class RedisLimiter:
    def __init__(self, url: str) -> None:
        self.redis = redis.from_url(url)
        self.script = self.redis.register_script(_TAKE)

    async def take(self, key: str, rate: float, burst: int) -> Verdict:
        allowed, retry_after = await self.script(keys=[f"accord:ratelimit:{key}"], args=[rate, burst, time.time()])
        return Verdict(bool(allowed), int(retry_after))

    async def check(self) -> None:
        await self.redis.ping()

    async def close(self) -> None:
        await self.redis.aclose()
