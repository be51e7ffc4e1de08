"""Which fault, on what, and when: a schedule drawn from a seed, so a failing run can be repeated exactly."""

import random
from dataclasses import dataclass

WORKER_KILL = "worker kill -9"
WORKER_PAUSE = "worker paused past the session timeout"
BROKER_KILL = "broker kill -9 and restart"
DATABASE_CRASH = "PostgreSQL immediate shutdown and restart"
CONNECTIONS_TERMINATED = "PostgreSQL backends terminated"
KINDS = (WORKER_KILL, BROKER_KILL, DATABASE_CRASH, CONNECTIONS_TERMINATED, WORKER_PAUSE)
ON_A_WORKER = (WORKER_KILL, WORKER_PAUSE)


@dataclass(frozen=True)
class Fault:
    at_event: int
    """Injected once this many entries have been recorded (the writer waits for it there)."""
    kind: str
    service: str = ""
    """The worker kind hit (worker faults only)."""
    instance: int = 0


def draw(events: int, faults: int, seed: int, services: list[str], instances: int) -> list[Fault]:
    """`faults` faults spread over the run, one in each of `faults` equal slices at a random point of it. The kinds
    take turns in a shuffled order, so every kind comes up once `faults` reaches their number (a short run still
    tries each) and none dominates a long one."""
    rng = random.Random(seed)
    kinds = [KINDS[i % len(KINDS)] for i in range(faults)]
    rng.shuffle(kinds)
    width = events / (faults + 1)
    drawn = []
    for i, kind in enumerate(kinds):
        at = int(width * (i + 0.5) + rng.uniform(0, width))
        if kind in ON_A_WORKER:
            drawn.append(Fault(at, kind, rng.choice(services), rng.randrange(instances)))
        else:
            drawn.append(Fault(at, kind))
    return drawn
