"""Keeps the local stack's processes running (`scripts/up`): a process that dies is started again, after a capped
exponential backoff, and each restart is logged and counted; `scripts/status` reads what it records.

Small and hand-written rather than supervisord: supervisord restarts a process that ran past `startsecs` at once and
one that did not with a linear backoff that ends in giving up (FATAL), keeps no restart count, and would need its own
config, daemon and RPC; here the processes `scripts/up` already started are adopted as they are.

Run as its own process (`python -m accord.devtools.infra.supervisor <spec.json> <state.json>`) so that it outlives
`scripts/up`; on SIGTERM it stops every process it watches, then exits."""

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import psutil

from accord.devtools.infra.processes import Started, stop
from accord.shared.web_cli import EXIT_CANNOT_START

log = logging.getLogger("accord.supervisor")

STEADY_SECONDS = 60.0
"""A process that ran this long before it died is restarted after the shortest backoff again."""


@dataclass(frozen=True)
class Program:
    """A process to keep running: how to start it, where it logs, and where it says whether it is ready."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: str
    ready_url: str = ""
    address: str = ""


@dataclass
class Watched:
    program: Program
    started: Started | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    failures_in_a_row: int = 0
    restart_at: float | None = None
    last_exit: str = ""
    backoffs: list[float] = field(default_factory=list)  # each wait before a restart, in order


@dataclass
class Supervisor:
    programs: list[Program]
    state: Path
    min_backoff: float = 0.5
    max_backoff: float = 30.0
    watched: dict[str, Watched] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.watched = {p.name: Watched(p) for p in self.programs}

    def adopt(self, name: str, started: Started) -> None:
        """A process already started (by `scripts/up`) for `name`."""
        self.watched[name].started = started

    def start(self, name: str) -> None:
        w = self.watched[name]
        with open(w.program.log, "ab") as out:
            w.process = subprocess.Popen(
                w.program.argv, env=w.program.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        w.started = Started.of(w.process.pid)

    def check(self) -> None:
        """One look at every process: a dead one gets a restart time, one whose time has come is started again."""
        now = time.monotonic()
        for name, w in self.watched.items():
            if w.process is not None and w.process.poll() is not None:
                w.last_exit = _exit_reason(w.process.returncode)
                w.process = None
            alive = w.started is not None and w.started.process() is not None
            if not alive and w.process is not None:
                # psutil can see a killed process as gone (a zombie) a moment before poll() above could reap it:
                # reap it now, so that the restart is logged with how it ended rather than a bare "exited".
                with contextlib.suppress(subprocess.TimeoutExpired):
                    w.last_exit = _exit_reason(w.process.wait(timeout=1))
                    w.process = None
            if alive or w.last_exit.startswith(CANNOT_START):
                continue  # an API that said no retry would help (a refused password) is left down, not restarted
            if w.restart_at is None:
                ran = time.time() - w.started.started_at if w.started else 0.0
                w.failures_in_a_row = 0 if ran >= STEADY_SECONDS else w.failures_in_a_row + 1
                backoff = min(self.max_backoff, self.min_backoff * 2 ** max(w.failures_in_a_row - 1, 0))
                w.restart_at = now + backoff
                w.backoffs.append(backoff)
                log.warning("%s died (%s); restarting in %.1f s", name, w.last_exit or "exited", backoff)
            elif now >= w.restart_at:
                w.restart_at = None
                w.restarts += 1
                self.start(name)
                assert w.started is not None
                log.warning("%s restarted (restart %d), pid %d", name, w.restarts, w.started.pid)
        self.save()

    def save(self) -> None:
        rows = [
            {
                **asdict(w.program),
                "env": None,  # secrets stay out of the state file
                "pid": w.started.pid if w.started else None,
                "started": str(w.started) if w.started else "",
                "restarts": w.restarts,
                "last_exit": w.last_exit,
                "restarting": w.restart_at is not None,
            }
            for w in self.watched.values()
        ]
        temp = self.state.with_suffix(".tmp")
        temp.write_text(json.dumps({"supervisor": str(Started.of(os.getpid())), "programs": rows}, indent=1))
        temp.replace(self.state)

    def run(self, stopping: threading.Event, interval: float = 0.5) -> None:
        """Watches until `stopping` is set, then stops every process it watches."""
        while not stopping.is_set():
            self.check()
            stopping.wait(interval)
        for w in self.watched.values():  # all told at once, so that they stop side by side
            if w.started is not None and (proc := w.started.process()) is not None:
                with contextlib.suppress(psutil.NoSuchProcess):
                    proc.terminate()
        for w in reversed(list(self.watched.values())):
            if w.started is not None:
                stop(w.started, timeout=15)
            if w.process is not None:
                w.process.wait()


CANNOT_START = f"exit status {EXIT_CANNOT_START}"


def _exit_reason(returncode: int) -> str:
    if returncode == EXIT_CANNOT_START:
        return f"{CANNOT_START}: cannot start, and retrying would not help (see its log)"
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


@dataclass(frozen=True)
class Row:
    """What `scripts/status` shows of one process."""

    name: str
    up: bool
    pid: int | None
    restarts: int
    ready: bool
    address: str
    last_exit: str


def status(state: Path) -> list[Row]:
    """Each watched process as the supervisor last recorded it, and whether it is up and ready now."""
    if not state.exists():
        return []
    rows = []
    for p in json.loads(state.read_text())["programs"]:
        started = Started.parse(p["started"]) if p["started"] else None
        up = started is not None and started.process() is not None
        rows.append(
            Row(p["name"], up, p["pid"], p["restarts"], up and _ready(p["ready_url"]), p["address"], p["last_exit"])
        )
    return rows


def supervisor_running(state: Path) -> Started | None:
    if not state.exists():
        return None
    started = Started.parse(json.loads(state.read_text())["supervisor"])
    return started if started and started.process() else None


def unwatched(state: Path) -> list[str]:
    """Processes that still run while their supervisor is gone (killed, or crashed): none of them is started again
    if it dies, so the stack can stop relaying or notifying silently. Empty while the supervisor runs."""
    if supervisor_running(state) is not None:
        return []
    return [row.name for row in status(state) if row.up]


def _ready(url: str) -> bool:
    if not url:
        return True
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def launch(programs: list[tuple[Program, int]], home: Path, log_file: Path) -> Started:
    """Starts the supervisor as a process of its own, adopting the given (program, pid) pairs; the spec holds the
    processes' environments (secrets), so only its owner may read it."""
    spec = home / "supervisor-spec.json"
    spec.touch(mode=0o600)
    spec.chmod(0o600)
    spec.write_text(json.dumps([{**asdict(p), "pid": str(Started.of(pid))} for p, pid in programs]))
    argv = [sys.executable, "-m", "accord.devtools.infra.supervisor", str(spec), str(home / "supervisor.json")]
    with open(log_file, "ab") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while not (home / "supervisor.json").exists() or supervisor_running(home / "supervisor.json") is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the supervisor did not start; see {log_file}")
        time.sleep(0.1)
    return Started.of(proc.pid)


def main() -> None:
    spec, state = Path(sys.argv[1]), Path(sys.argv[2])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s supervisor %(message)s", stream=sys.stdout)
    entries = json.loads(spec.read_text())
    programs = [Program(**{k: v for k, v in e.items() if k != "pid"}) for e in entries]
    supervisor = Supervisor(programs, state)
    for e in entries:
        started = Started.parse(e["pid"])
        if started is not None:
            supervisor.adopt(e["name"], started)
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    log.info("watching %d processes", len(programs))
    supervisor.run(stopping)
    log.info("stopped")


if __name__ == "__main__":
    main()
