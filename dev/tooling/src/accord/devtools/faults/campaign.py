"""Drives events through the real pipeline while injecting faults, then checks the end state by counting.

The writer adds GoalPaused events to the goals service's outbox in transactions of `batch` (the write path every
goals command takes: its change and its events in one transaction); the goals workers relay them to Kafka; the
progress, notifications and reporting workers consume them, `instances` of each kind in one consumer group. Faults
come from a seeded schedule (schedule.py), one at a time: the writer waits at a fault's point until it has been
injected, so faults stay spread over the run however fast the pipeline is, and writing goes on while a fault lasts.
"""

import asyncio
import contextlib
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import asyncpg

from accord.devtools.faults import invariants, poison, schedule, servers
from accord.devtools.faults.fleet import Fleet
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.services import new_vapid_key
from accord.devtools.testing import goal_paused
from accord.shared.outbox import Outbox

SESSION_TIMEOUT_SECONDS = 10.0
"""aiokafka's default consumer session timeout, which the services keep: a pause longer than this has the group
give the paused instance's partitions to the others."""
RECOVERY_TIMEOUT = 180.0
# InternalClientError: asyncpg's protocol left mid-operation by a connection cut under it (seen after a crash).
_DATABASE_AWAY = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, TimeoutError)


@dataclass
class Options:
    events: int
    faults: int
    seed: int
    home: Path
    instances: int = 3
    batch: int = 200
    clients: int = 1000
    services: list[str] = field(default_factory=lambda: ["goals", *invariants.CONSUMERS])
    poison: int = 0
    """Messages no consumer can read, slipped into the outbox spread over the run: each must be dead-lettered once
    by every consumer group, and nothing else."""
    read_topic: bool = False
    """Read the whole topic afterwards to count each event's publications (invariants.count)."""
    say: Callable[[str], None] = print


@dataclass
class Injected:
    fault: schedule.Fault
    recovery_seconds: float | None
    """None: not recovered within RECOVERY_TIMEOUT."""


@dataclass
class Result:
    options: Options
    injected: list[Injected]
    counts: invariants.Counts
    seconds: float
    writing_seconds: float
    unconfirmed_commits: int
    exited: list[str]

    def problems(self) -> list[str]:
        found = self.counts.problems()
        found += [f"{name} exited by itself" for name in self.exited]
        slow = [i for i in self.injected if i.recovery_seconds is None]
        if slow:
            found.append(f"{len(slow)} faults not recovered within {RECOVERY_TIMEOUT:.0f} s")
        if len(self.injected) != self.options.faults:
            found.append(f"only {len(self.injected)} of {self.options.faults} faults were injected")
        if self.counts.written < self.options.events:
            found.append(f"only {self.counts.written} of {self.options.events} events were written")
        return found

    def summary(self) -> str:
        c, kinds = self.counts, Counter(i.fault.kind for i in self.injected)
        lines = [
            f"events written: {c.written:,} (asked {self.options.events:,}; {self.unconfirmed_commits} commits "
            f"unconfirmed, counted from the outbox), and {c.poison} poison messages",
            f"published to {invariants.TOPIC}: {c.published:,} ({c.republished:,} again after a fault, "
            "each absorbed by every inbox)",
            *([f"most publications of one event: {c.most_copies}"] if c.most_copies is not None else []),
            "consumed: " + ", ".join(f"{s} {n:,}" for s, n in c.consumed.items()),
            "lost: " + ", ".join(f"{w} {n}" for w, n in c.missing.items()),
            "applied twice: " + ", ".join(f"{w} {n}" for w, n in c.repeated.items()),
            "applied out of per-client order: " + ", ".join(f"{w} {n}" for w, n in c.out_of_order.items()),
            "dead letters (poison included): " + ", ".join(f"{t} {n}" for t, n in c.dead_letters.items()),
            f"time: {self.seconds:.0f} s in all, writing {self.writing_seconds:.0f} s; "
            f"throughput {c.written / self.seconds:,.0f} events/s end to end",
            f"faults: {len(self.injected)}",
        ]
        for kind, n in sorted(kinds.items()):
            times = sorted(i.recovery_seconds for i in self.injected if i.fault.kind == kind and i.recovery_seconds)
            late = n - len(times)
            spread = f"{times[len(times) // 2]:.1f} s median, {times[-1]:.1f} s at most" if times else "-"
            lines.append(f"  {kind}: {n}, recovered in {spread}" + (f"; {late} not in time" if late else ""))
        problems = self.problems()
        lines.append("invariants: " + ("all hold" if not problems else "BROKEN: " + "; ".join(problems)))
        return "\n".join(lines)


@dataclass
class _Progress:
    written: int = 0
    unconfirmed: int = 0
    next_fault: int = 0  # index in the schedule of the first fault not yet injected
    started: float = field(default_factory=time.monotonic)


def worker_env(running: servers.Servers) -> dict[str, str]:
    return {
        **os.environ,
        **running.infra.service_env(),
        **DevIdentityProvider().env(),
        "ACCORD_ENVIRONMENT": "test",
        "ACCORD_LOG_JSON": "true",
        "ACCORD_NOTIFICATIONS_SMTP_PORT": str(free_port()),  # no e-mail is due for a goal nobody shares
        "ACCORD_NOTIFICATIONS_VAPID_PRIVATE_KEY": new_vapid_key(),
    }


async def run(options: Options) -> Result:
    say = options.say
    faults = schedule.draw(options.events, options.faults, options.seed, options.services, options.instances)
    say(f"starting a secured Kafka and PostgreSQL under {options.home}")
    setup = time.monotonic()
    running = await asyncio.to_thread(servers.start, options.home)
    say(f"servers ready and provisioned in {time.monotonic() - setup:.0f} s")
    fleet = Fleet.of(options.services, options.instances, worker_env(running), options.home / "logs")
    try:
        setup = time.monotonic()
        await asyncio.to_thread(fleet.start)
        await fleet.all_ready(RECOVERY_TIMEOUT)
        say(
            f"{len(fleet.instances)} workers ready in {time.monotonic() - setup:.0f} s: "
            f"{options.instances} each of {', '.join(options.services)}"
        )
        began = time.monotonic()
        progress = _Progress(started=began)
        reporter = asyncio.create_task(_report(running, options, progress, faults))
        injector = asyncio.create_task(_inject_all(running, fleet, faults, progress, say))
        try:
            await _write(running.infra.service_urls[invariants.WRITER], options, progress, faults, injector)
            writing = time.monotonic() - began
            injected = await injector
            await _drain(running, options)
        finally:
            reporter.cancel()
            injector.cancel()
        seconds = time.monotonic() - began
        counts = await invariants.count(
            running.accord_url,
            running.infra.bootstrap_servers,
            running.infra.kafka_admin_options(),
            [s for s in options.services if s in invariants.CONSUMERS],
            options.read_topic,
        )
        return Result(options, injected, counts, seconds, writing, progress.unconfirmed, fleet.exited())
    finally:
        await asyncio.to_thread(fleet.stop)
        await asyncio.to_thread(running.stop)


async def _write(
    url: str, options: Options, progress: _Progress, faults: list[schedule.Fault], injector: asyncio.Task[object]
) -> None:
    rng = random.Random(options.seed)
    clients = [UUID(int=rng.getrandbits(128)) for _ in range(options.clients)]
    outbox = Outbox(invariants.WRITER)
    conn: asyncpg.Connection | None = None
    poison_every = options.events // (options.poison + 1) if options.poison else 0
    poisoned = 0
    try:
        while progress.written < options.events:
            while progress.next_fault < len(faults) and progress.written >= faults[progress.next_fault].at_event:
                if injector.done():
                    injector.result()  # the injector failed: say why
                await asyncio.sleep(0.05)  # the fault due here has not been injected yet
            n = min(options.batch, options.events - progress.written)
            events = [goal_paused(client_id=rng.choice(clients)) for _ in range(n)]
            try:
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(url, timeout=5)
                due = poisoned < options.poison and progress.written + n > poison_every * (poisoned + 1)
                async with conn.transaction():
                    await outbox.add_many(conn, events)
                    if due:
                        await poison.add(conn, invariants.WRITER, invariants.TOPIC, rng.choice(clients))
                progress.written += n
                poisoned += 1 if due else 0
            except _DATABASE_AWAY:
                progress.unconfirmed += 1  # it may have committed: the outbox, not this count, is the truth
                if conn is not None:
                    conn.terminate()
                conn = None
                await asyncio.sleep(0.2)
    finally:
        if conn is not None:
            conn.terminate()


async def _inject_all(
    running: servers.Servers,
    fleet: Fleet,
    faults: list[schedule.Fault],
    progress: _Progress,
    say: Callable[[str], None],
) -> list[Injected]:
    """Each fault in turn; it counts as recovered once every worker is ready again and every consuming service has
    taken as many events as had been written when it struck (none were lost in it, or the count would stall)."""
    injected = []
    consumers = [i.service for i in fleet.instances if i.service in invariants.CONSUMERS]
    for i, fault in enumerate(faults):
        while progress.written < fault.at_event:
            await asyncio.sleep(0.05)
        began, written = time.monotonic(), progress.written
        target = fleet.one(fault.service, fault.instance) if fault.service else None
        undo = await _inject(running, fleet, fault)
        progress.next_fault = i + 1  # the writer may go on while the fault lasts
        await undo()
        on = f" on {target.name}" if target else ""
        try:
            await fleet.all_ready(RECOVERY_TIMEOUT)
            await _caught_up(running, consumers, written, RECOVERY_TIMEOUT)
        except TimeoutError as exc:
            # Not fatal: the run goes on and the counts at the end say whether anything was lost.
            injected.append(Injected(fault, None))
            say(f"fault {i + 1}/{len(faults)} at event {fault.at_event:,}: {fault.kind}{on}; NOT RECOVERED: {exc}")
            continue
        took = time.monotonic() - began
        injected.append(Injected(fault, took))
        say(f"fault {i + 1}/{len(faults)} at event {fault.at_event:,}: {fault.kind}{on}; recovered in {took:.1f} s")
    return injected


Undo = Callable[[], Awaitable[object]]


async def _inject(running: servers.Servers, fleet: Fleet, fault: schedule.Fault) -> Undo:
    """Injects `fault` and gives back how to end it (the restart, the SIGCONT)."""

    def later(action: Callable[[], object]) -> Undo:
        return lambda: asyncio.to_thread(action)

    if fault.kind == schedule.WORKER_KILL:
        instance = fleet.one(fault.service, fault.instance)
        await asyncio.to_thread(instance.kill)
        return later(lambda: instance.start(fleet.env))  # the supervisor's part: start it again at once
    if fault.kind == schedule.WORKER_PAUSE:
        instance = fleet.one(fault.service, fault.instance)
        instance.pause()

        def resume_past_the_session_timeout() -> None:
            time.sleep(SESSION_TIMEOUT_SECONDS + 2)  # the fault is the pause: its length is the point
            instance.resume()

        return later(resume_past_the_session_timeout)
    if fault.kind == schedule.BROKER_KILL:
        await asyncio.to_thread(running.kill_broker)
        return later(running.start_broker_again)
    if fault.kind == schedule.DATABASE_CRASH:
        await asyncio.to_thread(running.crash_database)
        return later(running.start_database_again)
    if fault.kind == schedule.CONNECTIONS_TERMINATED:
        with contextlib.suppress(*_DATABASE_AWAY):
            await running.terminate_backends()
        return later(lambda: None)
    raise ValueError(f"unknown fault: {fault.kind}")


async def _drain(running: servers.Servers, options: Options) -> None:
    """Waits until every consuming service has taken every event the outbox holds (or the deadline passes: the
    count afterwards then says what was lost)."""
    consumers = [s for s in options.services if s in invariants.CONSUMERS]
    conn = await asyncpg.connect(running.accord_url, timeout=10)
    try:
        written = int(await conn.fetchval(f"SELECT count(*) FROM {invariants.WRITER}.outbox o WHERE {invariants.REAL}"))
    finally:
        await conn.close()
    with contextlib.suppress(TimeoutError):
        await _caught_up(running, consumers, written, max(120.0, options.events / 100))


async def _caught_up(running: servers.Servers, consumers: list[str], written: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(*_DATABASE_AWAY):
            taken = await invariants.consumed(running.accord_url, sorted(set(consumers)))
            if all(n >= written for n in taken.values()):
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the consumers did not catch up with {written} events in {timeout:.0f}s")
        await asyncio.sleep(1.0)  # each look counts inboxes of up to millions of rows: not too often


async def _report(
    running: servers.Servers, options: Options, progress: _Progress, faults: list[schedule.Fault]
) -> None:
    consumers = [s for s in options.services if s in invariants.CONSUMERS]
    while True:
        await asyncio.sleep(10)
        elapsed = time.monotonic() - progress.started
        try:
            taken = await invariants.consumed(running.accord_url, consumers)
            consumed = ", ".join(f"{s} {n:,}" for s, n in taken.items())
        except _DATABASE_AWAY:
            consumed = "(database away)"
        options.say(
            f"[{elapsed:5.0f} s] written {progress.written:,}/{options.events:,} "
            f"({progress.written / elapsed:,.0f}/s); consumed: {consumed}; "
            f"faults {progress.next_fault}/{len(faults)}"
        )
