"""scripts/down stops what it started and nothing else: a recorded process id may belong to another process by now."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.devtools.infra import postgres, stack
from accord.devtools.infra.processes import Started, stop


def _sleeper(*args: str) -> subprocess.Popen[bytes]:
    """A process that sleeps until stopped; `args` only show on its command line."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", *args])


@pytest.fixture
def unrelated() -> Iterator[subprocess.Popen[bytes]]:
    """A process that now holds an id once recorded for another (its start time differs from the record)."""
    proc = _sleeper()
    yield proc
    proc.kill()
    proc.wait()


def _stale_record(proc: subprocess.Popen[bytes]) -> Started:
    return Started(proc.pid, Started.of(proc.pid).started_at - 3600)


def test_a_stale_recorded_id_is_never_signalled(unrelated: subprocess.Popen[bytes]) -> None:
    assert stop(_stale_record(unrelated), timeout=5) is False
    assert unrelated.poll() is None


def test_a_recorded_process_that_still_runs_is_stopped() -> None:
    proc = _sleeper()
    record = Started.parse(str(Started.of(proc.pid)))
    assert record is not None
    assert stop(record, timeout=5) is True
    assert proc.wait(timeout=5) is not None


def test_a_record_without_a_start_time_cannot_be_verified_and_is_refused() -> None:
    assert Started.parse("12345") is None


def test_a_broker_restarted_by_hand_is_stopped_by_its_configuration_and_the_stale_id_is_left_alone(
    tmp_path: Path, unrelated: subprocess.Popen[bytes]
) -> None:
    stale = _stale_record(unrelated)
    broker = _sleeper("kafka.Kafka", str(tmp_path / "kafka" / "server.properties"))
    try:
        infra = stack.Infra(
            "127.0.0.1:1", "postgresql://x@127.0.0.1:1/postgres", kafka_pid=stale.pid,
            kafka_started_at=stale.started_at, kafka_home=str(tmp_path / "kafka"),
        )  # fmt: skip
        assert stack.stop_servers(infra) == []
        assert broker.wait(timeout=10) is not None
        assert unrelated.poll() is None
    finally:
        broker.kill()


def test_a_lock_file_naming_a_process_that_is_not_its_postmaster_is_not_signalled(
    tmp_path: Path, unrelated: subprocess.Popen[bytes]
) -> None:
    started = int(Started.of(unrelated.pid).started_at)
    (tmp_path / "postmaster.pid").write_text(f"{unrelated.pid}\n{tmp_path}\n{started}\n5432\n")
    assert postgres.postmaster_running(tmp_path) is False
    postgres.stop(tmp_path)
    assert unrelated.poll() is None


def test_postgresql_is_stopped_even_when_stopping_the_broker_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped: list[Path] = []

    def broken_stop(started: Started, timeout: float = 30.0) -> bool:
        raise PermissionError("operation not permitted")

    broker = _sleeper("kafka.Kafka", str(tmp_path / "kafka" / "server.properties"))
    monkeypatch.setattr(stack, "stop", broken_stop)
    monkeypatch.setattr(postgres, "stop", stopped.append)
    try:
        infra = stack.Infra(
            "127.0.0.1:1", "postgresql://x@127.0.0.1:1/postgres", kafka_home=str(tmp_path / "kafka"),
            postgres_data=str(tmp_path / "data"),
        )  # fmt: skip
        problems = stack.stop_servers(infra)
    finally:
        broker.kill()
        broker.wait()
    assert problems == ["Kafka: operation not permitted"]
    assert stopped == [tmp_path / "data"]
