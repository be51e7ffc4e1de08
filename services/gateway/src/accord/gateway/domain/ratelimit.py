"""Token buckets: `rate` tokens a second up to `burst`; a request takes one or waits `retry_after` seconds."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    tokens: float
    updated_at: float


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds, as Retry-After wants


def take(bucket: Bucket | None, now: float, rate: float, burst: int) -> tuple[Bucket, Verdict]:
    tokens = burst if bucket is None else min(burst, bucket.tokens + (now - bucket.updated_at) * rate)
    if tokens >= 1:
        return Bucket(tokens - 1, now), Verdict(True, 0)
    return Bucket(tokens, now), Verdict(False, max(1, math.ceil((1 - tokens) / rate)))
