"""Drives events through the real pipeline while injecting faults, then checks the end state by counting.

The writer (writer.py) sets up a care episode and an agreed goal per client through the goals service's own command
handlers, waits until the progress, notifications and reporting workers have built their views from them, then
records batches of the clients' GBO ratings through the progress service's own batch handler, `batch` entries per
transaction: each with its entry rows, decisions, audit rows and outbox events, as `POST /progress/entries/batch`
does. The progress workers relay them; the goals, notifications and reporting workers consume them, `instances` of
each kind in one consumer group. Faults come from a seeded schedule (schedule.py), one at a time: the writer waits
at a fault's point until it has been injected, so faults stay spread over the run however fast the pipeline is, and
writing goes on while a fault lasts.
"""

import asyncio
import contextlib
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from accord.devtools.faults import emails, invariants, lag, poison, schedule, servers, writer
from accord.devtools.faults.fleet import Fleet
from accord.devtools.faults.mail import MailSink
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.services import new_vapid_key
from accord.goals.settings import Settings as GoalsSettings
from accord.notifications.settings import Settings as NotificationsSettings
from accord.progress.settings import Settings as ProgressSettings
from accord.shared.runtime import Resources

SESSION_TIMEOUT_SECONDS = 10.0
"""aiokafka's default consumer session timeout, which the services keep: a pause longer than this has the group
give the paused instance's partitions to the others."""
RECOVERY_TIMEOUT = 180.0
_DATABASE_AWAY = writer.DATABASE_AWAY


@dataclass
class Options:
    events: int
    """Entries to record (each one event, GoalRatingRecorded; the decisions they lead to add more)."""
    faults: int
    seed: int
    home: Path
    instances: int = 3
    batch: int = 200
    """Entries per write transaction (one client's offline-sync batch)."""
    clients: int = 1000
    services: list[str] = field(default_factory=lambda: ["progress", *invariants.CONSUMERS])
    single: tuple[str, ...] = ()
    """Services run with one worker (and so spared worker faults): the short version's way to start fewer."""
    poison: int = 0
    """Messages no consumer can read, slipped into the outbox spread over the run: each must be dead-lettered once
    by every consumer group, and nothing else."""
    emails: bool = True
    """Give every client and therapist a confirmed e-mail address (through the notifications service's handlers)
    and count the e-mails at the campaign's mail sink (emails.py)."""
    read_topic: bool = False
    """Read the whole topic afterwards to count each event's publications (invariants.count)."""
    require_duplicates: bool = True
    """A run with faults in which no inbox absorbed a duplicate is broken (the faults did not bite). The short
    version's three faults may, by their timing, cause none; it reports the count without requiring it."""
    say: Callable[[str], None] = print
    stop_early: bool = False
    """Set while running (bench/fault_campaign.py on SIGUSR1): write no more and inject no more faults, then catch up
    and count what was written, as for a finished run (the entries and faults not done are reported as such)."""


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
    absorbed: dict[str, int] = field(default_factory=dict)
    """Per consuming service: duplicate deliveries its inboxes absorbed, by its workers' own counters."""
    mail: emails.EmailCounts | None = None
    """The e-mails counted at the mail sink (with Options.emails)."""

    def problems(self) -> list[str]:
        found = self.counts.problems()
        found += self.mail.problems() if self.mail else []
        if self.options.faults and self.options.require_duplicates and not sum(self.absorbed.values()):
            found.append("no duplicate delivery absorbed by any inbox: the faults did not bite")
        found += [f"{name} exited by itself" for name in self.exited]
        slow = [i for i in self.injected if i.recovery_seconds is None]
        if slow:
            found.append(f"{len(slow)} faults not recovered within {RECOVERY_TIMEOUT:.0f} s")
        if len(self.injected) != self.options.faults:
            found.append(f"only {len(self.injected)} of {self.options.faults} faults were injected")
        if self.counts.entries < self.options.events:
            found.append(f"only {self.counts.entries} of {self.options.events} entries were recorded")
        return found

    def summary(self) -> str:
        c, kinds = self.counts, Counter(i.fault.kind for i in self.injected)
        lines = [
            f"entries recorded: {c.entries:,} (asked {self.options.events:,}; {self.unconfirmed_commits} batches "
            "unconfirmed and sent again: the handler took their entries as duplicates)",
            f"events written by the progress service: {c.written:,} (its outbox), and {c.poison} poison messages",
            "  " + ", ".join(f"{t} {n:,}" for t, n in c.by_type.items()),
            f"published to {invariants.TOPIC}: {c.published:,} ({c.republished:,} again after a fault, "
            "each absorbed by every inbox)",
            "duplicate deliveries absorbed by the inboxes (redeliveries after a fault included; the workers' "
            "accord_consumer_events_total{outcome=duplicate}): "
            + ", ".join(f"{s} {n:,}" for s, n in self.absorbed.items())
            + f" (in all {sum(self.absorbed.values()):,})",
            *([f"most publications of one event: {c.most_copies}"] if c.most_copies is not None else []),
            *([self.mail.summary()] if self.mail else []),
            "consumed (events each group applies): " + ", ".join(f"{s} {n:,}" for s, n in c.consumed.items()),
            "lost: " + ", ".join(f"{w} {n}" for w, n in c.missing.items()),
            "beyond one per cause: " + ", ".join(f"{w} {n}" for w, n in c.repeated.items()),
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


def worker_env(running: servers.Servers, smtp_port: int | None) -> dict[str, str]:
    """`smtp_port`: the campaign's mail sink; None: a closed port (no e-mail is due without addresses)."""
    return {
        **os.environ,
        **running.infra.service_env(),
        **DevIdentityProvider().env(),
        "ACCORD_ENVIRONMENT": "test",
        "ACCORD_LOG_JSON": "true",
        "ACCORD_NOTIFICATIONS_SMTP_PORT": str(smtp_port or free_port()),
        "ACCORD_NOTIFICATIONS_VAPID_PRIVATE_KEY": new_vapid_key(),
    }


async def run(options: Options) -> Result:
    say = options.say
    several = [s for s in options.services if s not in options.single]
    faults = schedule.draw(options.events, options.faults, options.seed, several, options.instances)
    say(f"starting a secured Kafka and PostgreSQL under {options.home}")
    setup = time.monotonic()
    running = await asyncio.to_thread(servers.start, options.home)
    say(f"servers ready and provisioned in {time.monotonic() - setup:.0f} s")
    sink = MailSink(options.home / "mail") if options.emails and "notifications" in options.services else None
    if sink:  # listening before the workers' ports are drawn, so none is given the sink's
        await asyncio.to_thread(sink.start, dict(os.environ))
    env = worker_env(running, sink.port if sink else None)
    sizes = {s: 1 if s in options.single else options.instances for s in options.services}
    fleet = Fleet.of(sizes, env, options.home / "logs")
    pools: list[asyncpg.Pool] = []
    try:
        goals = await writer.open_resources(GoalsSettings, env)
        pools.append(goals.pool)
        progress_service = await writer.open_resources(ProgressSettings, env)
        pools.append(progress_service.pool)
        setup = time.monotonic()
        await fleet.start_ready(RECOVERY_TIMEOUT)
        say(
            f"{len(fleet.instances)} workers ready in {time.monotonic() - setup:.0f} s: "
            + ", ".join(f"{n} of {s}" for s, n in sizes.items())
        )
        rng = random.Random(options.seed)
        clients = writer.clients(options.clients, rng)
        setup = time.monotonic()
        await _set_up(goals, clients, rng)
        await _caught_up(running, _setup_feeds(options), max(120.0, options.clients / 10))
        say(
            f"{len(clients)} clients' episodes and agreed goals set up through the goals service in "
            f"{time.monotonic() - setup:.0f} s, and known to every service"
        )
        if sink:
            notifications = await writer.open_resources(NotificationsSettings, env)
            setup = time.monotonic()
            try:
                people = await _contact_points(notifications, clients, sink)
            finally:
                await notifications.pool.close()  # needed for the set-up only: not a pool to keep through the faults
            say(
                f"{people} e-mail addresses registered and confirmed through the notifications service in "
                f"{time.monotonic() - setup:.0f} s ({sum(not writer.wants_email(c) for c in clients)} clients chose "
                "no e-mail)"
            )
        began = time.monotonic()
        progress = _Progress(started=began)
        reporter = asyncio.create_task(_report(running, options, progress, faults))
        injector = asyncio.create_task(_inject_all(running, fleet, faults, progress, options))
        try:
            await _write(progress_service, clients, rng, options, progress, faults, injector)
            writing = time.monotonic() - began
            injected = await injector
            with contextlib.suppress(TimeoutError):  # the counts afterwards say what was lost
                await _caught_up(running, _feeds(options), max(120.0, options.events / 100))
                if sink:  # the e-mails the last events made due, then their outcomes on to reporting
                    await _emails_sent(running, RECOVERY_TIMEOUT)
                    await _caught_up(running, _feeds(options), RECOVERY_TIMEOUT)
        finally:
            reporter.cancel()
            injector.cancel()
        seconds = time.monotonic() - began
        absorbed = await fleet.duplicates_absorbed()
        counts = await invariants.count(
            running.accord_url,
            running.infra.bootstrap_servers,
            running.infra.kafka_admin_options(),
            options.services,
            options.read_topic,
        )
        mail = None
        if sink:
            conn = await asyncpg.connect(running.accord_url, timeout=10)
            try:
                mail = await emails.count(conn, clients, list(sink.received()))
            finally:
                await conn.close()
        return Result(options, injected, counts, seconds, writing, progress.unconfirmed, fleet.exited(), absorbed, mail)
    finally:
        for pool in pools:
            pool.terminate()  # the writer is done (or failed): nothing in flight to wait for
        await asyncio.to_thread(fleet.stop)
        if sink:
            await asyncio.to_thread(sink.stop)
        await asyncio.to_thread(running.stop)


async def _set_up(goals: Resources[GoalsSettings], clients: list[writer.Client], rng: random.Random) -> None:
    """A few clients at a time (an API process serves several requests at once); before any fault."""
    queue = list(clients)

    async def one_by_one() -> None:
        while queue:
            await writer.set_up(goals, queue.pop(), rng)

    await asyncio.gather(*(one_by_one() for _ in range(4)))


async def _contact_points(
    notifications: Resources[NotificationsSettings], clients: list[writer.Client], sink: MailSink
) -> int:
    """Every client and therapist registers an address; the service sends each a confirmation link (to the sink),
    which they follow; a client in four then chooses no e-mail. Before the first entry, after the set-up's goals
    events were taken (so those cause no e-mail)."""
    therapists = {c.therapist_id: c for c in clients}
    people = [c.as_client() for c in clients] + [c.as_therapist() for c in therapists.values()]
    queue = list(people)

    async def register() -> None:
        while queue:
            await writer.register_email(notifications, queue.pop())

    await asyncio.gather(*(register() for _ in range(4)))
    by_address = {writer.address(p.subject): p for p in people}
    tokens: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while len(tokens) < len(people):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(people) - len(tokens)} confirmation e-mails did not arrive")
        await asyncio.sleep(0.2)
        tokens = {m.to: m.token for m in await asyncio.to_thread(lambda: list(sink.received())) if m.token}
    for to, token in tokens.items():
        await writer.confirm_email(notifications, by_address[to], token)
    for client in clients:
        if not writer.wants_email(client):
            await writer.in_app_only(notifications, client.as_client())
    return len(people)


async def _emails_sent(running: servers.Servers, timeout: float) -> None:
    """Until no e-mail delivery waits: the dispatchers send what is due every few seconds."""
    deadline, waiting = time.monotonic() + timeout, None
    while True:
        with contextlib.suppress(*_DATABASE_AWAY):
            conn = await asyncpg.connect(running.accord_url, timeout=10)
            try:
                waiting = await conn.fetchval(
                    "SELECT count(*) FROM notifications.deliveries WHERE channel = 'email' AND status = 'pending'"
                )
            finally:
                await conn.close()
            if not waiting:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{waiting} e-mails still waiting to be sent")
        await asyncio.sleep(1)


def _setup_feeds(options: Options) -> list[tuple[str, str, tuple[str, ...]]]:
    groups = tuple(g for s in options.services for g in invariants.SETUP_GROUPS if g.startswith(s))
    return [(invariants.SETUP_WRITER, invariants.SETUP_TOPIC, groups)]


def _feeds(options: Options) -> list[tuple[str, str, tuple[str, ...]]]:
    """What must be taken before the counts: the campaign's events by every consuming group, and the notification
    outcomes they caused by reporting (when both run)."""
    groups = invariants.groups_of(options.services)
    feeds = [(invariants.WRITER, invariants.TOPIC, tuple(g for gs in groups.values() for g in gs))]
    if "notifications" in options.services:
        outcomes = tuple(g for g in invariants.OUTCOMES_GROUPS if any(g in gs for gs in groups.values()))
        feeds.append((invariants.OUTCOMES_WRITER, invariants.OUTCOMES_TOPIC, outcomes))
    return feeds


async def _write(
    service: Resources[ProgressSettings],
    clients: list[writer.Client],
    rng: random.Random,
    options: Options,
    progress: _Progress,
    faults: list[schedule.Fault],
    injector: asyncio.Task[object],
) -> None:
    ratings = writer.Ratings(rng)
    poison_every = options.events // (options.poison + 1) if options.poison else 0
    poisoned = 0
    while progress.written < options.events and not options.stop_early:
        while progress.next_fault < len(faults) and progress.written >= faults[progress.next_fault].at_event:
            if options.stop_early:
                return
            if injector.done():
                injector.result()  # the injector failed: say why
            await asyncio.sleep(0.05)  # the fault due here has not been injected yet
        client = rng.choice(clients)
        batch = ratings.batch(client, min(options.batch, options.events - progress.written), datetime.now(UTC))
        while True:  # the same batch until it is confirmed: a resend after an unconfirmed commit records nothing
            try:
                progress.written += await writer.record(service, client, batch)
                break
            except _DATABASE_AWAY:
                progress.unconfirmed += 1
                await asyncio.sleep(0.2)
        if poisoned < options.poison and progress.written > poison_every * (poisoned + 1):
            # The fault, not the write path: a record nobody can decode, slipped into the outbox beside the events.
            with contextlib.suppress(*_DATABASE_AWAY):
                async with service.pool.acquire() as conn, conn.transaction():
                    await poison.add(conn, invariants.WRITER, invariants.TOPIC, client.client_id)
                poisoned += 1


async def _inject_all(
    running: servers.Servers,
    fleet: Fleet,
    faults: list[schedule.Fault],
    progress: _Progress,
    options: Options,
) -> list[Injected]:
    """Each fault in turn; it counts as recovered once every worker is ready again and every consuming group has
    taken everything the outbox held when it struck (none were lost in it, or the offsets would stall)."""
    injected: list[Injected] = []
    for i, fault in enumerate(faults):
        while progress.written < fault.at_event:
            if options.stop_early:
                return injected
            await asyncio.sleep(0.05)
        began = time.monotonic()
        up_to = {s: await lag.last_outbox_id(running.accord_url, s) for s, _, _ in _feeds(options)}
        target = fleet.one(fault.service, fault.instance) if fault.service else None
        await fleet.duplicates_absorbed()  # each worker's count now, before a kill takes it with the process
        undo = await _inject(running, fleet, fault)
        progress.next_fault = i + 1  # the writer may go on while the fault lasts
        await undo()
        on = f" on {target.name}" if target else ""
        try:
            await fleet.all_ready(RECOVERY_TIMEOUT)
            await _caught_up(running, _feeds(options), RECOVERY_TIMEOUT - (time.monotonic() - began), up_to)
        except TimeoutError as exc:
            # Not fatal: the run goes on and the counts at the end say whether anything was lost.
            injected.append(Injected(fault, None))
            options.say(
                f"fault {i + 1}/{len(faults)} at entry {fault.at_event:,}: {fault.kind}{on}; NOT RECOVERED: {exc}"
            )
            continue
        took = time.monotonic() - began
        injected.append(Injected(fault, took))
        options.say(
            f"fault {i + 1}/{len(faults)} at entry {fault.at_event:,}: {fault.kind}{on}; recovered in {took:.1f} s"
        )
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


async def _caught_up(
    running: servers.Servers,
    feeds: list[tuple[str, str, tuple[str, ...]]],
    timeout: float,
    up_to: dict[str, int] | None = None,
) -> None:
    infra = running.infra
    await lag.caught_up(
        running.accord_url, infra.bootstrap_servers, infra.kafka_admin_options(), feeds, max(timeout, 1.0), up_to
    )


async def _report(
    running: servers.Servers, options: Options, progress: _Progress, faults: list[schedule.Fault]
) -> None:
    groups = tuple(g for gs in invariants.groups_of(options.services).values() for g in gs)
    infra = running.infra
    while True:
        await asyncio.sleep(10)
        elapsed = time.monotonic() - progress.started
        try:
            behind = await lag.lag(infra.bootstrap_servers, infra.kafka_admin_options(), invariants.TOPIC, groups)
            lags = ", ".join(f"{g} {n:,}" for g, n in behind.items())
        except lag.AWAY:
            lags = "(broker away)"
        options.say(
            f"[{elapsed:5.0f} s] entries {progress.written:,}/{options.events:,} "
            f"({progress.written / elapsed:,.0f}/s); published but not yet taken: {lags}; "
            f"faults {progress.next_fault}/{len(faults)}"
        )
