"""The local stack's supervisor (`scripts/up`) starts again a process that dies, after a backoff, counts and logs the
restart, and `scripts/status` shows it: up, its new process id, its restarts, ready. Through its Python API, with a
real worker on ports of its own (never the stack's 8080), against the test session's Kafka and PostgreSQL."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import stop
from accord.devtools.infra.supervisor import Program, Row, Supervisor, launch, status, supervisor_running, unwatched
from accord.shared.web_cli import EXIT_CANNOT_START

pytestmark = pytest.mark.integration


@pytest.fixture
def supervised_worker(service_env: dict[str, str], tmp_path: Path) -> Iterator[Supervisor]:
    metrics = f"http://127.0.0.1:{free_port()}"
    argv = ["accord-goals", "worker", "--metrics-port", metrics.rsplit(":", 1)[1]]
    worker = Program(
        "goals-worker", argv, {**os.environ, **service_env}, str(tmp_path / "w.log"), f"{metrics}/ready", metrics
    )
    supervisor = Supervisor([worker], tmp_path / "supervisor.json", min_backoff=0.2)
    supervisor.start("goals-worker")
    stopping = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stopping, 0.1))
    thread.start()
    try:
        yield supervisor
    finally:
        stopping.set()
        thread.join()


def _until(state: Path, wanted: Callable[[Row], bool]) -> Row:
    deadline = time.monotonic() + 120  # a guard against a hang, not a measure of speed
    while time.monotonic() < deadline:
        rows = status(state)
        if rows and wanted(rows[0]):
            return rows[0]
        time.sleep(0.2)
    raise AssertionError(f"never reached: {status(state)}")


def test_a_supervised_worker_killed_with_sigkill_is_started_again_and_becomes_ready_and_status_says_so(
    supervised_worker: Supervisor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "accord.supervisor")
    state = supervised_worker.state
    first = _until(state, lambda row: row.ready)
    assert first.pid is not None
    os.kill(first.pid, signal.SIGKILL)
    again = _until(state, lambda row: row.restarts == 1 and row.ready)
    assert again.up
    assert again.pid != first.pid
    assert again.last_exit == "killed by SIGKILL"
    assert again.address == first.address
    logged = [r.getMessage() for r in caplog.records]
    assert "goals-worker died (killed by SIGKILL); restarting in 0.2 s" in logged
    assert f"goals-worker restarted (restart 1), pid {again.pid}" in logged


def test_a_process_that_keeps_dying_waits_twice_as_long_each_time_up_to_the_cap(tmp_path: Path) -> None:
    dying = Program("dying", ["false"], dict(os.environ), str(tmp_path / "d.log"))
    supervisor = Supervisor([dying], tmp_path / "supervisor.json", min_backoff=0.01, max_backoff=0.04)
    supervisor.start("dying")
    watched = supervisor.watched["dying"]
    while watched.restarts < 4:
        supervisor.check()
        time.sleep(0.005)
    supervisor.run(_already_set())  # stops what still runs
    assert watched.backoffs == [0.01, 0.02, 0.04, 0.04]
    assert status(tmp_path / "supervisor.json")[0].restarts == 4
    assert status(tmp_path / "supervisor.json")[0].last_exit == "exit status 1"


def _already_set() -> threading.Event:
    done = threading.Event()
    done.set()
    return done


def test_the_supervisor_process_adopts_what_up_started_restarts_it_and_stops_it_when_stopped(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import time; time.sleep(600)"]
    sleeper = Program("sleeper", argv, dict(os.environ), str(tmp_path / "sleeper.log"))
    first = subprocess.Popen(sleeper.argv, start_new_session=True)
    watching = launch([(sleeper, first.pid)], tmp_path, tmp_path / "supervisor.log")
    state = tmp_path / "supervisor.json"
    try:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        again = _until(state, lambda row: row.restarts == 1 and row.up)
        assert supervisor_running(state) == watching
    finally:
        stop(watching, timeout=60)
    assert again.pid != first.pid
    assert [row.up for row in status(state)] == [False]  # the supervisor stopped what it had started again
    assert "sleeper restarted (restart 1)" in (tmp_path / "supervisor.log").read_text()
    assert not (tmp_path / "supervisor-spec.json").stat().st_mode & 0o077  # it holds the processes' secrets


def test_a_supervisor_killed_with_sigkill_leaves_its_processes_unwatched_and_status_names_them(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import time; time.sleep(600)"]
    sleeper = Program("sleeper", argv, dict(os.environ), str(tmp_path / "sleeper.log"))
    first = subprocess.Popen(sleeper.argv, start_new_session=True)
    state = tmp_path / "supervisor.json"
    try:
        watching = launch([(sleeper, first.pid)], tmp_path, tmp_path / "supervisor.log")
        assert unwatched(state) == []
        os.kill(watching.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30  # a guard against a hang, not a measure of speed
        while supervisor_running(state) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert unwatched(state) == ["sleeper"]
    finally:
        first.kill()
        first.wait()


def test_a_process_that_says_no_retry_would_help_is_left_down_and_not_restarted(tmp_path: Path) -> None:
    refused = Program("refused", [sys.executable, "-c", f"raise SystemExit({EXIT_CANNOT_START})"], dict(os.environ), "")
    refused = Program(refused.name, refused.argv, refused.env, str(tmp_path / "r.log"))
    supervisor = Supervisor([refused], tmp_path / "supervisor.json", min_backoff=0.0)  # else: again at once
    supervisor.start("refused")
    assert supervisor.watched["refused"].process is not None
    supervisor.watched["refused"].process.wait()
    for _ in range(5):
        supervisor.check()
    row = status(tmp_path / "supervisor.json")[0]
    assert (row.up, row.restarts) == (False, 0)
    assert row.last_exit.startswith(f"exit status {EXIT_CANNOT_START}: cannot start")
