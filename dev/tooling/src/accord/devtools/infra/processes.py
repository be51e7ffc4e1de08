"""Stopping processes, including ones another command started and recorded by id.

A recorded process id outlives its process: once that process has exited, the system may hand the id to an
unrelated one. So a record holds the id with the process's start time, and a recorded process is signalled only
when the process now holding the id started at that same time.
"""

import contextlib
import os
import signal
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Started:
    """A process as it was when recorded: its id and its start time (seconds since the epoch, as psutil gives it)."""

    pid: int
    started_at: float

    def __str__(self) -> str:
        return f"{self.pid}@{self.started_at!r}"

    @classmethod
    def of(cls, pid: int) -> "Started":
        """The running process `pid`; psutil.NoSuchProcess when there is none."""
        return cls(pid, psutil.Process(pid).create_time())

    @classmethod
    def parse(cls, record: str) -> "Started | None":
        """A record written by str(); None for one without a start time (it cannot be verified)."""
        pid, sep, started_at = record.partition("@")
        return cls(int(pid), float(started_at)) if sep else None

    def process(self) -> psutil.Process | None:
        """The recorded process if it still runs; None when it exited, even if its id now belongs to another."""
        try:
            proc = psutil.Process(self.pid)
            same = proc.create_time() == self.started_at and proc.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return None
        return proc if same else None


def running_with(*words: str) -> list[Started]:
    """Processes whose command line holds every one of `words` (e.g. a server started again by hand)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "create_time"]):
        cmdline = proc.info["cmdline"] or []
        if all(any(word in arg for arg in cmdline) for word in words):
            found.append(Started(proc.pid, proc.info["create_time"]))
    return found


def stop(started: Started, timeout: float = 30.0) -> bool:
    """SIGTERM, then SIGKILL after `timeout` seconds, only if the recorded process still runs; True if it did."""
    proc = started.process()
    if proc is None:
        return False
    with contextlib.suppress(psutil.NoSuchProcess):
        proc.terminate()
        try:
            proc.wait(timeout)  # reaps it too when it is our child
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def terminate(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM, then SIGKILL after `timeout` seconds; reaps the child when it is ours.

    Only for this process's own unreaped children (their id cannot be reused yet): a recorded id goes to stop()."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not alive(pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    _reap(pid)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
