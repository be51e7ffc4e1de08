"""Several instances of each worker kind, each its own process in its kind's consumer group, that a campaign can
kill, pause and start again (it stands in for the supervisor that restarts a dead worker)."""

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from accord.devtools.infra.ports import free_port
from accord.devtools.infra.services import spawn


@dataclass
class Instance:
    service: str
    number: int
    log: Path
    metrics_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    duplicates_seen: int = 0
    """Duplicate deliveries its inbox absorbed, as its own counter said when last asked (this life)."""
    duplicates_before: int = 0
    """The same, summed over its earlier lives (a counter starts again at 0 with the process)."""

    @property
    def name(self) -> str:
        return f"{self.service}-worker-{self.number}"

    def start(self, env: dict[str, str]) -> None:
        argv = [f"accord-{self.service}", "worker", "--metrics-port", str(self.metrics_port)]
        self.process = spawn(argv, env, self.log)
        self.starts += 1
        self.new_life()

    def new_life(self) -> None:
        """The new process's counter starts at 0: what the last one said when last asked is kept."""
        self.duplicates_before += self.duplicates_seen
        self.duplicates_seen = 0

    @property
    def duplicates(self) -> int:
        """Duplicate deliveries absorbed over all its lives, as far as known."""
        return self.duplicates_before + self.duplicates_seen

    async def ask_duplicates(self, client: httpx.AsyncClient) -> None:
        """Reads `accord_consumer_events_total{outcome="duplicate"}` from its metrics: events its inbox already held,
        so applied nothing (a redelivery after a fault). A worker that does not answer (paused, dead) keeps the last
        count; the campaign asks all of them before each fault, so a kill loses at most what came in between."""
        try:
            answer = await client.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2)
        except httpx.TransportError:
            return
        if answer.status_code != 200:
            return
        self.duplicates_seen = int(
            sum(
                sample.value
                for family in text_string_to_metric_families(answer.text)
                for sample in family.samples
                if sample.name == "accord_consumer_events_total" and sample.labels.get("outcome") == "duplicate"
            )
        )

    def kill(self) -> None:
        """kill -9: no goodbye to the group, no chance to finish the batch in hand or mark it sent."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)

    def pause(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.resume()  # a stopped process would not act on SIGTERM
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()

    async def ready(self, client: httpx.AsyncClient) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            answer = await client.get(f"http://127.0.0.1:{self.metrics_port}/ready", timeout=2)
        except httpx.TransportError:
            return False
        return answer.status_code == 200


@dataclass
class Fleet:
    env: dict[str, str]
    instances: list[Instance]

    @classmethod
    def of(cls, counts: dict[str, int], env: dict[str, str], logs: Path) -> "Fleet":
        """`counts`: how many instances of each service's worker."""
        logs.mkdir(parents=True, exist_ok=True)
        return cls(env, [Instance(s, n, logs / f"{s}-worker-{n}.log") for s, c in counts.items() for n in range(c)])

    def one(self, service: str, number: int) -> Instance:
        return next(i for i in self.instances if i.service == service and i.number == number)

    def start(self) -> None:
        for instance in self.instances:
            instance.start(self.env)

    def exited(self) -> list[str]:
        """Instances whose process ended without the campaign killing it: a worker must never give up."""
        return [i.name for i in self.instances if i.process is None or i.process.poll() is not None]

    async def start_ready(self, timeout: float) -> None:
        """Starts every instance and waits until all are ready. One that exits at once is given another metrics port
        and started again (twice at most): on a shared machine the free port drawn for it can be taken by someone
        else before it binds it. Only here: later, a worker that exits is a failure the campaign reports."""
        self.start()
        for _ in range(2):
            await self.all_ready(timeout, until_one_exits=True)
            dead = [i for i in self.instances if i.process is None or i.process.poll() is not None]
            if not dead:
                return
            for instance in dead:
                instance.metrics_port = free_port()
                instance.start(self.env)
        await self.all_ready(timeout)

    async def all_ready(self, timeout: float, *, until_one_exits: bool = False) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                ready = await asyncio.gather(*(i.ready(client) for i in self.instances))
                if all(ready):
                    return
                if until_one_exits and self.exited():
                    return
                if time.monotonic() > deadline:
                    waiting = [i.name for i, ok in zip(self.instances, ready, strict=True) if not ok]
                    raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(waiting)}")
                await asyncio.sleep(0.2)

    async def duplicates_absorbed(self) -> dict[str, int]:
        """Per service: duplicate deliveries its workers' inboxes absorbed so far (see Instance.ask_duplicates)."""
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(i.ask_duplicates(client) for i in self.instances))
        totals: dict[str, int] = {}
        for i in self.instances:
            totals[i.service] = totals.get(i.service, 0) + i.duplicates
        return totals

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()
